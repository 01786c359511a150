// Scribe's status page: sign in, repositories, generating documentation with
// live progress, the event log, job history and the documentation viewer.
// No framework and no build step; every server string goes in as text.

import { Api, ApiError } from './js/api.js';
import { DocsView } from './js/docs.js';
import { byId, h, setChildren, setText } from './js/dom.js';
import {
  ACTIVE_JOB_STATES,
  badgeClass,
  clampPercent,
  repoStatusForJob,
  repoStatusLabel,
  shortId,
} from './js/format.js';
import { EventLog, HistoryView, JobCard, JobPoller } from './js/job.js';

const REPO_REFRESH_MS = 20000;
// Repositories per page of the list; the server keeps every page this cheap whatever the organisation's size.
const REPO_PAGE = 50;
// Typing in the search box waits this long for the next key before asking the server.
const SEARCH_DELAY_MS = 250;

const api = new Api();

const els = {
  boot: byId('boot-status'),
  account: byId('account'),
  accountWho: byId('account-who'),
  signOut: byId('sign-out'),
  signinView: byId('signin-view'),
  signinForm: byId('signin-form'),
  tokenInput: byId('token-input'),
  signinError: byId('signin-error'),
  signinNote: byId('signin-note'),
  signinButton: byId('signin-button'),
  appView: byId('app-view'),
  repoList: byId('repo-list'),
  reposStatus: byId('repos-status'),
  reposRefresh: byId('repos-refresh'),
  reposSearch: byId('repos-search'),
  reposSearchForm: byId('repos-search-form'),
  reposMore: byId('repos-more'),
  registerForm: byId('register-form'),
  repoUrl: byId('repo-url'),
  repoBranch: byId('repo-branch'),
  registerError: byId('register-error'),
  registerButton: byId('register-button'),
  panelEmpty: byId('panel-empty'),
  panelError: byId('panel-error'),
  panel: byId('repo-panel'),
  repoTitle: byId('repo-title'),
  repoBadge: byId('repo-badge'),
  repoUrlText: byId('repo-url-text'),
  repoBranchText: byId('repo-branch-text'),
  generate: byId('generate-button'),
  optGenerator: byId('opt-generator'),
  optRegenerate: byId('opt-regenerate'),
  notice: byId('generate-notice'),
  jobViewing: byId('job-viewing'),
  jobBack: byId('job-back'),
  actionError: byId('job-action-error'),
  pollStatus: byId('job-poll-status'),
  announcer: byId('announcer'),
  main: byId('main'),
  skip: byId('skip-link'),
};

const jobEls = {
  card: byId('job-card'),
  title: byId('job-title'),
  badge: byId('job-badge'),
  bar: byId('job-progress'),
  fill: byId('job-progress-fill'),
  percent: byId('job-percent'),
  step: byId('job-step'),
  done: byId('job-done'),
  failed: byId('job-failed'),
  failedRow: byId('job-failed-row'),
  total: byId('job-total'),
  object: byId('job-object'),
  objectRow: byId('job-object-row'),
  eta: byId('job-eta'),
  etaRow: byId('job-eta-row'),
  attempt: byId('job-attempt'),
  attemptRow: byId('job-attempt-row'),
  started: byId('job-started'),
  finished: byId('job-finished'),
  finishedRow: byId('job-finished-row'),
  commit: byId('job-commit'),
  commitRow: byId('job-commit-row'),
  generator: byId('job-generator'),
  generatorRow: byId('job-generator-row'),
  tokens: byId('job-tokens'),
  tokensRow: byId('job-tokens-row'),
  cost: byId('job-cost'),
  costRow: byId('job-cost-row'),
  coverage: byId('job-coverage'),
  coverageRow: byId('job-coverage-row'),
  note: byId('job-note'),
  error: byId('job-error'),
  errorLabel: byId('job-error-label'),
  errorText: byId('job-error-text'),
  pause: byId('job-pause'),
  resume: byId('job-resume'),
  cancel: byId('job-cancel'),
  retry: byId('job-retry'),
  partial: byId('job-partial'),
  partialLabel: byId('job-partial-label'),
  partialList: byId('job-partial-list'),
};

