// A small, safe Markdown renderer: CommonMark's common subset plus GFM tables,
// strikethrough, task lists and autolinks. It parses into blocks, then builds
// DOM nodes with createElement and text nodes only; no string of the document
// is ever parsed as HTML (raw HTML in the source is shown as text).

const ESCAPABLE = '!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~';

const RE = {
  fence: /^( {0,3})(`{3,}|~{3,})[ \t]*(.*)$/,
  fenceClose: /^ {0,3}(`{3,}|~{3,})[ \t]*$/,
  atx: /^ {0,3}(#{1,6})(?:[ \t]+(.*)|[ \t]*)$/,
  hr: /^ {0,3}(?:(?:-[ \t]*){3,}|(?:\*[ \t]*){3,}|(?:_[ \t]*){3,})$/,
  quote: /^ {0,3}> ?/,
  item: /^( {0,3})([-+*]|\d{1,9}[.)])(?:([ \t]+)(.*))?$/,
  setext: /^ {0,3}(?:=+|-+)[ \t]*$/,
  def: /^ {0,3}\[([^\]]+)\]:[ \t]*<?([^\s>]+)>?(?:[ \t]+(?:"([^"]*)"|'([^']*)'|\(([^)]*)\)))?[ \t]*$/,
  tableDelim: /^ {0,3}\|?[ \t]*:?-+:?[ \t]*(?:\|[ \t]*:?-+:?[ \t]*)*\|?[ \t]*$/,
  task: /^\[([ xX])\][ \t]+/,
};

const isBlank = (line) => /^[ \t]*$/.test(line);
const indentOf = (line) => line.length - line.replace(/^ +/, '').length;
const normLabel = (label) => label.trim().replace(/\s+/g, ' ').toLowerCase();

function expandTabs(line) {
  if (!line.includes('\t')) return line;
  let out = '';
  for (const ch of line) {
    if (ch === '\t') out += ' '.repeat(4 - (out.length % 4));
    else out += ch;
  }
  return out;
}

function matchFence(line) {
  const m = RE.fence.exec(line);
  if (!m) return null;
  if (m[2][0] === '`' && m[3].includes('`')) return null;
  return { indent: m[1].length, fence: m[2], info: m[3].trim() };
}

function listItem(line) {
  if (RE.hr.test(line)) return null;
  const m = RE.item.exec(line);
  if (!m) return null;
  const ordered = /\d/.test(m[2]);
  return {
    indent: m[1].length,
    marker: m[2],
    ordered,
    kind: ordered ? m[2].slice(-1) : m[2],
    start: ordered ? parseInt(m[2], 10) : null,
    spaces: m[3] ? m[3].length : 0,
    rest: m[4] ?? '',
  };
}

/** Does this line start a block that interrupts a paragraph? */
function startsBlock(line) {
  if (matchFence(line) || RE.atx.test(line) || RE.hr.test(line) || RE.quote.test(line)) return true;
  const item = listItem(line);
  return !!(item && !isBlank(item.rest) && (!item.ordered || item.start === 1));
}

function splitRow(line) {
  let s = line.trim();
  if (s.startsWith('|')) s = s.slice(1);
  if (s.endsWith('|') && !s.endsWith('\\|')) s = s.slice(0, -1);
  const cells = [];
  let cur = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === '\\' && s[i + 1] === '|') {
      cur += '|';
      i++;
    } else if (c === '\\' && i + 1 < s.length) {
      cur += c + s[i + 1];
      i++;
    } else if (c === '`') {
      // Pipes inside a code span stay in the cell (kinder to code signatures).
      let run = 1;
      while (s[i + run] === '`') run++;
      const close = s.indexOf('`'.repeat(run), i + run);
      if (close >= 0) {
        cur += s.slice(i, close + run);
        i = close + run - 1;
      } else {
        cur += '`'.repeat(run);
        i += run - 1;
      }
    } else if (c === '|') {
      cells.push(cur.trim());
      cur = '';
    } else cur += c;
  }
  cells.push(cur.trim());
  return cells;
}

function isTableStart(lines, i) {
  if (i + 1 >= lines.length) return false;
  const head = lines[i];
  const delim = lines[i + 1];
  if (!head.includes('|') || !delim.includes('|') || !RE.tableDelim.test(delim)) return false;
  return splitRow(head).length === splitRow(delim).length;
}

