// The documentation viewer: the page list of a repository's latest docs and
// one page at a time, shown in place. A Markdown page is shown from its HTML twin, which the server
// rendered (cmark-gfm) and sanitised, rebuilt here through an allow-list, so it looks as it does in the
// export and on disk; the page renders no Markdown of its own. A Markdown file without a twin (or any
// other text) is shown as plain text. Links between pages are hash routes, so they work with the
// keyboard, the back button and a reload.

import { ApiError, encodePath } from './api.js';
import { h, setChildren, setText } from './dom.js';
import { formatTimestamp, shortId } from './format.js';
import { renderHtmlPage } from './htmlpage.js';
import { showFreshness } from './freshness.js';

const PAGE_EXT = /\.(md|markdown|html?)$/i;

/** Which renderer a page gets: HTML (by content type, else by extension) or plain text. */
function pageRenderer(path, contentType) {
  const type = (contentType || '').toLowerCase();
  if (type.includes('text/html') || (!type.includes('markdown') && /\.html?$/i.test(path))) return renderHtmlPage;
  return renderPlainText;
}

/** A page without server-rendered HTML (a raw Markdown file, JSON, text): its text, as text. */
export function renderPlainText(source) {
  const fragment = document.createDocumentFragment();
  fragment.append(h('pre', { class: 'doc-plain' }, String(source ?? '')));
  return fragment;
}

/** Resolve `rel` against the folder of page `from` ("modules/a.md" + "../index.md" -> "index.md"). */
export function resolvePagePath(from, rel) {
  const base = new URL(`https://pages.invalid/${from.split('/').map(encodeURIComponent).join('/')}`);
  const url = new URL(rel, base);
  if (url.host !== 'pages.invalid') return null;
  try {
    return decodeURIComponent(url.pathname.replace(/^\/+/, ''));
  } catch {
    return null;
  }
}

export class DocsView {
  /**
   * els: {section, status, meta, list, view}; routeFor(repoId, page, anchor) -> "#/..." href.
   */
  constructor(api, els, routeFor) {
    this.api = api;
    this.els = els;
    this.routeFor = routeFor;
    this.repoId = null;
    this.index = null;
    this.currentPage = null;
    this.pageCache = new Map();
    this.seq = 0;
  }

  reset() {
    this.seq++;
    this.repoId = null;
    this.index = null;
    this.currentPage = null;
    this.pageCache.clear();
    setChildren(this.els.list);
    setChildren(this.els.view);
    setText(this.els.meta, '');
    showFreshness(this.freshnessEl(), null);
    this.setStatus('Loading documentation…');
  }

  /** No request: the repository never ran a job, so it cannot have pages yet. */
  empty(repoId, text) {
    this.seq++;
    this.repoId = repoId;
    this.index = null;
    this.currentPage = null;
    setChildren(this.els.list);
    setChildren(this.els.view);
    setText(this.els.meta, '');
    showFreshness(this.freshnessEl(), null);
    this.setStatus(text);
  }

  /** The line that says which commit is documented and whether a newer one exists. */
  freshnessEl() {
    return this.els.freshness || document.getElementById('docs-freshness');
  }

  setStatus(text) {
    setText(this.els.status, text);
    this.els.status.hidden = !text;
  }

  /** Load (or reload) the page list; then show `page` or the first page. */
  async load(repoId, page, anchor, { force = false } = {}) {
    const seq = ++this.seq;
    if (repoId !== this.repoId || force || !this.index) {
      this.repoId = repoId;
      let index;
      try {
        index = (await this.api.get(`api/repositories/${encodeURIComponent(repoId)}/pages`)).body;
      } catch (err) {
        if (seq !== this.seq) return;
        this.index = null;
        setChildren(this.els.list);
        setChildren(this.els.view);
        setText(this.els.meta, '');
    showFreshness(this.freshnessEl(), null);
        this.setStatus(
          err instanceof ApiError && err.status === 404
            ? 'No documentation yet. Generate it to see it here.'
            : `The documentation could not be loaded: ${err.message}`,
        );
        return;
      }
      if (seq !== this.seq) return;
      if (!this.index || this.index.job_id !== index.job_id) this.pageCache.clear();
      this.index = index;
      this.renderIndex();
    }
    await this.showPage(page, anchor, seq);
  }

  pages() {
    return (this.index && Array.isArray(this.index.pages) ? this.index.pages : []).filter(
      (p) => p && typeof p.path === 'string',
    );
  }

  renderIndex() {
    const pages = this.pages();
    const meta = [];
    if (this.index.generated_at) meta.push(`Generated ${formatTimestamp(this.index.generated_at)}`);
    if (this.index.commit) meta.push(`commit ${String(this.index.commit).slice(0, 10)}`);
    if (this.index.job_id) meta.push(`job ${shortId(this.index.job_id)}`);
    setText(this.els.meta, meta.join(' · '));
    showFreshness(this.freshnessEl(), this.index);
    if (!pages.length) {
      setChildren(this.els.list);
      this.setStatus('The documentation has no pages.');
      return;
    }
    this.setStatus('');
    // Overview and module pages; their HTML twins, diagrams and JSON indexes are reached from them.
    const overview = pages.filter((p) => p.kind === 'overview');
    const modules = pages.filter((p) => p.kind === 'module');
    const item = (p) =>
      h('li', null, h('a', { href: this.routeFor(this.repoId, p.path), dataset: { path: p.path } }, p.title || p.path));
    const groups = [];
    if (overview.length) groups.push(h('ul', { class: 'page-list' }, overview.map(item)));
    if (modules.length) {
      groups.push(h('h4', { class: 'page-group', id: 'page-group-modules' }, `Modules (${modules.length})`));
      groups.push(h('ul', { class: 'page-list', 'aria-labelledby': 'page-group-modules' }, modules.map(item)));
    }
    setChildren(this.els.list, groups);
  }