const state = {
  me: null,
  repos: new Map(), // id -> repository, in the server's order: the pages loaded so far
  reposNext: null, // the cursor of the next page of repositories, or null
  reposQuery: '', // the search the list shows
  reposSeq: 0, // the latest list request; older answers are dropped
  repoId: null, // the selected repository
  latestJobId: null, // the selected repository's active or last job (followed by the poller)
  viewJobId: null, // an earlier job picked from the history, shown instead of the latest
  posting: new Set(), // repository ids with a generate request in flight (the local lock)
  seenActive: new Set(), // job ids seen queued/running/paused on this page
  selectSeq: 0,
  refreshTimer: null,
  unchangedPolls: 0,
  failedListed: null, // "job:version" whose failed modules the card lists
};

// ------------------------------------------------------------------ helpers

let announceTimer = null;
function announce(text) {
  // Clear first so that the same sentence twice is announced twice.
  clearTimeout(announceTimer);
  els.announcer.textContent = '';
  announceTimer = setTimeout(() => {
    els.announcer.textContent = text;
  }, 60);
}

function routeFor(repoId, page, anchor) {
  const base = `#/r/${encodeURIComponent(repoId)}`;
  const q = new URLSearchParams();
  if (page) q.set('page', page);
  if (anchor) q.set('h', anchor);
  const qs = q.toString();
  return qs ? `${base}?${qs}` : base;
}

function parseRoute() {
  const m = /^#\/r\/([^?]+)(?:\?(.*))?$/.exec(location.hash);
  if (!m) return {};
  try {
    const q = new URLSearchParams(m[2] || '');
    return { repoId: decodeURIComponent(m[1]), page: q.get('page'), anchor: q.get('h') };
  } catch {
    return {};
  }
}

function repoName(repo) {
  if (!repo) return '';
  if (repo.name) return String(repo.name);
  const url = String(repo.url || '');
  return url.replace(/\/+$/, '').split('/').pop().replace(/\.git$/, '') || url;
}

function showNotice(text, kind = 'info') {
  setText(els.notice, text);
  els.notice.className = `notice notice-${kind}`;
  els.notice.hidden = !text;
}

function followedJob() {
  return poller.job && poller.jobId === poller.job.id ? poller.job : null;
}

/** The id of the repository's active job as far as this page knows, or null. */
function activeJobOf(repoId) {
  const job = followedJob();
  if (job && job.repository_id === repoId) return ACTIVE_JOB_STATES.has(job.status) ? job.id : null;
  const repo = state.repos.get(repoId);
  if (!repo) return null;
  if (repo.active_job_id) return repo.active_job_id;
  return ['queued', 'generating', 'running', 'paused'].includes(repo.status) ? 'unknown' : null;
}

function updateGenerateButton() {
  const id = state.repoId;
  const busy = !id || state.posting.has(id) || !!activeJobOf(id);
  els.generate.disabled = busy;
  els.generate.title = busy && id ? 'A documentation job is already active for this repository.' : '';
}

// --------------------------------------------------------------- components

const card = new JobCard(jobEls, announce);
const events = new EventLog(api, byId('event-log'), byId('events-status'));
const history = new HistoryView(
  api,
  { table: byId('history-table'), body: byId('history-body'), status: byId('history-status'), older: byId('history-older') },
  (jobId) => viewJob(jobId),
);
const docs = new DocsView(
  api,
  { status: byId('docs-status'), meta: byId('docs-meta'), list: byId('docs-nav'), view: byId('doc-view') },
  routeFor,
);
const poller = new JobPoller(api, { onUpdate: onJobUpdate, onEnd: onJobEnd, onError: onPollError });

