// Following a job: the poller (ETag, visibility-aware), the job card, the
// append-only event log and the repository's job history.

import { h, setChildren, setText } from './dom.js';
import {
  ACTIVE_JOB_STATES,
  TERMINAL_JOB_STATES,
  badgeClass,
  clampPercent,
  formatDuration,
  formatInt,
  formatRelative,
  formatTimestamp,
  formatUsd,
  jobStatusLabel,
  shortId,
} from './format.js';

export const POLL_VISIBLE_MS = 5000;
export const POLL_HIDDEN_MS = 30000;
const POLL_MAX_BACKOFF_MS = 60000;

/**
 * Polls GET /api/documentation/jobs/{id} with If-None-Match: every 5 s while
 * the tab is visible, every 30 s while hidden, at once when it becomes
 * visible again; stops by itself when the job reaches a terminal state.
 */
export class JobPoller {
  constructor(api, { onUpdate, onEnd, onError }) {
    this.api = api;
    this.onUpdate = onUpdate;
    this.onEnd = onEnd;
    this.onError = onError;
    this.jobId = null;
    this.job = null;
    this.etag = null;
    this.active = false;
    this.timer = null;
    this.inFlight = false;
    this.again = false;
    this.failures = 0;
    document.addEventListener('visibilitychange', () => {
      if (!this.active) return;
      if (document.hidden) this.schedule();
      else this.pollNow();
    });
  }

  /** Start following a job (a no-op restart if it is already followed). */
  follow(jobId, job = null) {
    if (this.jobId !== jobId) {
      this.stop();
      this.jobId = jobId;
    }
    this.active = true;
    if (job && job.id === jobId) {
      this.job = job;
      this.etag = null; // the next poll fetches the full job again
      this.onUpdate(job, true);
      if (TERMINAL_JOB_STATES.has(job.status)) {
        this.active = false;
        this.onEnd(job);
        return;
      }
    }
    this.pollNow();
  }

  stop() {
    this.active = false;
    clearTimeout(this.timer);
    this.timer = null;
    this.jobId = null;
    this.job = null;
    this.etag = null;
    this.failures = 0;
  }

  pollNow() {
    if (!this.active) return;
    clearTimeout(this.timer);
    this.timer = null;
    if (this.inFlight) this.again = true;
    else this.poll();
  }

  schedule() {
    clearTimeout(this.timer);
    this.timer = null;
    if (!this.active) return;
    const base = document.hidden ? POLL_HIDDEN_MS : POLL_VISIBLE_MS;
    const delay = this.failures ? Math.min(POLL_MAX_BACKOFF_MS, base * 2 ** Math.min(this.failures, 4)) : base;
    this.timer = setTimeout(() => this.poll(), delay);
  }

  async poll() {
    if (!this.active || this.inFlight) return;
    const id = this.jobId;
    this.inFlight = true;
    this.again = false;
    let keepGoing = true;
    try {
      const headers = this.etag ? { 'If-None-Match': this.etag } : {};
      const res = await this.api.get(`api/documentation/jobs/${encodeURIComponent(id)}`, { headers });
      if (id !== this.jobId) return;
      this.failures = 0;
      if (res.status === 304 && this.job) {
        this.onUpdate(this.job, false);
      } else if (res.body && typeof res.body === 'object') {
        this.etag = res.headers.get('ETag');
        this.job = res.body;
        this.onUpdate(res.body, true);
      }
      if (this.job && TERMINAL_JOB_STATES.has(this.job.status)) {
        keepGoing = false;
        this.active = false;
        this.onEnd(this.job);
      }
    } catch (err) {
      if (id !== this.jobId) return;
      this.failures++;
      if ([401, 403, 404].includes(err.status)) {
        keepGoing = false;
        this.active = false;
      }
      this.onError(err, !keepGoing);
    } finally {
      if (id === this.jobId) this.inFlight = false;
      else this.inFlight = false;
    }
    if (!keepGoing || id !== this.jobId) return;
    if (this.again) this.pollNow();
    else this.schedule();
  }
}

