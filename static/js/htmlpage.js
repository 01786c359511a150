// Generated .html pages, as the server rendered them with cmark-gfm. The page
// is read by a small tokenizer (never by the browser's HTML parser, so no
// handler attribute is ever attached anywhere) and rebuilt element by element
// from an allow-list with createElement and text nodes. Every attribute but a
// few harmless ones is dropped; links go through the same resolver as Markdown.

import { h } from './dom.js';
import { classifyHref } from './links.js';

const ALLOWED = new Set([
  'a', 'abbr', 'b', 'blockquote', 'br', 'caption', 'code', 'dd', 'del', 'details', 'div', 'dl', 'dt', 'em',
  'figcaption', 'figure', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'hr', 'i', 'kbd', 'li', 'mark', 'ol', 'p', 'pre',
  's', 'section', 'small', 'span', 'strong', 'sub', 'summary', 'sup', 'table', 'tbody', 'td', 'tfoot', 'th',
  'thead', 'tr', 'ul',
]);
// Dropped with everything inside them.
const DROPPED = new Set([
  'script', 'style', 'template', 'iframe', 'object', 'embed', 'noscript', 'svg', 'math', 'head', 'title',
  'textarea', 'select', 'button', 'form', 'noembed', 'noframes', 'xmp', 'canvas', 'video', 'audio', 'nav',
]);
// Their content is raw text up to the closing tag.
const RAW_TEXT = new Set(['script', 'style', 'textarea', 'title', 'xmp', 'iframe', 'noembed', 'noframes', 'noscript']);
const VOID = new Set(['area', 'base', 'br', 'col', 'embed', 'hr', 'img', 'input', 'link', 'meta', 'source', 'track', 'wbr']);
const KEPT_ATTRS = new Set(['title', 'colspan', 'rowspan', 'scope', 'start', 'alt']);
const ENTITIES = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0', copy: '©', mdash: '—', ndash: '–', hellip: '…', rarr: '→', larr: '←' };

function decodeEntities(s) {
  return s.replace(/&(?:#(\d{1,7})|#[xX]([0-9a-fA-F]{1,6})|([a-zA-Z]+));/g, (m, dec, hex, name) => {
    if (name) return Object.prototype.hasOwnProperty.call(ENTITIES, name) ? ENTITIES[name] : m;
    const n = dec ? parseInt(dec, 10) : parseInt(hex, 16);
    return n > 0 && n <= 0x10ffff && !(n >= 0xd800 && n <= 0xdfff) ? String.fromCodePoint(n) : '\uFFFD';
  });
}

/** Split HTML into text, start-tag and end-tag tokens (comments and doctypes skipped). */
export function tokenizeHtml(html) {
  const tokens = [];
  const n = html.length;
  let i = 0;
  let text = '';
  const flush = () => {
    if (text) tokens.push({ type: 'text', data: decodeEntities(text) });
    text = '';
  };
  while (i < n) {
    const lt = html.indexOf('<', i);
    if (lt < 0) {
      text += html.slice(i);
      break;
    }
    text += html.slice(i, lt);
    i = lt;
    if (html.startsWith('<!--', i)) {
      const end = html.indexOf('-->', i + 4);
      i = end < 0 ? n : end + 3;
      continue;
    }
    if (html[i + 1] === '!' || html[i + 1] === '?') {
      const end = html.indexOf('>', i);
      i = end < 0 ? n : end + 1;
      continue;
    }
    const closing = html[i + 1] === '/';
    const nameStart = i + (closing ? 2 : 1);
    if (!/[a-zA-Z]/.test(html[nameStart] || '')) {
      text += '<';
      i++;
      continue;
    }
    flush();
    let j = nameStart;
    while (j < n && !/[\s/>]/.test(html[j])) j++;
    const name = html.slice(nameStart, j).toLowerCase();
    const attrs = [];
    let selfClosing = false;
    while (j < n && html[j] !== '>') {
      if (/[\s/]/.test(html[j])) {
        if (html[j] === '/' && html[j + 1] === '>') selfClosing = true;
        j++;
        continue;
      }
      let k = j;
      while (k < n && !/[\s/>=]/.test(html[k])) k++;
      if (k === j) k++; // a stray "=": skip it
      const attr = html.slice(j, k).toLowerCase();
      j = k;
      while (j < n && /\s/.test(html[j])) j++;
      let value = '';
      if (html[j] === '=') {
        j++;
        while (j < n && /\s/.test(html[j])) j++;
        const q = html[j];
        if (q === '"' || q === "'") {
          const end = html.indexOf(q, j + 1);
          value = html.slice(j + 1, end < 0 ? n : end);
          j = end < 0 ? n : end + 1;
        } else {
          const s = j;
          while (j < n && !/[\s>]/.test(html[j])) j++;
          value = html.slice(s, j);
        }
      }
      if (!closing) attrs.push([attr, decodeEntities(value)]);
    }
    i = j + 1;
    if (closing) {
      tokens.push({ type: 'end', name });
      continue;
    }
    tokens.push({ type: 'start', name, attrs, selfClosing });
    if (RAW_TEXT.has(name)) {
      const close = html.toLowerCase().indexOf(`</${name}`, i);
      const body = html.slice(i, close < 0 ? n : close);
      if (body) tokens.push({ type: 'text', data: body, raw: true });
      const end = close < 0 ? n : html.indexOf('>', close);
      i = end < 0 ? n : end + 1;
      tokens.push({ type: 'end', name });
    }
  }
  flush();
  return tokens;
}

