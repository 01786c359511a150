// The selected repository's panel: its head, the job it follows (card, event log, history, the actions
// on a job, starting one) and its documentation viewer. It owns the state of the selection; the list of
// repositories is the RepositoriesView's.

import { ApiError } from './api.js';
import { DocsView } from './docs.js';
import { setText } from './dom.js';
import { ACTIVE_JOB_STATES, badgeClass, clampPercent, repoStatusForJob, repoStatusLabel, shortId } from './format.js';
import { EventLog, HistoryView, JobCard, JobPoller } from './job.js';
import { parseRoute, repoName, routeFor } from './routes.js';

export class RepositoryPanel {
  /**
   * els: the panel's elements (see app.js); jobEls: the job card's; parts: {events, history, docs} elements;
   * repos: the RepositoriesView; announce(text) speaks to screen readers.
   */
  constructor(api, els, jobEls, parts, repos, announce) {
    this.api = api;
    this.els = els;
    this.jobEls = jobEls;
    this.repos = repos;
    this.announce = announce;
    this.repoId = null; // the selected repository
    this.latestJobId = null; // its active or last job (followed by the poller)
    this.viewJobId = null; // an earlier job picked from the history, shown instead of the latest
    this.posting = new Set(); // repository ids with a generate request in flight (the local lock)
    this.seenActive = new Set(); // job ids seen queued/running/paused on this page
    this.selectSeq = 0;
    this.unchangedPolls = 0;
    this.failedListed = null; // "job:version" whose failed modules the card lists
    this.card = new JobCard(jobEls, announce);
    this.events = new EventLog(api, parts.events.log, parts.events.status);
    this.eventsStatus = parts.events.status;
    this.history = new HistoryView(api, parts.history, (jobId) => this.viewJob(jobId));
    this.docs = new DocsView(api, parts.docs, routeFor);
    this.poller = new JobPoller(api, {
      onUpdate: (job, changed) => this.onJobUpdate(job, changed),
      onEnd: (job) => this.onJobEnd(job),
      onError: (err, fatal) => this.onPollError(err, fatal),
    });
    this.actions = {
      pause: { button: jobEls.pause, method: 'POST', suffix: '/pause', done: 'Pause requested.' },
      resume: { button: jobEls.resume, method: 'POST', suffix: '/resume', done: 'Resumed.' },
      cancel: { button: jobEls.cancel, method: 'DELETE', suffix: '', done: 'Cancel requested.' },
      retry: { button: jobEls.retry, method: 'POST', suffix: '/retry', done: 'Retrying.' },
    };
  }

  wire() {
    this.els.generate.addEventListener('click', () => this.generate());
    for (const kind of Object.keys(this.actions)) this.actions[kind].button.addEventListener('click', () => this.jobAction(kind));
    this.els.jobBack.addEventListener('click', () => this.viewJob(this.latestJobId));
  }

  showNotice(text, kind = 'info') {
    setText(this.els.notice, text);
    this.els.notice.className = `notice notice-${kind}`;
    this.els.notice.hidden = !text;
  }

  followedJob() {
    const p = this.poller;
    return p.job && p.jobId === p.job.id ? p.job : null;
  }

  /** The id of the repository's active job as far as this page knows, or null. */
  activeJobOf(repoId) {
    const job = this.followedJob();
    if (job && job.repository_id === repoId) return ACTIVE_JOB_STATES.has(job.status) ? job.id : null;
    const repo = this.repos.get(repoId);
    if (!repo) return null;
    if (repo.active_job_id) return repo.active_job_id;
    return ['queued', 'generating', 'running', 'paused'].includes(repo.status) ? 'unknown' : null;
  }

  updateGenerateButton() {
    const id = this.repoId;
    const busy = !id || this.posting.has(id) || !!this.activeJobOf(id);
    this.els.generate.disabled = busy;
    this.els.generate.title = busy && id ? 'A documentation job is already active for this repository.' : '';
  }