function displayedJobId() {
  return state.viewJobId || state.latestJobId;
}

function onJobUpdate(job, changed) {
  if (!job || job.repository_id !== state.repoId) return;
  const active = ACTIVE_JOB_STATES.has(job.status);
  if (active) state.seenActive.add(job.id);
  const repo = state.repos.get(job.repository_id);
  if (repo && job.id === state.latestJobId) {
    const status = repoStatusForJob(job.status);
    const statusChanged = repo.status !== status;
    repo.status = status;
    repo.active_job_id = active ? job.id : null;
    repo.progress = job.progress;
    if (statusChanged) {
      renderRepoItem(repo);
      renderRepoHead(repo);
      history.upsert(job);
    }
  }
  if (job.id === displayedJobId()) {
    card.update(job, { title: jobTitle(job) });
    if (job.partial && state.failedListed !== `${job.id}:${job.version}`) {
      state.failedListed = `${job.id}:${job.version}`;
      api
        .get(`api/documentation/jobs/${encodeURIComponent(job.id)}/objects`)
        .then((res) => card.showFailedModules(job.id, (res.body && res.body.objects) || []))
        .catch(() => {}); // the event log names them too
    }
    history.setCurrent(job.id);
    if (changed) {
      state.unchangedPolls = 0;
      events.fetch();
    } else if (++state.unchangedPolls % 6 === 0) {
      events.fetch(); // events without a job change are rare; look now and then
    }
  }
  setText(els.pollStatus, active ? 'Live: checking for progress every 5 seconds (every 30 while this tab is hidden).' : '');
  document.title = active ? `${clampPercent(job.progress)}% · ${repoName(repo)} · Scribe` : `${repoName(repo) || 'Scribe'} · Scribe`;
  updateGenerateButton();
}

function onJobEnd(job) {
  if (!job || job.repository_id !== state.repoId) return;
  updateGenerateButton();
  const endedHere = state.seenActive.has(job.id);
  if (!endedHere) return; // a job that had ended before the page looked at it
  state.seenActive.delete(job.id);
  setText(els.pollStatus, '');
  showNotice('', 'info');
  if (job.id === displayedJobId()) events.fetch();
  history.load(job.repository_id);
  if (job.status === 'completed') {
    const r = parseRoute();
    docs.load(job.repository_id, r.repoId === job.repository_id ? r.page : null, null, { force: true });
  }
  loadRepos({ quiet: true });
}

function onPollError(err, fatal) {
  if (err instanceof ApiError && err.status === 401) return;
  if (fatal && err.status === 404) setText(els.pollStatus, 'This job no longer exists.');
  else setText(els.pollStatus, `Could not check for progress (${err.message}). Trying again shortly.`);
}

function jobTitle(job) {
  if (job.id === state.latestJobId) return ACTIVE_JOB_STATES.has(job.status) ? 'Current job' : 'Latest job';
  return `Earlier job ${shortId(job.id)}`;
}

// ---------------------------------------------------------------- the panel

function renderRepoHead(repo) {
  setText(els.repoTitle, repoName(repo));
  setText(els.repoUrlText, repo.url || '');
  setText(els.repoBranchText, repo.branch || 'default');
  els.repoBadge.className = badgeClass(repo.status);
  setText(els.repoBadge, repoStatusLabel(repo.status));
}

function clearPanel() {
  poller.stop();
  card.reset();
  events.reset(null);
  history.reset();
  docs.reset();
  state.latestJobId = null;
  state.viewJobId = null;
  state.unchangedPolls = 0;
  els.jobViewing.hidden = true;
  showNotice('', 'info');
  setText(els.actionError, '');
  setText(els.pollStatus, '');
  els.panelError.hidden = true;
}