  defaultPage() {
    const pages = this.pages();
    const index = pages.find((p) => /^index\.(md|html?)$/i.test(p.path)) || pages.find((p) => p.kind === 'overview');
    return (index || pages[0] || {}).path || null;
  }

  async showPage(page, anchor, seq = ++this.seq) {
    if (!this.index) return;
    const path = page || this.defaultPage();
    if (!path) return;
    for (const a of this.els.list.querySelectorAll('a[data-path]')) {
      if (a.dataset.path === path) a.setAttribute('aria-current', 'page');
      else a.removeAttribute('aria-current');
    }
    const changed = path !== this.currentPage;
    const twin = this.htmlTwin(path);
    const source = twin || path;
    if (changed) {
      const key = `${this.index.job_id}:${source}`;
      let entry = this.pageCache.get(key);
      if (!entry) {
        this.els.view.setAttribute('aria-busy', 'true');
        try {
          const res = await this.api.get(
            `api/repositories/${encodeURIComponent(this.repoId)}/pages/${encodePath(source)}`,
            { accept: 'text/html, text/markdown;q=0.9, text/plain;q=0.8' },
          );
          entry = { text: typeof res.body === 'string' ? res.body : JSON.stringify(res.body, null, 2), type: res.headers.get('Content-Type') };
          this.pageCache.set(key, entry);
        } catch (err) {
          if (seq !== this.seq) return;
          this.els.view.removeAttribute('aria-busy');
          this.currentPage = null;
          setChildren(
            this.els.view,
            h('p', { class: 'alert alert-error', role: 'alert' }, `The page “${path}” could not be loaded: ${err.message}`),
          );
          return;
        }
        if (seq !== this.seq) return;
      }
      this.els.view.removeAttribute('aria-busy');
      const render = pageRenderer(source, entry.type);
      const fragment = render(entry.text, {
        headingOffset: 2,
        idPrefix: 'md-',
        resolveLink: (href, info) => this.resolveLink(path, info),
        resolveImage: (href, alt, info) => this.resolveImage(path, alt, info),
      });
      setChildren(this.els.view, fragment);
      this.els.view.dataset.path = path;
      this.currentPage = path;
    }
    const target = anchor ? document.getElementById(`md-${anchor}`) : null;
    if (target) target.scrollIntoView({ block: 'start' });
    else if (changed && page) this.els.view.scrollIntoView({ block: 'nearest' });
    // A followed link disappeared with the old page: keep keyboard focus in the viewer.
    if (changed && (!document.activeElement || document.activeElement === document.body)) {
      this.els.view.focus({ preventScroll: true });
    }
  }

  /** The HTML page rendered from Markdown page `path`, when the index lists one. */
  htmlTwin(path) {
    if (!/\.md$/i.test(path)) return null;
    const html = path.replace(/\.md$/i, '.html');
    return this.pages().some((p) => p.path === html) ? html : null;
  }

  /**
   * A diagram of these docs (an SVG page): fetched through the API (it needs the token) and shown as a
   * data: URL, which the CSP's img-src allows; an SVG in <img> runs no script. Other images stay text.
   */
  resolveImage(from, alt, info) {
    if (info.kind !== 'relative' || !info.path) return null;
    const target = resolvePagePath(from, info.path);
    const page = target && this.pages().find((p) => p.path === target);
    if (!page || !/^image\/svg\+xml/.test(page.content_type || '')) return null;
    const img = h('img', { class: 'md-diagram', alt: alt || 'Diagram' });
    const key = `${this.index.job_id}:${target}`;
    const show = (text) => {
      img.src = `data:image/svg+xml;charset=utf-8,${encodeURIComponent(text)}`;
    };
    const cached = this.pageCache.get(key);
    if (cached) show(cached.text);
    else {
      this.api
        .get(`api/repositories/${encodeURIComponent(this.repoId)}/pages/${encodePath(target)}`, { accept: 'image/svg+xml' })
        .then((res) => {
          const text = typeof res.body === 'string' ? res.body : '';
          this.pageCache.set(key, { text, type: 'image/svg+xml' });
          show(text);
        })
        .catch(() => img.replaceWith(h('span', { class: 'md-image' }, `[diagram unavailable: ${alt || target}]`)));
    }
    return img;
  }

  /** Where a link in page `from` goes: external, another page of these docs, or nowhere. */
  resolveLink(from, info) {
    if (info.kind === 'external') return { href: info.href, external: true };
    if (info.kind === 'anchor') return { href: this.routeFor(this.repoId, from, info.fragment), external: false };
    if (info.kind !== 'relative') return null;
    if (info.path === '') return { href: this.routeFor(this.repoId, from, info.fragment), external: false };
    const target = resolvePagePath(from, info.path);
    if (!target) return null;
    const known = this.pages().map((p) => p.path);
    let page = null;
    // A link between HTML twins shows the Markdown page (the list and the routes name those).
    const md = target.replace(/\.html$/i, '.md');
    if (md !== target && known.includes(md) && this.htmlTwin(md)) page = md;
    else if (known.includes(target)) page = target;
    else if (known.includes(`${target}.md`)) page = `${target}.md`;
    else if (PAGE_EXT.test(target)) page = target;
    return page ? { href: this.routeFor(this.repoId, page, info.fragment), external: false } : null;
  }
}
