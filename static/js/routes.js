// The page's hash routes: `#/r/<repository>?page=<path>&h=<anchor>`, so a link to a repository, a page
// of its documentation or a heading in it survives a reload and the back button.

export function routeFor(repoId, page, anchor) {
  const base = `#/r/${encodeURIComponent(repoId)}`;
  const q = new URLSearchParams();
  if (page) q.set('page', page);
  if (anchor) q.set('h', anchor);
  const qs = q.toString();
  return qs ? `${base}?${qs}` : base;
}

/** {repoId, page, anchor} of the current hash; {} when it names no repository. */
export function parseRoute() {
  const m = /^#\/r\/([^?]+)(?:\?(.*))?$/.exec(location.hash);
  if (!m) return {};
  try {
    const q = new URLSearchParams(m[2] || '');
    return { repoId: decodeURIComponent(m[1]), page: q.get('page'), anchor: q.get('h') };
  } catch {
    return {};
  }
}

/** Replaces the hash without a history entry (and without a hashchange). */
export function replaceHash(hash) {
  window.history.replaceState(null, '', `${location.pathname}${location.search}${hash}`);
}

/** A repository's name as the list shows it: its own, else the last part of its URL. */
export function repoName(repo) {
  if (!repo) return '';
  if (repo.name) return String(repo.name);
  const url = String(repo.url || '');
  return url.replace(/\/+$/, '').split('/').pop().replace(/\.git$/, '') || url;
}