async function selectRepo(id, { focus = false } = {}) {
  const seq = ++state.selectSeq;
  clearPanel();
  state.repoId = id;
  markSelected();
  els.panelEmpty.hidden = true;
  const cached = state.repos.get(id);
  if (cached) renderRepoHead(cached);
  els.panel.hidden = !cached;
  updateGenerateButton();
  let repo;
  try {
    repo = (await api.get(`api/repositories/${encodeURIComponent(id)}`)).body;
  } catch (err) {
    if (seq !== state.selectSeq || err.status === 401) return;
    els.panel.hidden = true;
    setText(
      els.panelError,
      err.status === 404 ? 'This repository does not exist, or it belongs to another organisation.' : err.message,
    );
    els.panelError.hidden = false;
    return;
  }
  if (seq !== state.selectSeq) return;
  const merged = { ...(state.repos.get(id) || {}), ...repo };
  state.repos.set(id, merged);
  renderRepoItem(merged);
  renderRepoHead(merged);
  els.panel.hidden = false;
  document.title = `${repoName(merged)} · Scribe`;
  if (focus) els.repoTitle.focus();
  const jobId = merged.active_job_id || merged.last_job_id;
  if (jobId) showLatestJob(jobId);
  else setText(byId('events-status'), 'No job yet. Generate the documentation to start one.');
  updateGenerateButton();
  history.load(id);
  const r = parseRoute();
  if (!jobId) docs.empty(id, 'No documentation yet. Generate it to see it here.');
  else docs.load(id, r.repoId === id ? r.page : null, r.repoId === id ? r.anchor : null);
}

/** Show and follow the repository's latest job (active or last). */
function showLatestJob(jobId, job = null) {
  const switching = displayedJobId() !== jobId;
  state.latestJobId = jobId;
  state.viewJobId = null;
  els.jobViewing.hidden = true;
  if (switching) {
    events.reset(jobId);
    state.unchangedPolls = 0;
  }
  history.setCurrent(jobId);
  poller.follow(jobId, job);
}

async function viewJob(jobId) {
  if (jobId === state.latestJobId) {
    const job = followedJob();
    state.viewJobId = null;
    els.jobViewing.hidden = true;
    events.reset(jobId);
    if (job) {
      card.update(job, { title: jobTitle(job) });
      events.fetch();
    }
    poller.follow(jobId);
    history.setCurrent(jobId);
    jobEls.card.scrollIntoView({ block: 'nearest' });
    return;
  }
  state.viewJobId = jobId;
  events.reset(jobId);
  history.setCurrent(jobId);
  setText(els.actionError, '');
  try {
    const job = (await api.get(`api/documentation/jobs/${encodeURIComponent(jobId)}`)).body;
    if (state.viewJobId !== jobId) return;
    card.last = null; // no announcements when switching jobs
    card.update(job, { title: jobTitle(job) });
    els.jobViewing.hidden = false;
    events.fetch();
    jobEls.card.scrollIntoView({ block: 'nearest' });
    els.jobBack.focus();
  } catch (err) {
    if (err.status !== 401) setText(els.actionError, `That job could not be loaded: ${err.message}`);
  }
}

