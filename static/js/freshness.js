// Which commit the documentation shown is of, and whether a newer one of its branch is known (from a push
// webhook or `scribe poll`): the line under the documentation's heading.

import { h, setChildren } from './dom.js';

const SHORT = 7;

function short(commit) {
  return typeof commit === 'string' && /^[0-9a-f]{7,40}$/i.test(commit) ? commit.slice(0, SHORT) : null;
}

/** Fills `el` from a docs index (GET …/pages): the documented commit and, when stale, the newer one. */
export function showFreshness(el, index) {
  if (!el) return;
  const documented = index ? short(index.docs_commit || index.commit) : null;
  const newer = index && index.stale ? short(index.newer_commit) : null;
  if (!documented) {
    setChildren(el);
    el.hidden = true;
    return;
  }
  const parts = [h('span', { class: 'docs-commit' }, 'documents commit ', h('code', null, documented))];
  if (newer) parts.push(' · ', h('strong', { class: 'docs-newer' }, 'a newer commit exists (', h('code', null, newer), ')'));
  setChildren(el, parts);
  el.className = newer ? 'docs-freshness small alert alert-warning' : 'docs-freshness small muted';
  el.hidden = false;
}