function parseTable(lines, i) {
  const header = splitRow(lines[i]);
  const align = splitRow(lines[i + 1]).map((cell) => {
    const left = cell.startsWith(':');
    const right = cell.endsWith(':');
    return left && right ? 'center' : right ? 'right' : left ? 'left' : null;
  });
  const rows = [];
  let j = i + 2;
  while (j < lines.length && !isBlank(lines[j]) && !startsBlock(lines[j])) {
    const cells = splitRow(lines[j]);
    rows.push(header.map((_, k) => cells[k] ?? ''));
    j++;
  }
  return { block: { type: 'table', header, align, rows }, next: j };
}

function parseList(lines, start, refs) {
  const first = listItem(lines[start]);
  const items = [];
  let loose = false;
  let i = start;
  const n = lines.length;
  while (i < n) {
    const item = listItem(lines[i]);
    if (!item || item.ordered !== first.ordered || item.kind !== first.kind) break;
    const width = item.indent + item.marker.length + (item.spaces >= 1 && item.spaces <= 4 ? item.spaces : 1);
    const content = [item.spaces > 4 ? ' '.repeat(item.spaces - 1) + item.rest : item.rest];
    i++;
    while (i < n) {
      const line = lines[i];
      if (isBlank(line)) {
        let j = i;
        while (j < n && isBlank(lines[j])) j++;
        if (j < n && indentOf(lines[j]) >= width && content.some((c) => !isBlank(c))) {
          for (; i < j; i++) content.push('');
          continue;
        }
        break;
      }
      if (indentOf(line) >= width) {
        content.push(line.slice(width));
        i++;
        continue;
      }
      // Lazy continuation of the item's paragraph.
      if (!isBlank(content[content.length - 1]) && !startsBlock(line) && !listItem(line)) {
        content.push(line);
        i++;
        continue;
      }
      break;
    }
    // A blank line between two blocks of one item makes the list loose.
    for (let k = 1; k < content.length - 1; k++) {
      if (isBlank(content[k]) && !isBlank(content[k + 1]) && !listItem(content[k + 1])) loose = true;
    }
    items.push(parseBlocks(content, refs));
    let j = i;
    while (j < n && isBlank(lines[j])) j++;
    if (j === i) continue;
    const next = j < n ? listItem(lines[j]) : null;
    if (next && next.ordered === first.ordered && next.kind === first.kind) {
      loose = true;
      i = j;
      continue;
    }
    break;
  }
  return { block: { type: 'list', ordered: first.ordered, start: first.start, loose, items }, next: i };
}