async function generate() {
  const id = state.repoId;
  if (!id || state.posting.has(id) || activeJobOf(id)) return;
  // The local lock: the button is disabled before the request leaves.
  state.posting.add(id);
  updateGenerateButton();
  showNotice('', 'info');
  setText(els.actionError, '');
  const options = {};
  if (els.optGenerator.value) options.generator = els.optGenerator.value;
  if (els.optRegenerate.checked) options.regenerate_all = true;
  const repo = state.repos.get(id);
  try {
    const job = (await api.post('api/documentation/jobs', { repository_id: id, options })).body;
    if (repo && job && job.id) {
      repo.active_job_id = job.id;
      repo.status = repoStatusForJob(job.status);
      renderRepoItem(repo);
    }
    if (state.repoId === id && job && job.id) {
      state.seenActive.add(job.id);
      showNotice('Documentation generation started.', 'info');
      announce('Documentation generation started.');
      showLatestJob(job.id, job);
      history.upsert(job);
      renderRepoHead(repo);
    }
  } catch (err) {
    if (err instanceof ApiError && err.status === 409) {
      // Not a failure: someone (or an earlier click) already started a job. Follow it.
      let jobId = err.body && (err.body.job_id || (err.body.data && err.body.data.job_id));
      if (!jobId) {
        try {
          jobId = (await api.get(`api/repositories/${encodeURIComponent(id)}/docs`)).body?.job_id || null;
        } catch {
          jobId = null;
        }
      }
      if (repo && jobId) repo.active_job_id = jobId;
      if (state.repoId === id) {
        showNotice('Documentation generation is already in progress. Showing that job.', 'info');
        announce('Documentation generation is already in progress.');
        if (jobId) {
          state.seenActive.add(jobId);
          showLatestJob(jobId);
        }
      }
    } else if (!(err instanceof ApiError && err.status === 401) && state.repoId === id) {
      showNotice(`Documentation generation could not be started: ${err.message}`, 'error');
    }
  } finally {
    state.posting.delete(id);
    updateGenerateButton();
  }
}

const ACTIONS = {
  pause: { button: jobEls.pause, method: 'POST', suffix: '/pause', done: 'Pause requested.' },
  resume: { button: jobEls.resume, method: 'POST', suffix: '/resume', done: 'Resumed.' },
  cancel: { button: jobEls.cancel, method: 'DELETE', suffix: '', done: 'Cancel requested.' },
  retry: { button: jobEls.retry, method: 'POST', suffix: '/retry', done: 'Retrying.' },
};

async function jobAction(kind) {
  const action = ACTIONS[kind];
  const job = card.last;
  if (!job || action.button.disabled) return;
  action.button.disabled = true;
  action.button.setAttribute('aria-busy', 'true');
  setText(els.actionError, '');
  const repoId = job.repository_id;
  try {
    const path = `api/documentation/jobs/${encodeURIComponent(job.id)}${action.suffix}`;
    const res = action.method === 'DELETE' ? await api.delete(path) : await api.post(path, {});
    const updated = res.body && res.body.id ? res.body : { ...job };
    if (state.repoId !== repoId) return;
    announce(action.done);
    if (ACTIVE_JOB_STATES.has(updated.status)) {
      state.seenActive.add(updated.id);
      const repo = state.repos.get(repoId);
      if (repo) repo.active_job_id = updated.id;
      showLatestJob(updated.id, updated);
    } else if (updated.id === state.latestJobId) {
      poller.follow(updated.id, updated);
    } else {
      card.update(updated, { title: jobTitle(updated) });
    }
    history.upsert(updated);
  } catch (err) {
    if (!(err instanceof ApiError && err.status === 401) && state.repoId === repoId) {
      setText(els.actionError, err.message);
      poller.pollNow();
    }
  } finally {
    action.button.disabled = false;
    action.button.removeAttribute('aria-busy');
    updateGenerateButton();
  }
}

// ------------------------------------------------------------- repositories

function renderRepoItem(repo) {
  let li = els.repoList.querySelector(`li[data-id="${CSS.escape(repo.id)}"]`);
  if (!li) {
    const name = h('span', { class: 'repo-name' });
    const sub = h('span', { class: 'repo-sub mono' });
    const badge = h('span', { class: 'badge' });
    const link = h('a', { class: 'repo-link', href: routeFor(repo.id) }, h('span', { class: 'repo-text' }, name, sub), badge);
    li = h('li', { dataset: { id: repo.id } }, link);
    els.repoList.append(li);
  }
  const link = li.firstElementChild;
  setText(link.querySelector('.repo-name'), repoName(repo));
  setText(link.querySelector('.repo-sub'), `${repo.branch || 'default branch'}`);
  const badge = link.querySelector('.badge');
  badge.className = badgeClass(repo.status);
  setText(badge, repoStatusLabel(repo.status));
  link.title = repo.url || '';
  if (repo.id === state.repoId) link.setAttribute('aria-current', 'true');
  else link.removeAttribute('aria-current');
  return li;
}