const EVENT_PAGE = 200;
const EVENT_LEVELS = new Set(['info', 'warning', 'error']);

/** The event log of one job: fetches pages after the last seen sequence number and appends. */
export class EventLog {
  constructor(api, listEl, statusEl) {
    this.api = api;
    this.list = listEl;
    this.status = statusEl;
    this.jobId = null;
    this.after = 0;
    this.running = null;
    this.pending = false;
  }

  reset(jobId) {
    this.jobId = jobId;
    this.after = 0;
    this.pending = false;
    setChildren(this.list);
    setText(this.status, jobId ? 'Loading events…' : 'No job yet.');
  }

  /** Fetch new events; concurrent calls coalesce into one more round. */
  fetch() {
    if (!this.jobId) return Promise.resolve();
    if (this.running) {
      this.pending = true;
      return this.running;
    }
    this.running = this.fetchLoop().finally(() => {
      this.running = null;
      if (this.pending) {
        this.pending = false;
        this.fetch();
      }
    });
    return this.running;
  }

  async fetchLoop() {
    const jobId = this.jobId;
    for (let page = 0; page < 10; page++) {
      let body;
      try {
        body = (
          await this.api.get(
            `api/documentation/jobs/${encodeURIComponent(jobId)}/events?after=${this.after}&limit=${EVENT_PAGE}`,
          )
        ).body;
      } catch (err) {
        if (jobId === this.jobId) setText(this.status, `The event log could not be loaded: ${err.message}`);
        return;
      }
      if (jobId !== this.jobId) return;
      const events = body && Array.isArray(body.events) ? body.events : [];
      this.append(events);
      const last = events.length ? events[events.length - 1].seq : null;
      const next = typeof body?.next_after === 'number' ? body.next_after : last;
      if (typeof next === 'number' && next > this.after) this.after = next;
      // `next` is null once every stored event has been read.
      if (!body?.next || events.length < EVENT_PAGE) break;
    }
    setText(this.status, this.list.childElementCount ? '' : 'No events yet.');
  }

  append(events) {
    if (!events.length) return;
    const box = this.list;
    const atBottom = box.scrollHeight - box.scrollTop - box.clientHeight < 24;
    for (const ev of events) {
      if (typeof ev.seq === 'number' && ev.seq <= this.after && this.list.querySelector(`[data-seq="${ev.seq}"]`)) continue;
      const level = EVENT_LEVELS.has(ev.level) ? ev.level : 'info';
      const extra = [];
      if (ev.object) extra.push(h('span', { class: 'event-object mono' }, ev.object));
      if (typeof ev.duration_ms === 'number') extra.push(h('span', { class: 'event-extra' }, `${formatInt(ev.duration_ms)} ms`));
      if (typeof ev.tokens === 'number' && ev.tokens > 0) {
        extra.push(h('span', { class: 'event-extra' }, `${formatInt(ev.tokens)} tokens`));
      }
      box.append(
        h(
          'li',
          { class: `event event-${level}`, dataset: { seq: String(ev.seq ?? '') } },
          h('time', { datetime: ev.at || null, class: 'event-time' }, formatTimestamp(ev.at)),
          h('span', { class: 'event-message' }, ev.message ?? ''),
          extra,
        ),
      );
    }
    if (atBottom) box.scrollTop = box.scrollHeight;
    setText(this.status, '');
  }
}

/** "Completed with N failed modules", for a job that completed without some of its modules. */
export function partialLabel(job) {
  const n = job.failed_objects ?? 0;
  return `Completed with ${formatInt(n)} failed module${n === 1 ? '' : 's'}`;
}

/** The job card: progress bar, step, counts, ETA, tokens, error, actions. */
export class JobCard {
  constructor(els, announce) {
    this.els = els;
    this.announce = announce;
    this.last = null;
  }

  reset() {
    this.last = null;
    this.els.card.hidden = true;
  }

