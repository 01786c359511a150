// The repositories view: the list (newest first, paged, searched on the server), its quiet refresh and
// registering a repository. It owns the repositories this page has loaded; the selected repository's
// panel reads them through get() and is told when a refresh brings news (onLoaded).

import { ApiError } from './api.js';
import { h, setChildren, setText } from './dom.js';
import { badgeClass, repoStatusLabel } from './format.js';
import { repoName, routeFor } from './routes.js';

const REFRESH_MS = 20000;
// Repositories per page of the list; the server keeps every page this cheap whatever the organisation's size.
const PAGE = 50;
// Typing in the search box waits this long for the next key before asking the server.
const SEARCH_DELAY_MS = 250;

export class RepositoriesView {
  /**
   * els: {list, status, refresh, search, searchForm, more, registerForm, url, branch, registerError, registerButton}.
   * hooks: active() (signed in), selectedId(), decorate(repo) (the freshest copy of a listed repository),
   * onLoaded() (after each load), announce(text).
   */
  constructor(api, els, hooks) {
    this.api = api;
    this.els = els;
    this.hooks = hooks;
    this.repos = new Map(); // id -> repository, in the server's order: the pages loaded so far
    this.next = null; // the cursor of the next page, or null
    this.query = ''; // the search the list shows
    this.seq = 0; // the latest list request; older answers are dropped
    this.refreshTimer = null;
    this.searchTimer = null;
  }

  wire() {
    const els = this.els;
    els.registerForm.addEventListener('submit', (e) => this.register(e));
    els.refresh.addEventListener('click', () => this.load());
    els.more.addEventListener('click', () => this.loadMore());
    els.search.addEventListener('input', () => this.search());
    els.searchForm.addEventListener('submit', (e) => {
      e.preventDefault();
      this.search({ now: true });
    });
  }

  get(id) {
    return this.repos.get(id);
  }

  set(repo) {
    this.repos.set(repo.id, repo);
  }

  /** Forget everything (signing out). */
  clear() {
    clearTimeout(this.refreshTimer);
    clearTimeout(this.searchTimer);
    this.repos.clear();
    this.next = null;
    this.query = '';
    this.els.search.value = '';
    setChildren(this.els.list);
  }

  renderItem(repo) {
    let li = this.els.list.querySelector(`li[data-id="${CSS.escape(repo.id)}"]`);
    if (!li) {
      const name = h('span', { class: 'repo-name' });
      const sub = h('span', { class: 'repo-sub mono' });
      const badge = h('span', { class: 'badge' });
      const link = h('a', { class: 'repo-link', href: routeFor(repo.id) }, h('span', { class: 'repo-text' }, name, sub), badge);
      li = h('li', { dataset: { id: repo.id } }, link);
      this.els.list.append(li);
    }
    const link = li.firstElementChild;
    setText(link.querySelector('.repo-name'), repoName(repo));
    setText(link.querySelector('.repo-sub'), `${repo.branch || 'default branch'}`);
    const badge = link.querySelector('.badge');
    badge.className = badgeClass(repo.status);
    setText(badge, repoStatusLabel(repo.status));
    link.title = repo.url || '';
    if (repo.id === this.hooks.selectedId()) link.setAttribute('aria-current', 'true');
    else link.removeAttribute('aria-current');
    return li;
  }

  markSelected() {
    const selected = this.hooks.selectedId();
    for (const link of this.els.list.querySelectorAll('a.repo-link')) {
      if (link.parentElement.dataset.id === selected) link.setAttribute('aria-current', 'true');
      else link.removeAttribute('aria-current');
    }
  }

  renderList() {
    const ids = new Set(this.repos.keys());
    for (const li of [...this.els.list.children]) if (!ids.has(li.dataset.id)) li.remove();
    // Update in place and keep the server's order without recreating nodes (focus stays put).
    let prev = null;
    for (const repo of this.repos.values()) {
      const li = this.renderItem(repo);
      const expected = prev ? prev.nextElementSibling : this.els.list.firstElementChild;
      if (expected !== li) this.els.list.insertBefore(li, expected);
      prev = li;
    }
  }

  url(limit, after) {
    // Newest first: a repository registered from anywhere shows up at the top of the first page.
    let url = `api/repositories?order=newest&limit=${limit}`;
    if (this.query) url += `&q=${encodeURIComponent(this.query)}`;
    if (after) url += `&after=${encodeURIComponent(after)}`;
    return url;
  }