function markSelected() {
  for (const link of els.repoList.querySelectorAll('a.repo-link')) {
    if (link.parentElement.dataset.id === state.repoId) link.setAttribute('aria-current', 'true');
    else link.removeAttribute('aria-current');
  }
}

function renderRepoList() {
  const ids = new Set(state.repos.keys());
  for (const li of [...els.repoList.children]) if (!ids.has(li.dataset.id)) li.remove();
  // Update in place and keep the server's order without recreating nodes (focus stays put).
  let prev = null;
  for (const repo of state.repos.values()) {
    const li = renderRepoItem(repo);
    const expected = prev ? prev.nextElementSibling : els.repoList.firstElementChild;
    if (expected !== li) els.repoList.insertBefore(li, expected);
    prev = li;
  }
}

function reposUrl(limit, after) {
  // Newest first: a repository registered from anywhere shows up at the top of the first page.
  let url = `api/repositories?order=newest&limit=${limit}`;
  if (state.reposQuery) url += `&q=${encodeURIComponent(state.reposQuery)}`;
  if (after) url += `&after=${encodeURIComponent(after)}`;
  return url;
}

/** The poller's copy of the selected repository's job is fresher than any list. */
function withFollowedJob(repo) {
  const job = followedJob();
  if (job && job.repository_id === repo.id && job.id === state.latestJobId) {
    repo.status = repoStatusForJob(job.status);
    repo.active_job_id = ACTIVE_JOB_STATES.has(job.status) ? job.id : null;
  }
  return { ...(state.repos.get(repo.id) || {}), ...repo };
}

function showReposStatus() {
  els.reposMore.hidden = !state.reposNext;
  let text = '';
  if (!state.repos.size) text = state.reposQuery ? 'No repository matches the search.' : 'No repositories yet. Register one below.';
  setText(els.reposStatus, text);
}

/**
 * The first page of repositories (with the search), or on a quiet refresh as many as are shown (up to the
 * server's maximum page), so a refresh neither drops the pages loaded with "Show more" nor grows unbounded.
 */
async function loadRepos({ quiet = false } = {}) {
  if (!state.me) return;
  const seq = ++state.reposSeq;
  if (!quiet) setText(els.reposStatus, 'Loading repositories…');
  const limit = quiet ? Math.min(200, Math.max(REPO_PAGE, state.repos.size)) : REPO_PAGE;
  let body;
  try {
    body = (await api.get(reposUrl(limit))).body;
  } catch (err) {
    if (seq === state.reposSeq && !(err instanceof ApiError && err.status === 401)) {
      setText(els.reposStatus, `The repositories could not be loaded: ${err.message}`);
    }
    return;
  }
  if (!state.me || seq !== state.reposSeq) return;
  const list = Array.isArray(body?.repositories) ? body.repositories : [];
  const next = new Map();
  for (const repo of list) if (repo && repo.id) next.set(repo.id, withFollowedJob(repo));
  if (quiet && state.repos.size > list.length && body?.next) {
    // Keep the pages beyond what this refresh read, in their order.
    for (const [id, repo] of state.repos) if (!next.has(id)) next.set(id, repo);
  } else {
    state.reposNext = body?.next || null;
  }
  state.repos = next;
  renderRepoList();
  showReposStatus();
  const selected = state.repoId && state.repos.get(state.repoId);
  if (selected) {
    renderRepoHead(selected);
    // A job started elsewhere (CLI, another tab): start following it.
    if (selected.active_job_id && selected.active_job_id !== state.latestJobId && !state.posting.has(selected.id)) {
      showLatestJob(selected.active_job_id);
      history.load(selected.id);
    }
  }
  updateGenerateButton();
}