  /** Lists a partial job's failed modules (objects from GET …/objects) with their errors, as text. */
  showFailedModules(jobId, objects) {
    if (!this.last || this.last.id !== jobId) return;
    const failed = objects.filter((o) => o.status === 'failed');
    setChildren(
      this.els.partialList,
      failed.map((o) => h('li', {}, String(o.path), o.error ? ` — ${String(o.error)}` : '')),
    );
  }

  update(job, { title } = {}) {
    const els = this.els;
    const prev = this.last && this.last.id === job.id ? this.last : null;
    this.last = job;
    els.card.hidden = false;
    els.card.dataset.status = job.status;
    els.card.dataset.jobId = job.id;
    setText(els.title, title || `Job ${shortId(job.id)}`);
    els.badge.className = job.partial ? 'badge badge-partial' : badgeClass(job.status);
    setText(els.badge, job.partial ? partialLabel(job) : jobStatusLabel(job.status));

    const active = ACTIVE_JOB_STATES.has(job.status);
    const percent = job.status === 'completed' ? 100 : clampPercent(job.progress);
    const step = stepText(job);
    els.bar.setAttribute('aria-valuenow', String(percent));
    els.bar.setAttribute('aria-valuetext', `${percent}%${step ? `, ${step}` : ''}`);
    els.bar.className = `progress progress-${job.status}`;
    if (!prev) {
      els.fill.classList.add('instant');
      els.fill.style.width = `${percent}%`;
      void els.fill.offsetWidth; // apply the width before the transition comes back
      els.fill.classList.remove('instant');
    } else {
      els.fill.style.width = `${percent}%`;
    }
    setText(els.percent, `${percent}%`);
    setText(els.step, step);

    const total = job.total_objects;
    setText(els.done, formatInt(job.processed_objects ?? 0));
    setText(els.failed, formatInt(job.failed_objects ?? 0));
    setText(els.total, typeof total === 'number' && total > 0 ? formatInt(total) : '—');
    els.failedRow.classList.toggle('has-failures', (job.failed_objects ?? 0) > 0);

    toggleRow(els.objectRow, active && job.current_object);
    setText(els.object, job.current_object || '');

    const eta = job.estimated_completion_at;
    toggleRow(els.etaRow, active);
    setText(
      els.eta,
      job.status === 'paused'
        ? 'Paused'
        : eta
          ? `${formatTimestamp(eta)} (${formatRelative(eta)})`
          : 'Estimating…',
    );

    toggleRow(els.attemptRow, (job.max_attempts ?? 1) > 1 || (job.attempt ?? 0) > 1);
    setText(els.attempt, `${job.attempt ?? 0} of ${job.max_attempts ?? '—'}`);
    setText(els.started, formatTimestamp(job.started_at || job.created_at));
    toggleRow(els.finishedRow, !!job.finished_at);
    setText(els.finished, job.finished_at ? `${formatTimestamp(job.finished_at)} (took ${formatDuration(job.started_at || job.created_at, job.finished_at)})` : '');
    toggleRow(els.commitRow, !!job.resolved_commit);
    setText(els.commit, job.resolved_commit ? String(job.resolved_commit).slice(0, 12) : '');
    toggleRow(els.generatorRow, !!job.generator);
    setText(els.generator, [job.generator, job.model].filter(Boolean).join(' · '));

    const tokens = (job.prompt_tokens ?? 0) + (job.completion_tokens ?? 0);
    const showTokens = job.generator === 'llm' || tokens > 0;
    toggleRow(els.tokensRow, showTokens);
    setText(els.tokens, `${formatInt(job.prompt_tokens ?? 0)} prompt · ${formatInt(job.completion_tokens ?? 0)} completion`);
    const actual = formatUsd(job.cost_actual_usd);
    const estimated = formatUsd(job.cost_estimated_usd);
    toggleRow(els.costRow, showTokens && !!(actual || estimated));
    setText(els.cost, [actual, estimated && `estimated ${estimated}`].filter(Boolean).join(' · '));
    toggleRow(els.coverageRow, !!job.coverage);
    setText(els.coverage, coverageText(job.coverage));

    // The error box: "failed" only when the backend says failed. While the job is
    // still active an earlier attempt's message is a notice that a retry follows.
    const message = job.error_message ? String(job.error_message) : '';
    els.error.hidden = !(job.status === 'failed' || (message && job.status !== 'completed'));
    els.error.className = job.status === 'failed' ? 'alert alert-error' : 'alert alert-warning';
    setText(
      els.errorLabel,
      job.status === 'failed'
        ? 'Documentation generation failed'
        : job.status === 'cancelled'
          ? 'Cancelled'
          : 'The previous attempt did not finish; Scribe will try again',
    );
    setText(els.errorText, message || (job.status === 'failed' ? 'No error message was recorded.' : ''));
    els.error.setAttribute('role', job.status === 'failed' ? 'alert' : 'status');

    const notes = [];
    if (job.cache_hit) notes.push('Served from the cache: this commit was documented before.');
    // A partial job: the badge says so, and the box lists the failed modules (filled by showFailedModules).
    els.partial.hidden = !job.partial;
    if (job.partial) {
      setText(els.partialLabel, `${partialLabel(job)}: their pages are missing. Retry regenerates only these.`);
      if (!prev || !prev.partial) setChildren(els.partialList, []);
    }
    if (job.pause_requested && job.status === 'running') notes.push('Pausing after the current module…');
    if (job.cancel_requested && active) notes.push('Cancelling…');
    setText(els.note, notes.join(' '));
    els.note.hidden = !notes.length;

    // Buttons: shown where the state allows them.
    els.pause.hidden = !(job.status === 'running' && !job.pause_requested && !job.cancel_requested);
    els.resume.hidden = job.status !== 'paused';
    els.cancel.hidden = !(active && !job.cancel_requested);
    els.retry.hidden = !(job.status === 'failed' || job.status === 'cancelled' || job.partial);

    // Screen readers hear step and state changes, not every poll.
    if (prev) {
      if (prev.status !== job.status) this.announce(statusAnnouncement(job));
      else if (active && step && step !== stepText(prev)) this.announce(`${step} (${percent}%)`);
    }
  }
}