  showStatus() {
    this.els.more.hidden = !this.next;
    let text = '';
    if (!this.repos.size) text = this.query ? 'No repository matches the search.' : 'No repositories yet. Register one below.';
    setText(this.els.status, text);
  }

  /**
   * The first page of repositories (with the search), or on a quiet refresh as many as are shown (up to the
   * server's maximum page), so a refresh neither drops the pages loaded with "Show more" nor grows unbounded.
   */
  async load({ quiet = false } = {}) {
    if (!this.hooks.active()) return;
    const seq = ++this.seq;
    if (!quiet) setText(this.els.status, 'Loading repositories…');
    const limit = quiet ? Math.min(200, Math.max(PAGE, this.repos.size)) : PAGE;
    let body;
    try {
      body = (await this.api.get(this.url(limit))).body;
    } catch (err) {
      if (seq === this.seq && !(err instanceof ApiError && err.status === 401)) {
        setText(this.els.status, `The repositories could not be loaded: ${err.message}`);
      }
      return;
    }
    if (!this.hooks.active() || seq !== this.seq) return;
    const list = Array.isArray(body?.repositories) ? body.repositories : [];
    const next = new Map();
    for (const repo of list) if (repo && repo.id) next.set(repo.id, this.merged(repo));
    if (quiet && this.repos.size > list.length && body?.next) {
      // Keep the pages beyond what this refresh read, in their order.
      for (const [id, repo] of this.repos) if (!next.has(id)) next.set(id, repo);
    } else {
      this.next = body?.next || null;
    }
    this.repos = next;
    this.renderList();
    this.showStatus();
    this.hooks.onLoaded();
  }

  /** A listed repository over what the page knew of it, with the panel's fresher job state. */
  merged(repo) {
    return { ...(this.repos.get(repo.id) || {}), ...this.hooks.decorate(repo) };
  }

  /** The next page of repositories, appended. */
  async loadMore() {
    if (!this.next) return;
    const seq = this.seq;
    this.els.more.disabled = true;
    try {
      const body = (await this.api.get(this.url(PAGE, this.next))).body;
      if (seq !== this.seq) return;
      for (const repo of body?.repositories || []) if (repo && repo.id) this.repos.set(repo.id, this.merged(repo));
      this.next = body?.next || null;
      this.renderList();
      this.showStatus();
    } catch (err) {
      setText(this.els.status, `More repositories could not be loaded: ${err.message}`);
    } finally {
      this.els.more.disabled = false;
    }
  }

  search({ now = false } = {}) {
    clearTimeout(this.searchTimer);
    const run = () => {
      const q = this.els.search.value.trim();
      if (q === this.query) return;
      this.query = q;
      this.next = null;
      this.repos = new Map();
      this.load();
    };
    if (now) run();
    else this.searchTimer = setTimeout(run, SEARCH_DELAY_MS);
  }

  scheduleRefresh() {
    clearTimeout(this.refreshTimer);
    this.refreshTimer = setTimeout(async () => {
      if (!document.hidden) await this.load({ quiet: true });
      if (this.hooks.active()) this.scheduleRefresh();
    }, REFRESH_MS);
  }

  async register(event) {
    event.preventDefault();
    const els = this.els;
    const url = els.url.value.trim();
    const branch = els.branch.value.trim();
    setText(els.registerError, '');
    els.url.removeAttribute('aria-invalid');
    if (!url) {
      setText(els.registerError, 'Enter the repository’s URL.');
      els.url.setAttribute('aria-invalid', 'true');
      els.url.focus();
      return;
    }
    els.registerButton.disabled = true;
    try {
      const body = { url };
      if (branch) body.branch = branch;
      const repo = (await this.api.post('api/repositories', body)).body;
      els.registerForm.reset();
      if (repo && repo.id) {
        // The list is newest first: a new repository goes on top.
        if (this.repos.has(repo.id)) this.repos.set(repo.id, repo);
        else this.repos = new Map([[repo.id, repo], ...this.repos]);
        this.renderList();
        this.hooks.announce(`Registered ${repoName(repo)}.`);
        location.hash = routeFor(repo.id);
      } else await this.load({ quiet: true });
    } catch (err) {
      if (!(err instanceof ApiError && err.status === 401)) {
        setText(els.registerError, err.message);
        els.url.setAttribute('aria-invalid', 'true');
        els.url.focus();
      }
    } finally {
      els.registerButton.disabled = false;
    }
  }
}