/** The next page of repositories, appended. */
async function loadMoreRepos() {
  if (!state.reposNext) return;
  const seq = state.reposSeq;
  els.reposMore.disabled = true;
  try {
    const body = (await api.get(reposUrl(REPO_PAGE, state.reposNext))).body;
    if (seq !== state.reposSeq) return;
    for (const repo of body?.repositories || []) if (repo && repo.id) state.repos.set(repo.id, withFollowedJob(repo));
    state.reposNext = body?.next || null;
    renderRepoList();
    showReposStatus();
  } catch (err) {
    setText(els.reposStatus, `More repositories could not be loaded: ${err.message}`);
  } finally {
    els.reposMore.disabled = false;
  }
}

let searchTimer = null;
function searchRepos({ now = false } = {}) {
  clearTimeout(searchTimer);
  const run = () => {
    const q = els.reposSearch.value.trim();
    if (q === state.reposQuery) return;
    state.reposQuery = q;
    state.reposNext = null;
    state.repos = new Map();
    loadRepos();
  };
  if (now) run();
  else searchTimer = setTimeout(run, SEARCH_DELAY_MS);
}

function scheduleRepoRefresh() {
  clearTimeout(state.refreshTimer);
  state.refreshTimer = setTimeout(async () => {
    if (!document.hidden) await loadRepos({ quiet: true });
    if (state.me) scheduleRepoRefresh();
  }, REPO_REFRESH_MS);
}

async function register(event) {
  event.preventDefault();
  const url = els.repoUrl.value.trim();
  const branch = els.repoBranch.value.trim();
  setText(els.registerError, '');
  els.repoUrl.removeAttribute('aria-invalid');
  if (!url) {
    setText(els.registerError, 'Enter the repository’s URL.');
    els.repoUrl.setAttribute('aria-invalid', 'true');
    els.repoUrl.focus();
    return;
  }
  els.registerButton.disabled = true;
  try {
    const body = { url };
    if (branch) body.branch = branch;
    const repo = (await api.post('api/repositories', body)).body;
    els.registerForm.reset();
    if (repo && repo.id) {
      // The list is newest first: a new repository goes on top.
      if (state.repos.has(repo.id)) state.repos.set(repo.id, repo);
      else state.repos = new Map([[repo.id, repo], ...state.repos]);
      renderRepoList();
      announce(`Registered ${repoName(repo)}.`);
      location.hash = routeFor(repo.id);
    } else await loadRepos({ quiet: true });
  } catch (err) {
    if (!(err instanceof ApiError && err.status === 401)) {
      setText(els.registerError, err.message);
      els.repoUrl.setAttribute('aria-invalid', 'true');
      els.repoUrl.focus();
    }
  } finally {
    els.registerButton.disabled = false;
  }
}

// ----------------------------------------------------------- signing in/out

function showSignIn(message = '', { error = true } = {}) {
  els.boot.hidden = true;
  els.appView.hidden = true;
  els.account.hidden = true;
  els.signinView.hidden = false;
  setText(els.signinError, error ? message : '');
  setText(els.signinNote, error ? '' : message);
  document.title = 'Sign in · Scribe';
  els.tokenInput.focus();
}

async function signIn(event) {
  event.preventDefault();
  const token = els.tokenInput.value.trim();
  setText(els.signinError, '');
  setText(els.signinNote, '');
  els.tokenInput.removeAttribute('aria-invalid');
  if (!token) {
    setText(els.signinError, 'Enter your API token.');
    els.tokenInput.setAttribute('aria-invalid', 'true');
    els.tokenInput.focus();
    return;
  }
  els.signinButton.disabled = true;
  try {
    const me = (await api.get('api/me', { token })).body;
    api.setToken(token);
    els.tokenInput.value = '';
    signedIn(me);
  } catch (err) {
    const message =
      err instanceof ApiError && err.status === 401
        ? 'That token was not accepted. Check that you copied all of it, or ask for a new one.'
        : `Could not sign in: ${err.message}`;
    setText(els.signinError, message);
    els.tokenInput.setAttribute('aria-invalid', 'true');
    els.tokenInput.focus();
    els.tokenInput.select();
  } finally {
    els.signinButton.disabled = false;
  }
}