function parseBlocks(lines, refs) {
  const blocks = [];
  const n = lines.length;
  let i = 0;
  while (i < n) {
    const line = lines[i];
    if (isBlank(line)) {
      i++;
      continue;
    }
    const fence = matchFence(line);
    if (fence) {
      const body = [];
      i++;
      while (i < n) {
        const close = RE.fenceClose.exec(lines[i]);
        if (close && close[1][0] === fence.fence[0] && close[1].length >= fence.fence.length) {
          i++;
          break;
        }
        const l = lines[i];
        body.push(l.slice(Math.min(fence.indent, indentOf(l))));
        i++;
      }
      blocks.push({ type: 'code', lang: fence.info.split(/\s+/)[0] || '', text: body.join('\n') });
      continue;
    }
    let m = RE.atx.exec(line);
    if (m) {
      const text = (m[2] || '').replace(/(?:^|[ \t]+)#+[ \t]*$/, '').trim();
      blocks.push({ type: 'heading', level: m[1].length, text });
      i++;
      continue;
    }
    if (RE.hr.test(line)) {
      blocks.push({ type: 'hr' });
      i++;
      continue;
    }
    if (RE.quote.test(line)) {
      const inner = [];
      while (i < n && !isBlank(lines[i])) {
        if (RE.quote.test(lines[i])) inner.push(lines[i].replace(RE.quote, ''));
        else if (inner.length && !startsBlock(lines[i])) inner.push(lines[i]);
        else break;
        i++;
      }
      blocks.push({ type: 'blockquote', children: parseBlocks(inner, refs) });
      continue;
    }
    if (listItem(line)) {
      const r = parseList(lines, i, refs);
      blocks.push(r.block);
      i = r.next;
      continue;
    }
    if (indentOf(line) >= 4) {
      const body = [];
      while (i < n && (isBlank(lines[i]) || indentOf(lines[i]) >= 4)) body.push(lines[i++].slice(4));
      while (body.length && isBlank(body[body.length - 1])) body.pop();
      blocks.push({ type: 'code', lang: '', text: body.join('\n') });
      continue;
    }
    if (isTableStart(lines, i)) {
      const r = parseTable(lines, i);
      blocks.push(r.block);
      i = r.next;
      continue;
    }
    const start = i;
    const para = [];
    while (i < n && !isBlank(lines[i])) {
      const l = lines[i];
      if (para.length === 0 && (m = RE.def.exec(l))) {
        const label = normLabel(m[1]);
        if (!refs.has(label)) refs.set(label, { href: m[2], title: m[3] ?? m[4] ?? m[5] ?? null });
        i++;
        continue;
      }
      if (para.length && RE.setext.test(l)) {
        blocks.push({ type: 'heading', level: l.trim()[0] === '=' ? 1 : 2, text: para.join('\n').trim() });
        para.length = 0;
        i++;
        break;
      }
      if (i !== start && (startsBlock(l) || isTableStart(lines, i))) break;
      para.push(l.replace(/^[ \t]+/, ''));
      i++;
    }
    if (para.length) blocks.push({ type: 'paragraph', text: para.join('\n').replace(/[ \t]+$/, '') });
  }
  return blocks;
}

/** Parse Markdown source into {blocks, refs}; exported for tests. */
export function parseMarkdown(source) {
  const lines = String(source ?? '')
    .replace(/\r\n?/g, '\n')
    .replace(/\u0000/g, '\uFFFD')
    .split('\n')
    .map(expandTabs);
  const refs = new Map();
  return { blocks: parseBlocks(lines, refs), refs };
}

/**
 * Classify a link target. Only http, https and mailto leave the viewer;
 * every other scheme (javascript:, data:, vbscript:, file:...) is "unsafe".
 */
export function classifyHref(raw) {
  const href = String(raw ?? '').trim();
  // Browsers drop ASCII whitespace and controls inside a scheme ("java\tscript:").
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

/** GitHub-style heading slug ("API Reference" -> "api-reference"). */
export function slugify(text) {
  return String(text)
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

// ---------------------------------------------------------------- rendering

function el(tag, attrs, children) {
  const node = document.createElement(tag);
  if (attrs) {
    for (const [k, v] of Object.entries(attrs)) {
      if (v !== null && v !== undefined && v !== false) node.setAttribute(k, v === true ? '' : String(v));
    }
  }
  if (children) for (const c of children) node.append(c);
  return node;
}

const ENTITY = /&(?:#(\d{1,7})|#[xX]([0-9a-fA-F]{1,6})|(amp|lt|gt|quot|apos|nbsp|copy|mdash|ndash|hellip|rarr|larr));/y;
const NAMED = {
  amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0', copy: '©',
  mdash: '—', ndash: '–', hellip: '…', rarr: '→', larr: '←',
};
const AUTOLINK_ANGLE = /<([a-zA-Z][a-zA-Z0-9+.-]{1,31}:[^\s<>]*)>/y;
const AUTOLINK_EMAIL = /<([a-zA-Z0-9.!#$%&'*+/=?^_`{|}~-]+@[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*)>/y;
const AUTOLINK_BARE = /(?:https?:\/\/|www\.)[^\s<]+/y;

function codePoint(n) {
  return n > 0 && n <= 0x10ffff && !(n >= 0xd800 && n <= 0xdfff) ? String.fromCodePoint(n) : '\uFFFD';
}

function runLength(text, i, ch) {
  let r = 0;
  while (text[i + r] === ch) r++;
  return r;
}

/** Index of the backtick run of exactly `run` that closes a code span, or -1. */
function findCodeClose(text, from, run) {
  let j = from;
  while (j < text.length) {
    const k = text.indexOf('`', j);
    if (k < 0) return -1;
    const r = runLength(text, k, '`');
    if (r === run) return k;
    j = k + r;
  }
  return -1;
}

/** Where an emphasis opened at `start` with `delim` closes, or -1. */
function findEmphasisClose(text, start, delim) {
  const ch = delim[0];
  let j = start;
  while (j < text.length) {
    const c = text[j];
    if (c === '\\') {
      j += 2;
      continue;
    }
    if (c === '`') {
      const r = runLength(text, j, '`');
      const close = findCodeClose(text, j + r, r);
      j = close >= 0 ? close + r : j + r;
      continue;
    }
    if (c !== ch) {
      j++;
      continue;
    }
    const r = runLength(text, j, ch);
    let pos = -1;
    if (delim.length === 2 && r >= 2) pos = j + r - 2;
    else if (delim.length === 1 && r % 2 === 1) pos = j + r - 1;
    if (pos > start && !/\s/.test(text[pos - 1])) {
      const after = text[pos + delim.length];
      if (ch !== '_' || !after || !/[\p{L}\p{N}]/u.test(after)) return pos;
    }
    j += r;
  }
  return -1;
}

function parseLinkAt(text, i, ctx) {
  let depth = 0;
  let j = i;
  for (; j < text.length; j++) {
    const ch = text[j];
    if (ch === '\\') {
      j++;
      continue;
    }
    if (ch === '`') {
      const r = runLength(text, j, '`');
      const close = findCodeClose(text, j + r, r);
      j = (close >= 0 ? close + r : j + r) - 1;
      continue;
    }
    if (ch === '[') depth++;
    else if (ch === ']' && --depth === 0) break;
  }
  if (j >= text.length) return null;
  const label = text.slice(i + 1, j);
  let k = j + 1;
  if (text[k] === '(') {
    k++;
    while (text[k] === ' ' || text[k] === '\n') k++;
    let dest;
    if (text[k] === '<') {
      const close = text.indexOf('>', k);
      if (close < 0 || text.slice(k, close).includes('\n')) return null;
      dest = text.slice(k + 1, close);
      k = close + 1;
    } else {
      const s = k;
      let parens = 0;
      while (k < text.length) {
        const ch = text[k];
        if (ch === '\\' && k + 1 < text.length) {
          k += 2;
          continue;
        }
        if (/\s/.test(ch)) break;
        if (ch === '(') parens++;
        else if (ch === ')') {
          if (parens === 0) break;
          parens--;
        }
        k++;
      }
      dest = text.slice(s, k);
    }
    while (text[k] === ' ' || text[k] === '\n') k++;
    let title = null;
    if (text[k] === '"' || text[k] === "'" || text[k] === '(') {
      const closeCh = text[k] === '(' ? ')' : text[k];
      const e = text.indexOf(closeCh, k + 1);
      if (e < 0) return null;
      title = text.slice(k + 1, e);
      k = e + 1;
      while (text[k] === ' ' || text[k] === '\n') k++;
    }
    if (text[k] !== ')') return null;
    return { label, href: dest.replace(/\\([!-/:-@[-`{-~])/g, '$1'), title, end: k + 1 };
  }
  if (text[k] === '[') {
    const e = text.indexOf(']', k + 1);
    if (e >= 0) {
      const def = ctx.refs.get(normLabel(text.slice(k + 1, e) || label));
      if (def) return { label, href: def.href, title: def.title, end: e + 1 };
    }
  }
  const def = ctx.refs.get(normLabel(label));
  return def ? { label, href: def.href, title: def.title, end: j + 1 } : null;
}

function renderLink(href, title, children, ctx) {
  const target = ctx.resolveLink(href, classifyHref(href));
  if (!target) {
    return el('span', { class: 'md-link-unavailable', title: title || href }, children);
  }
  const a = el('a', { href: target.href, title }, children);
  if (target.external) {
    a.setAttribute('rel', 'noopener noreferrer');
    a.setAttribute('target', '_blank');
    a.classList.add('md-external');
  } else {
    a.classList.add('md-internal');
  }
  return a;
}

function parseInline(text, ctx, inLink = false) {
  const out = [];
  let buf = '';
  const flush = () => {
    if (buf) out.push(document.createTextNode(buf));
    buf = '';
  };
  const n = text.length;
  let i = 0;
  while (i < n) {
    const c = text[i];
    if (c === '\\') {
      const next = text[i + 1];
      if (next === '\n') {
        flush();
        out.push(el('br'));
        i += 2;
        continue;
      }
      if (next !== undefined && ESCAPABLE.includes(next)) {
        buf += next;
        i += 2;
        continue;
      }
      buf += c;
      i++;
      continue;
    }
    if (c === '`') {
      const run = runLength(text, i, '`');
      const close = findCodeClose(text, i + run, run);
      if (close >= 0) {
        let code = text.slice(i + run, close).replace(/\n/g, ' ');
        if (code.length > 2 && code[0] === ' ' && code[code.length - 1] === ' ' && code.trim()) code = code.slice(1, -1);
        flush();
        out.push(el('code', null, [code]));
        i = close + run;
      } else {
        buf += '`'.repeat(run);
        i += run;
      }
      continue;
    }
    if (c === '\n') {
      const hard = / {2,}$/.test(buf);
      buf = buf.replace(/ +$/, '');
      if (hard) {
        flush();
        out.push(el('br'));
      } else buf += '\n';
      i++;
      continue;
    }
    if (c === '&') {
      ENTITY.lastIndex = i;
      const m = ENTITY.exec(text);
      if (m) {
        buf += m[1] ? codePoint(parseInt(m[1], 10)) : m[2] ? codePoint(parseInt(m[2], 16)) : NAMED[m[3]];
        i = ENTITY.lastIndex;
        continue;
      }
    }
    if (c === '!' && text[i + 1] === '[') {
      const link = parseLinkAt(text, i + 1, ctx);
      if (link) {
        flush();
        const image = ctx.resolveImage ? ctx.resolveImage(link.href, link.label || '', classifyHref(link.href)) : null;
        out.push(image || el('span', { class: 'md-image', title: link.href }, [`[image: ${link.label || link.href}]`]));
        i = link.end;
        continue;
      }
    }
    if (c === '[' && !inLink) {
      const link = parseLinkAt(text, i, ctx);
      if (link) {
        flush();
        out.push(renderLink(link.href, link.title, parseInline(link.label, ctx, true), ctx));
        i = link.end;
        continue;
      }
    }
    if (c === '<' && !inLink) {
      AUTOLINK_ANGLE.lastIndex = i;
      let m = AUTOLINK_ANGLE.exec(text);
      let href = m && m[1];
      let end = m && AUTOLINK_ANGLE.lastIndex;
      if (!m) {
        AUTOLINK_EMAIL.lastIndex = i;
        m = AUTOLINK_EMAIL.exec(text);
        if (m) {
          href = `mailto:${m[1]}`;
          end = AUTOLINK_EMAIL.lastIndex;
        }
      }
      if (m) {
        flush();
        out.push(renderLink(href, null, [m[1]], ctx));
        i = end;
        continue;
      }
    }
    if ((c === 'h' || c === 'w') && !inLink && (i === 0 || /[\s(*_~]/.test(text[i - 1]))) {
      AUTOLINK_BARE.lastIndex = i;
      const m = AUTOLINK_BARE.exec(text);
      if (m) {
        let url = m[0].replace(/[?!.,:*_~'";]+$/, '');
        // Keep a closing parenthesis only when it is balanced inside the URL.
        while (url.endsWith(')') && (url.match(/\)/g) || []).length > (url.match(/\(/g) || []).length) {
          url = url.slice(0, -1);
        }
        if (url.length > 'www.'.length + 1) {
          flush();
          out.push(renderLink(url.startsWith('www.') ? `https://${url}` : url, null, [url], ctx));
          i += url.length;
          continue;
        }
      }
    }
    if (c === '~' && text[i + 1] === '~' && text[i + 2] !== '~') {
      const close = text.indexOf('~~', i + 2);
      if (close > i + 2 && !/\s/.test(text[i + 2]) && !/\s/.test(text[close - 1])) {
        flush();
        out.push(el('del', null, parseInline(text.slice(i + 2, close), ctx, inLink)));
        i = close + 2;
        continue;
      }
    }
    if (c === '*' || c === '_') {
      const prevWord = i > 0 && /[\p{L}\p{N}]/u.test(text[i - 1]);
      const double = text[i + 1] === c;
      let done = false;
      for (const delim of double ? [c + c, c] : [c]) {
        const start = i + delim.length;
        if (start >= n || /\s/.test(text[start]) || (c === '_' && prevWord)) continue;
        const close = findEmphasisClose(text, start, delim);
        if (close < 0) continue;
        flush();
        out.push(el(delim.length === 2 ? 'strong' : 'em', null, parseInline(text.slice(start, close), ctx, inLink)));
        i = close + delim.length;
        done = true;
        break;
      }
      if (done) continue;
      const run = runLength(text, i, c);
      buf += c.repeat(run);
      i += run;
      continue;
    }
    buf += c;
    i++;
  }
  flush();
  return out;
}

function plainText(nodes) {
  return nodes.map((n) => n.textContent).join('');
}

function renderBlocks(blocks, ctx, tight = false) {
  const out = [];
  for (const block of blocks) {
    switch (block.type) {
      case 'heading': {
        const children = parseInline(block.text, ctx);
        const base = slugify(plainText(children)) || 'section';
        const count = ctx.slugs.get(base) || 0;
        ctx.slugs.set(base, count + 1);
        const slug = count ? `${base}-${count}` : base;
        const level = Math.min(6, block.level + ctx.headingOffset);
        out.push(el(`h${level}`, { id: ctx.idPrefix + slug, class: `md-h${block.level}` }, children));
        break;
      }
      case 'paragraph': {
        const children = parseInline(block.text, ctx);
        if (tight) out.push(...children);
        else out.push(el('p', null, children));
        break;
      }
      case 'code': {
        const lang = block.lang.replace(/[^\w+#.-]/g, '').slice(0, 40);
        const code = el('code', lang ? { class: `language-${lang}` } : null, [block.text]);
        const pre = el('pre', lang ? { 'data-lang': lang } : null, [code]);
        if (lang.toLowerCase() === 'mermaid') {
          // Hook: a diagram renderer can replace this figure later; for now the source is shown.
          out.push(el('figure', { class: 'md-mermaid' }, [el('figcaption', null, ['Diagram (Mermaid source)']), pre]));
        } else out.push(pre);
        break;
      }
      case 'hr':
        out.push(el('hr'));
        break;
      case 'blockquote':
        out.push(el('blockquote', null, renderBlocks(block.children, ctx)));
        break;
      case 'list': {
        const attrs = block.ordered && block.start !== 1 ? { start: block.start } : null;
        const list = el(block.ordered ? 'ol' : 'ul', attrs);
        for (const item of block.items) {
          const li = el('li');
          let blocks = item;
          const first = item[0];
          if (first && first.type === 'paragraph' && RE.task.test(first.text)) {
            const checked = RE.task.exec(first.text)[1] !== ' ';
            blocks = [{ ...first, text: first.text.replace(RE.task, '') }, ...item.slice(1)];
            li.classList.add('md-task');
            li.append(el('input', { type: 'checkbox', disabled: true, checked, 'aria-label': checked ? 'done' : 'not done' }), ' ');
            list.classList.add('md-task-list');
          }
          li.append(...renderBlocks(blocks, ctx, !block.loose));
          list.append(li);
        }
        out.push(list);
        break;
      }
      case 'table': {
        const cellAttrs = (k) => (block.align[k] ? { class: `align-${block.align[k]}` } : null);
        const head = el('tr', null, block.header.map((cell, k) => el('th', { scope: 'col', ...cellAttrs(k) }, parseInline(cell, ctx))));
        const body = block.rows.map((row) => el('tr', null, row.map((cell, k) => el('td', cellAttrs(k), parseInline(cell, ctx)))));
        const table = el('table', null, [el('thead', null, [head]), el('tbody', null, body)]);
        out.push(el('div', { class: 'md-table-wrap', tabindex: 0, role: 'region', 'aria-label': 'Table' }, [table]));
        break;
      }
      default:
        break;
    }
  }
  return out;
}

function defaultResolve(href, info) {
  if (info.kind === 'external') return { href: info.href, external: true };
  if (info.kind === 'anchor') return { href: info.href, external: false };
  if (info.kind === 'relative') return { href: info.href, external: false };
  return null;
}

/**
 * Render Markdown to a DocumentFragment.
 * options.resolveLink(href, info) -> {href, external} | null decides where a
 * link goes (null renders its text without a link); info is classifyHref(href).
 * options.headingOffset shifts heading levels (h1 -> h(1+offset)).
 * options.idPrefix prefixes heading ids so they cannot clash with the page's own.
 * options.resolveImage(href, alt, info) -> Element | null shows an image (null: a text placeholder).
 */
export function renderMarkdown(source, options = {}) {
  const { blocks, refs } = parseMarkdown(source);
  const ctx = {
    refs,
    resolveLink: (href, info) => (info.kind === 'unsafe' ? null : (options.resolveLink || defaultResolve)(href, info)),
    headingOffset: options.headingOffset ?? 0,
    idPrefix: options.idPrefix ?? 'md-',
    resolveImage: options.resolveImage || null,
    slugs: new Map(),
  };
  const fragment = document.createDocumentFragment();
  fragment.append(...renderBlocks(blocks, ctx));
  return fragment;
}
