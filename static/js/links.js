// What a link in a documentation page points at, decided once for the viewer: another place (http,
// https, mailto), a part of this page, a page of these docs, or a scheme the page must never follow.

/**
 * Classifies an href: {kind: 'external'|'anchor'|'relative'|'unsafe', href, path?, fragment?}.
 * Browsers drop ASCII whitespace and controls inside a scheme ("java\tscript:"), so the scheme is read
 * as they read it.
 */
export function classifyHref(raw) {
  const href = String(raw ?? '').trim();
  const probe = href.replace(/[\u0000-\u0020\u007f-\u009f]/g, '');
  const scheme = /^([a-zA-Z][a-zA-Z0-9+.-]*):/.exec(probe);
  if (scheme) {
    const s = scheme[1].toLowerCase();
    return s === 'http' || s === 'https' || s === 'mailto' ? { kind: 'external', href } : { kind: 'unsafe', href };
  }
  if (/^[\\/]{2}/.test(probe)) return { kind: 'external', href };
  if (probe === '') return { kind: 'unsafe', href };
  if (probe.startsWith('#')) return { kind: 'anchor', href, fragment: decodeSafe(href.slice(1)) };
  const hash = href.indexOf('#');
  const path = hash >= 0 ? href.slice(0, hash) : href;
  const fragment = hash >= 0 ? decodeSafe(href.slice(hash + 1)) : '';
  return { kind: 'relative', href, path: path.split('?')[0], fragment };
}

function decodeSafe(s) {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