  /** The poller's copy of the selected repository's job is fresher than any list. */
  decorate(repo) {
    const job = this.followedJob();
    if (job && job.repository_id === repo.id && job.id === this.latestJobId) {
      repo.status = repoStatusForJob(job.status);
      repo.active_job_id = ACTIVE_JOB_STATES.has(job.status) ? job.id : null;
    }
    return repo;
  }

  /** After the list was loaded: the head shows the news, and a job started elsewhere is followed. */
  onReposLoaded() {
    const selected = this.repoId && this.repos.get(this.repoId);
    if (selected) {
      this.renderHead(selected);
      // A job started elsewhere (CLI, another tab): start following it.
      if (selected.active_job_id && selected.active_job_id !== this.latestJobId && !this.posting.has(selected.id)) {
        this.showLatestJob(selected.active_job_id);
        this.history.load(selected.id);
      }
    }
    this.updateGenerateButton();
  }

  displayedJobId() {
    return this.viewJobId || this.latestJobId;
  }

  onJobUpdate(job, changed) {
    if (!job || job.repository_id !== this.repoId) return;
    const active = ACTIVE_JOB_STATES.has(job.status);
    if (active) this.seenActive.add(job.id);
    const repo = this.repos.get(job.repository_id);
    if (repo && job.id === this.latestJobId) {
      const status = repoStatusForJob(job.status);
      const statusChanged = repo.status !== status;
      repo.status = status;
      repo.active_job_id = active ? job.id : null;
      repo.progress = job.progress;
      if (statusChanged) {
        this.repos.renderItem(repo);
        this.renderHead(repo);
        this.history.upsert(job);
      }
    }
    if (job.id === this.displayedJobId()) {
      this.card.update(job, { title: this.jobTitle(job) });
      if (job.partial && this.failedListed !== `${job.id}:${job.version}`) {
        this.failedListed = `${job.id}:${job.version}`;
        this.api
          .get(`api/documentation/jobs/${encodeURIComponent(job.id)}/objects`)
          .then((res) => this.card.showFailedModules(job.id, (res.body && res.body.objects) || []))
          .catch(() => {}); // the event log names them too
      }
      this.history.setCurrent(job.id);
      if (changed) {
        this.unchangedPolls = 0;
        this.events.fetch();
      } else if (++this.unchangedPolls % 6 === 0) {
        this.events.fetch(); // events without a job change are rare; look now and then
      }
    }
    setText(this.els.pollStatus, active ? 'Live: checking for progress every 5 seconds (every 30 while this tab is hidden).' : '');
    document.title = active ? `${clampPercent(job.progress)}% · ${repoName(repo)} · Scribe` : `${repoName(repo) || 'Scribe'} · Scribe`;
    this.updateGenerateButton();
  }

  onJobEnd(job) {
    if (!job || job.repository_id !== this.repoId) return;
    this.updateGenerateButton();
    const endedHere = this.seenActive.has(job.id);
    if (!endedHere) return; // a job that had ended before the page looked at it
    this.seenActive.delete(job.id);
    setText(this.els.pollStatus, '');
    this.showNotice('', 'info');
    if (job.id === this.displayedJobId()) this.events.fetch();
    this.history.load(job.repository_id);
    if (job.status === 'completed') {
      const r = parseRoute();
      this.docs.load(job.repository_id, r.repoId === job.repository_id ? r.page : null, null, { force: true });
    }
    this.repos.load({ quiet: true });
  }

  onPollError(err, fatal) {
    if (err instanceof ApiError && err.status === 401) return;
    if (fatal && err.status === 404) setText(this.els.pollStatus, 'This job no longer exists.');
    else setText(this.els.pollStatus, `Could not check for progress (${err.message}). Trying again shortly.`);
  }

  jobTitle(job) {
    if (job.id === this.latestJobId) return ACTIVE_JOB_STATES.has(job.status) ? 'Current job' : 'Latest job';
    return `Earlier job ${shortId(job.id)}`;
  }