/** "72.5 % · 29 of 40 public symbols documented" (pkgsite's formula, from the job's `coverage`). */
export function coverageText(coverage) {
  if (!coverage) return '';
  const percent = Number(coverage.percent).toFixed(1);
  return `${percent} % · ${formatInt(coverage.documented_symbols)} of ${formatInt(coverage.public_symbols)} public symbols documented`;
}

function toggleRow(row, visible) {
  row.hidden = !visible;
}

export function stepText(job) {
  if (job.status === 'queued') {
    if (job.run_after && new Date(job.run_after).getTime() > Date.now() && (job.attempt ?? 0) > 0) {
      return `Waiting to retry ${formatRelative(job.run_after)}`;
    }
    return job.current_step && job.current_step !== 'Queued' ? job.current_step : 'Queued, waiting for a worker';
  }
  if (job.status === 'paused') return `Paused${job.current_step ? ` at: ${job.current_step}` : ''}`;
  if (job.status === 'completed') return job.current_step || 'Completed';
  if (job.status === 'cancelled') return 'Cancelled';
  if (job.status === 'failed') return 'Failed';
  return job.current_step || 'Starting…';
}

function statusAnnouncement(job) {
  switch (job.status) {
    case 'completed':
      return 'Documentation generation completed.';
    case 'failed':
      return `Documentation generation failed: ${job.error_message || 'no error message'}.`;
    case 'cancelled':
      return 'Documentation generation cancelled.';
    case 'paused':
      return 'Documentation generation paused.';
    case 'running':
      return `Documentation generation running: ${stepText(job)}.`;
    case 'queued':
      return 'Documentation generation queued.';
    default:
      return `Job ${jobStatusLabel(job.status)}.`;
  }
}