/**
 * Render an HTML document string to a DocumentFragment of allowed nodes.
 * options: resolveLink(href, info), resolveImage(src, alt, info) and idPrefix.
 * A whole document is reduced to its <main>; navigation (the site's sidebar, breadcrumbs) is dropped, as
 * the viewer has its own.
 */
export function renderHtmlPage(source, options = {}) {
  const prefix = options.idPrefix ?? 'md-';
  const resolve = options.resolveLink || (() => null);
  const resolveImage = options.resolveImage || (() => null);
  source = String(source ?? '');
  const main = source.indexOf('<main');
  if (main >= 0) source = source.slice(main);
  const fragment = document.createDocumentFragment();
  const stack = [{ name: null, node: fragment }];
  let dropping = null; // {name, depth} while inside a dropped element
  for (const token of tokenizeHtml(source)) {
    if (dropping) {
      if (token.type === 'start' && token.name === dropping.name && !VOID.has(token.name)) dropping.depth++;
      else if (token.type === 'end' && token.name === dropping.name && --dropping.depth === 0) dropping = null;
      continue;
    }
    const parent = stack[stack.length - 1].node;
    if (token.type === 'text') {
      parent.append(document.createTextNode(token.data));
    } else if (token.type === 'start') {
      if (DROPPED.has(token.name)) {
        if (!VOID.has(token.name) && !token.selfClosing) dropping = { name: token.name, depth: 1 };
        continue;
      }
      if (token.name === 'img') {
        const attrs = new Map(token.attrs);
        const src = attrs.get('src') || '';
        const info = classifyHref(src);
        const node = info.kind === 'unsafe' ? null : resolveImage(src, attrs.get('alt') || '', info);
        if (node) parent.append(node);
        continue;
      }
      if (!ALLOWED.has(token.name)) continue; // unknown wrapper: keep its content only
      // Headings shift like the Markdown renderer's (the viewer's own headings come first).
      const heading = /^h([1-6])$/.exec(token.name);
      const name = heading ? `h${Math.min(6, Number(heading[1]) + (options.headingOffset ?? 0))}` : token.name;
      const el = document.createElement(name);
      for (const [name, value] of token.attrs) {
        if (KEPT_ATTRS.has(name)) el.setAttribute(name, value);
        else if (name === 'id' && value) el.setAttribute('id', prefix + value);
        else if (name === 'class' && /^language-[\w+#.-]+$/.test(value)) el.setAttribute('class', value);
        else if (name === 'href' && token.name === 'a') {
          const info = classifyHref(value);
          const target = info.kind === 'unsafe' ? null : resolve(value, info);
          if (target) {
            el.setAttribute('href', target.href);
            el.classList.add(target.external ? 'md-external' : 'md-internal');
            if (target.external) {
              el.setAttribute('rel', 'noopener noreferrer');
              el.setAttribute('target', '_blank');
            }
          }
        }
      }
      if (token.name === 'table') {
        // Wide tables scroll in their own region, as the Markdown renderer's do, instead of widening the page.
        parent.append(h('div', { class: 'md-table-wrap', tabindex: 0, role: 'region', 'aria-label': 'Table' }, [el]));
      } else {
        parent.append(el);
      }
      if (!VOID.has(token.name) && !token.selfClosing) stack.push({ name: token.name, node: el });
    } else if (token.type === 'end') {
      for (let k = stack.length - 1; k > 0; k--) {
        if (stack[k].name === token.name) {
          stack.length = k;
          break;
        }
      }
    }
  }
  return fragment;
}