  renderHead(repo) {
    setText(this.els.repoTitle, repoName(repo));
    setText(this.els.repoUrlText, repo.url || '');
    setText(this.els.repoBranchText, repo.branch || 'default');
    this.els.repoBadge.className = badgeClass(repo.status);
    setText(this.els.repoBadge, repoStatusLabel(repo.status));
  }

  clear() {
    this.poller.stop();
    this.card.reset();
    this.events.reset(null);
    this.history.reset();
    this.docs.reset();
    this.latestJobId = null;
    this.viewJobId = null;
    this.unchangedPolls = 0;
    this.els.jobViewing.hidden = true;
    this.showNotice('', 'info');
    setText(this.els.actionError, '');
    setText(this.els.pollStatus, '');
    this.els.panelError.hidden = true;
  }

  /** No repository selected: the panel's place says so. */
  close() {
    this.clear();
    this.repoId = null;
    this.repos.markSelected();
    this.els.panel.hidden = true;
    this.els.panelEmpty.hidden = false;
  }

  /** Signing out: nothing of this session stays. */
  forget() {
    this.close();
    this.posting.clear();
    this.seenActive.clear();
  }

  async select(id, { focus = false } = {}) {
    const els = this.els;
    const seq = ++this.selectSeq;
    this.clear();
    this.repoId = id;
    this.repos.markSelected();
    els.panelEmpty.hidden = true;
    const cached = this.repos.get(id);
    if (cached) this.renderHead(cached);
    els.panel.hidden = !cached;
    this.updateGenerateButton();
    let repo;
    try {
      repo = (await this.api.get(`api/repositories/${encodeURIComponent(id)}`)).body;
    } catch (err) {
      if (seq !== this.selectSeq || err.status === 401) return;
      els.panel.hidden = true;
      setText(
        els.panelError,
        err.status === 404 ? 'This repository does not exist, or it belongs to another organisation.' : err.message,
      );
      els.panelError.hidden = false;
      return;
    }
    if (seq !== this.selectSeq) return;
    const merged = { ...(this.repos.get(id) || {}), ...repo };
    this.repos.set(merged);
    this.repos.renderItem(merged);
    this.renderHead(merged);
    els.panel.hidden = false;
    document.title = `${repoName(merged)} · Scribe`;
    if (focus) els.repoTitle.focus();
    const jobId = merged.active_job_id || merged.last_job_id;
    if (jobId) this.showLatestJob(jobId);
    else setText(this.eventsStatus, 'No job yet. Generate the documentation to start one.');
    this.updateGenerateButton();
    this.history.load(id);
    const r = parseRoute();
    if (!jobId) this.docs.empty(id, 'No documentation yet. Generate it to see it here.');
    else this.docs.load(id, r.repoId === id ? r.page : null, r.repoId === id ? r.anchor : null);
  }

  /** Show and follow the repository's latest job (active or last). */
  showLatestJob(jobId, job = null) {
    const switching = this.displayedJobId() !== jobId;
    this.latestJobId = jobId;
    this.viewJobId = null;
    this.els.jobViewing.hidden = true;
    if (switching) {
      this.events.reset(jobId);
      this.unchangedPolls = 0;
    }
    this.history.setCurrent(jobId);
    this.poller.follow(jobId, job);
  }

  async viewJob(jobId) {
    if (jobId === this.latestJobId) {
      const job = this.followedJob();
      this.viewJobId = null;
      this.els.jobViewing.hidden = true;
      this.events.reset(jobId);
      if (job) {
        this.card.update(job, { title: this.jobTitle(job) });
        this.events.fetch();
      }
      this.poller.follow(jobId);
      this.history.setCurrent(jobId);
      this.jobEls.card.scrollIntoView({ block: 'nearest' });
      return;
    }
    this.viewJobId = jobId;
    this.events.reset(jobId);
    this.history.setCurrent(jobId);
    setText(this.els.actionError, '');
    try {
      const job = (await this.api.get(`api/documentation/jobs/${encodeURIComponent(jobId)}`)).body;
      if (this.viewJobId !== jobId) return;
      this.card.last = null; // no announcements when switching jobs
      this.card.update(job, { title: this.jobTitle(job) });
      this.els.jobViewing.hidden = false;
      this.events.fetch();
      this.jobEls.card.scrollIntoView({ block: 'nearest' });
      this.els.jobBack.focus();
    } catch (err) {
      if (err.status !== 401) setText(this.els.actionError, `That job could not be loaded: ${err.message}`);
    }
  }

