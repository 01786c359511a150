// Scribe's status page: sign in, then the repositories view (js/repositories.js) beside the selected
// repository's panel (js/panel.js: its jobs, the job card, event log and history of js/job.js, and the
// documentation viewer of js/docs.js). This file finds the elements, wires the views to each other and
// to the hash routes, and owns signing in and out. No framework and no build step; every server string
// goes in as text.

import { Api, ApiError } from './js/api.js';
import { byId, setText } from './js/dom.js';
import { RepositoryPanel } from './js/panel.js';
import { RepositoriesView } from './js/repositories.js';
import { parseRoute, replaceHash } from './js/routes.js';

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
  announcer: byId('announcer'),
  main: byId('main'),
  skip: byId('skip-link'),
};

const repoEls = {
  list: byId('repo-list'),
  status: byId('repos-status'),
  refresh: byId('repos-refresh'),
  search: byId('repos-search'),
  searchForm: byId('repos-search-form'),
  more: byId('repos-more'),
  registerForm: byId('register-form'),
  url: byId('repo-url'),
  branch: byId('repo-branch'),
  registerError: byId('register-error'),
  registerButton: byId('register-button'),
};

const panelEls = {
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

let me = null; // the signed-in user and organisation, or null

let announceTimer = null;
function announce(text) {
  // Clear first so that the same sentence twice is announced twice.
  clearTimeout(announceTimer);
  els.announcer.textContent = '';
  announceTimer = setTimeout(() => {
    els.announcer.textContent = text;
  }, 60);
}

// The panel is made after the list, which asks it through these hooks only once the page runs.
let panel = null;
const repos = new RepositoriesView(api, repoEls, {
  active: () => !!me,
  selectedId: () => panel.repoId,
  decorate: (repo) => panel.decorate(repo),
  onLoaded: () => panel.onReposLoaded(),
  announce,
});
panel = new RepositoryPanel(
  api,
  panelEls,
  jobEls,
  {
    events: { log: byId('event-log'), status: byId('events-status') },
    history: { table: byId('history-table'), body: byId('history-body'), status: byId('history-status'), older: byId('history-older') },
    docs: { status: byId('docs-status'), meta: byId('docs-meta'), list: byId('docs-nav'), view: byId('doc-view') },
  },
  repos,
  announce,
);

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

function signedIn(user) {
  me = user || {};
  const who = [me.user && me.user.email, me.organisation && me.organisation.name].filter(Boolean).join(' · ');
  setText(els.accountWho, who);
  els.account.hidden = false;
  els.boot.hidden = true;
  els.signinView.hidden = true;
  setText(els.signinError, '');
  els.appView.hidden = false;
  document.title = 'Scribe';
  repos.load().then(() => route(false));
  repos.scheduleRefresh();
}

function signOut(message, { error = true } = {}) {
  api.setToken(null);
  me = null;
  repos.clear();
  panel.forget();
  if (location.hash) replaceHash('');
  showSignIn(message, { error });
}

api.onUnauthorized = () => {
  if (me) signOut('Your session ended: the token is no longer accepted. Sign in again.');
};

// ------------------------------------------------------------------ routing

async function route(fromUser) {
  if (!me) return;
  const r = parseRoute();
  if (!r.repoId) {
    if (panel.repoId) panel.close();
    return;
  }
  if (r.repoId !== panel.repoId) await panel.select(r.repoId, { focus: fromUser });
  else panel.docs.load(r.repoId, r.page, r.anchor);
}

// ------------------------------------------------------------------- wiring

function wire() {
  els.signinForm.addEventListener('submit', signIn);
  els.signOut.addEventListener('click', () => signOut('You are signed out.', { error: false }));
  repos.wire();
  panel.wire();
  els.skip.addEventListener('click', (e) => {
    e.preventDefault();
    els.main.focus();
  });
  window.addEventListener('hashchange', () => route(true));
  document.addEventListener('visibilitychange', () => {
    if (!document.hidden && me) repos.load({ quiet: true });
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
  followedJobId: () => panel.poller.jobId,
  pollerActive: () => panel.poller.active,
});

boot();
