// Labels, dates, numbers: how server values read on the page.

export const ACTIVE_JOB_STATES = new Set(['queued', 'running', 'paused']);
export const TERMINAL_JOB_STATES = new Set(['completed', 'failed', 'cancelled']);

const REPO_STATUS_LABELS = {
  idle: 'Idle',
  queued: 'Queued',
  generating: 'Generating',
  running: 'Generating',
  paused: 'Paused',
  completed: 'Completed',
  failed: 'Failed',
  cancelled: 'Cancelled',
};

const JOB_STATUS_LABELS = {
  queued: 'Queued',
  running: 'Running',
  paused: 'Paused',
  completed: 'Completed',
  failed: 'Failed',
  cancelled: 'Cancelled',
};

/** A known status keeps its own class; anything else gets a neutral badge. */
export function badgeClass(status) {
  const known = Object.prototype.hasOwnProperty.call(REPO_STATUS_LABELS, status);
  return `badge badge-${known ? (status === 'running' ? 'generating' : status) : 'unknown'}`;
}

export function repoStatusLabel(status) {
  return REPO_STATUS_LABELS[status] || String(status || 'Unknown');
}

export function jobStatusLabel(status) {
  return JOB_STATUS_LABELS[status] || String(status || 'Unknown');
}

/** The repository badge a job's state implies (running reads as generating). */
export function repoStatusForJob(status) {
  return status === 'running' ? 'generating' : status;
}

function toDate(value) {
  if (!value) return null;
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? null : d;
}

const timeFmt = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit' });
const dateTimeFmt = new Intl.DateTimeFormat(undefined, {
  year: 'numeric',
  month: 'short',
  day: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
});

/** Time of day for today, date and time otherwise. */
export function formatTimestamp(value) {
  const d = toDate(value);
  if (!d) return '—';
  const now = new Date();
  return d.toDateString() === now.toDateString() ? timeFmt.format(d) : dateTimeFmt.format(d);
}

/** "in about 3 min" / "2 min ago" relative to now. */
export function formatRelative(value, now = Date.now()) {
  const d = toDate(value);
  if (!d) return '';
  const seconds = Math.round((d.getTime() - now) / 1000);
  const abs = Math.abs(seconds);
  let text;
  if (abs < 45) text = 'less than a minute';
  else if (abs < 90 * 60) text = `about ${Math.max(1, Math.round(abs / 60))} min`;
  else if (abs < 36 * 3600) text = `about ${Math.round(abs / 3600)} h`;
  else text = `about ${Math.round(abs / 86400)} days`;
  return seconds >= 0 ? `in ${text}` : `${text} ago`;
}

/** Duration between two timestamps (or until now), as "1 min 5 s". */
export function formatDuration(start, end) {
  const a = toDate(start);
  if (!a) return '—';
  const b = toDate(end) || new Date();
  let s = Math.max(0, Math.round((b.getTime() - a.getTime()) / 1000));
  if (s < 60) return `${s} s`;
  const h = Math.floor(s / 3600);
  s -= h * 3600;
  const m = Math.floor(s / 60);
  s -= m * 60;
  return h ? `${h} h ${m} min` : `${m} min ${s} s`;
}

const intFmt = new Intl.NumberFormat(undefined, { maximumFractionDigits: 0 });

export function formatInt(n) {
  return typeof n === 'number' && Number.isFinite(n) ? intFmt.format(n) : '—';
}

export function formatUsd(n) {
  if (typeof n !== 'number' || !Number.isFinite(n)) return null;
  return `$${n < 1 ? n.toFixed(4) : n.toFixed(2)}`;
}

export function clampPercent(p) {
  const n = Number(p);
  if (!Number.isFinite(n)) return 0;
  return Math.max(0, Math.min(100, Math.round(n)));
}

export function shortId(id) {
  return String(id || '').slice(0, 8);
}