  async generate() {
    const id = this.repoId;
    if (!id || this.posting.has(id) || this.activeJobOf(id)) return;
    // The local lock: the button is disabled before the request leaves.
    this.posting.add(id);
    this.updateGenerateButton();
    this.showNotice('', 'info');
    setText(this.els.actionError, '');
    const options = {};
    if (this.els.optGenerator.value) options.generator = this.els.optGenerator.value;
    if (this.els.optRegenerate.checked) options.regenerate_all = true;
    const repo = this.repos.get(id);
    try {
      const job = (await this.api.post('api/documentation/jobs', { repository_id: id, options })).body;
      if (repo && job && job.id) {
        repo.active_job_id = job.id;
        repo.status = repoStatusForJob(job.status);
        this.repos.renderItem(repo);
      }
      if (this.repoId === id && job && job.id) {
        this.seenActive.add(job.id);
        this.showNotice('Documentation generation started.', 'info');
        this.announce('Documentation generation started.');
        this.showLatestJob(job.id, job);
        this.history.upsert(job);
        this.renderHead(repo);
      }
    } catch (err) {
      if (err instanceof ApiError && err.status === 409) {
        // Not a failure: someone (or an earlier click) already started a job. Follow it.
        let jobId = err.body && (err.body.job_id || (err.body.data && err.body.data.job_id));
        if (!jobId) {
          try {
            jobId = (await this.api.get(`api/repositories/${encodeURIComponent(id)}/docs`)).body?.job_id || null;
          } catch {
            jobId = null;
          }
        }
        if (repo && jobId) repo.active_job_id = jobId;
        if (this.repoId === id) {
          this.showNotice('Documentation generation is already in progress. Showing that job.', 'info');
          this.announce('Documentation generation is already in progress.');
          if (jobId) {
            this.seenActive.add(jobId);
            this.showLatestJob(jobId);
          }
        }
      } else if (!(err instanceof ApiError && err.status === 401) && this.repoId === id) {
        this.showNotice(`Documentation generation could not be started: ${err.message}`, 'error');
      }
    } finally {
      this.posting.delete(id);
      this.updateGenerateButton();
    }
  }

  async jobAction(kind) {
    const action = this.actions[kind];
    const job = this.card.last;
    if (!job || action.button.disabled) return;
    action.button.disabled = true;
    action.button.setAttribute('aria-busy', 'true');
    setText(this.els.actionError, '');
    const repoId = job.repository_id;
    try {
      const path = `api/documentation/jobs/${encodeURIComponent(job.id)}${action.suffix}`;
      const res = action.method === 'DELETE' ? await this.api.delete(path) : await this.api.post(path, {});
      const updated = res.body && res.body.id ? res.body : { ...job };
      if (this.repoId !== repoId) return;
      this.announce(action.done);
      if (ACTIVE_JOB_STATES.has(updated.status)) {
        this.seenActive.add(updated.id);
        const repo = this.repos.get(repoId);
        if (repo) repo.active_job_id = updated.id;
        this.showLatestJob(updated.id, updated);
      } else if (updated.id === this.latestJobId) {
        this.poller.follow(updated.id, updated);
      } else {
        this.card.update(updated, { title: this.jobTitle(updated) });
      }
      this.history.upsert(updated);
    } catch (err) {
      if (!(err instanceof ApiError && err.status === 401) && this.repoId === repoId) {
        setText(this.els.actionError, err.message);
        this.poller.pollNow();
      }
    } finally {
      action.button.disabled = false;
      action.button.removeAttribute('aria-busy');
      this.updateGenerateButton();
    }
  }
}