function signedIn(me) {
  state.me = me || {};
  const who = [state.me.user && state.me.user.email, state.me.organisation && state.me.organisation.name]
    .filter(Boolean)
    .join(' · ');
  setText(els.accountWho, who);
  els.account.hidden = false;
  els.boot.hidden = true;
  els.signinView.hidden = true;
  setText(els.signinError, '');
  els.appView.hidden = false;
  document.title = 'Scribe';
  loadRepos().then(() => route(false));
  scheduleRepoRefresh();
}

function signOut(message, { error = true } = {}) {
  api.setToken(null);
  state.me = null;
  clearTimeout(state.refreshTimer);
  clearPanel();
  state.repoId = null;
  state.repos.clear();
  state.reposNext = null;
  state.reposQuery = '';
  els.reposSearch.value = '';
  state.posting.clear();
  state.seenActive.clear();
  setChildren(els.repoList);
  els.panel.hidden = true;
  els.panelEmpty.hidden = false;
  if (location.hash) history_replace('');
  showSignIn(message, { error });
}

function history_replace(hash) {
  window.history.replaceState(null, '', `${location.pathname}${location.search}${hash}`);
}

api.onUnauthorized = () => {
  if (state.me) signOut('Your session ended: the token is no longer accepted. Sign in again.');
};

// ------------------------------------------------------------------ routing

async function route(fromUser) {
  if (!state.me) return;
  const r = parseRoute();
  if (!r.repoId) {
    if (state.repoId) {
      clearPanel();
      state.repoId = null;
      markSelected();
      els.panel.hidden = true;
      els.panelEmpty.hidden = false;
    }
    return;
  }
  if (r.repoId !== state.repoId) await selectRepo(r.repoId, { focus: fromUser });
  else docs.load(r.repoId, r.page, r.anchor);
}

// ------------------------------------------------------------------- wiring

function wire() {
  els.signinForm.addEventListener('submit', signIn);
  els.signOut.addEventListener('click', () => signOut('You are signed out.', { error: false }));
  els.registerForm.addEventListener('submit', register);
  els.reposRefresh.addEventListener('click', () => loadRepos());
  els.reposMore.addEventListener('click', loadMoreRepos);
  els.reposSearch.addEventListener('input', () => searchRepos());
  els.reposSearchForm.addEventListener('submit', (e) => {
    e.preventDefault();
    searchRepos({ now: true });
  });
  els.generate.addEventListener('click', generate);
  for (const kind of Object.keys(ACTIONS)) ACTIONS[kind].button.addEventListener('click', () => jobAction(kind));
  els.jobBack.addEventListener('click', () => viewJob(state.latestJobId));
  els.skip.addEventListener('click', (e) => {
    e.preventDefault();
    els.main.focus();
  });
  window.addEventListener('hashchange', () => route(true));
  document.addEventListener('visibilitychange', () => {
    if (!document.hidden && state.me) loadRepos({ quiet: true });
  });
}

async function boot() {
  wire();
  if (!api.token) {
    showSignIn();
    return;
  }
  try {
    signedIn((await api.get('api/me')).body);
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) {
      api.setToken(null);
      showSignIn('Your saved token is no longer accepted. Sign in again.');
    } else {
      showSignIn(`Could not reach Scribe: ${err.message}`);
    }
  }
}

// For tests and debugging: which job the page follows, read-only.
window.scribeDebug = Object.freeze({
  followedJobId: () => poller.jobId,
  pollerActive: () => poller.active,
});

boot();