/** The repository's job history, newest first, with "Show older". */
export class HistoryView {
  constructor(api, els, onView) {
    this.api = api;
    this.els = els;
    this.onView = onView;
    this.repoId = null;
    this.jobs = [];
    this.nextBefore = null;
    this.currentJobId = null;
    this.seq = 0;
    els.older.addEventListener('click', () => this.loadOlder());
  }

  reset() {
    this.seq++;
    this.repoId = null;
    this.jobs = [];
    this.nextBefore = null;
    setChildren(this.els.body);
    this.els.table.hidden = true;
    this.els.older.hidden = true;
    setText(this.els.status, 'Loading history…');
  }

  async load(repoId) {
    const seq = ++this.seq;
    this.repoId = repoId;
    try {
      const body = (await this.api.get(`api/documentation/jobs?repository_id=${encodeURIComponent(repoId)}&limit=20`)).body;
      if (seq !== this.seq) return;
      this.jobs = Array.isArray(body?.jobs) ? body.jobs : [];
      this.nextBefore = body?.next || body?.next_before || null;
      this.render();
    } catch (err) {
      if (seq !== this.seq) return;
      setText(this.els.status, `The history could not be loaded: ${err.message}`);
    }
  }

  async loadOlder() {
    if (!this.nextBefore || !this.repoId) return;
    const seq = this.seq;
    this.els.older.disabled = true;
    try {
      const body = (
        await this.api.get(
          `api/documentation/jobs?repository_id=${encodeURIComponent(this.repoId)}&limit=20&before=${encodeURIComponent(this.nextBefore)}`,
        )
      ).body;
      if (seq !== this.seq) return;
      const known = new Set(this.jobs.map((j) => j.id));
      this.jobs.push(...(body?.jobs || []).filter((j) => !known.has(j.id)));
      this.nextBefore = body?.next || body?.next_before || null;
      this.render();
    } catch (err) {
      setText(this.els.status, `Older jobs could not be loaded: ${err.message}`);
    } finally {
      this.els.older.disabled = false;
    }
  }

  /** Update one job's row in place from a fresher copy (the followed job). */
  upsert(job) {
    if (!this.repoId || job.repository_id !== this.repoId) return;
    const i = this.jobs.findIndex((j) => j.id === job.id);
    if (i >= 0) this.jobs[i] = job;
    else this.jobs.unshift(job);
    this.render();
  }

  setCurrent(jobId) {
    this.currentJobId = jobId;
    for (const row of this.els.body.rows) {
      if (row.dataset.jobId === jobId) row.setAttribute('aria-current', 'true');
      else row.removeAttribute('aria-current');
    }
  }

  render() {
    this.els.table.hidden = !this.jobs.length;
    this.els.older.hidden = !this.nextBefore;
    setText(this.els.status, this.jobs.length ? '' : 'No jobs yet.');
    const rows = this.jobs.map((job) => {
      const when = formatTimestamp(job.created_at);
      const total = job.total_objects ?? 0;
      const row = h(
        'tr',
        { dataset: { jobId: job.id }, 'aria-current': job.id === this.currentJobId ? 'true' : null },
        h('td', null, h('time', { datetime: job.created_at || null }, when)),
        h('td', null, h('span', { class: badgeClass(job.status) }, jobStatusLabel(job.status))),
        h('td', { class: 'num' }, `${job.status === 'completed' ? 100 : clampPercent(job.progress)}%`),
        h('td', { class: 'num' }, total ? `${job.processed_objects ?? 0}/${total}${job.failed_objects ? ` (${job.failed_objects} failed)` : ''}` : '—'),
        h('td', { class: 'hide-narrow' }, job.generator || '—'),
        h('td', { class: 'hide-narrow' }, job.finished_at ? formatDuration(job.started_at || job.created_at, job.finished_at) : '—'),
        h(
          'td',
          null,
          h(
            'button',
            {
              type: 'button',
              class: 'btn btn-small',
              'aria-label': `Show job ${shortId(job.id)} from ${when}`,
              onclick: () => this.onView(job.id),
            },
            'Show',
          ),
        ),
      );
      return row;
    });
    setChildren(this.els.body, rows);
  }
}
