/**
 * How pipelines and runs read on screen: statuses, triggers, schedules,
 * times, durations and parameter values. Pure; the clock, locale and time
 * zone come in as arguments so output is deterministic under test.
 */
import type { CalendarRule, HolidayCalendarSpec, Run, RunStatus, RunTrigger, TaskStatus, TriggerSpec } from './types';

export interface FormatOptions {
  /** BCP 47 locale; default the browser's. */
  locale?: string;
  /** IANA time zone; default the browser's. */
  timeZone?: string;
}

const STATUS_LABELS: Record<RunStatus | TaskStatus, string> = {
  pending: 'Pending',
  queued: 'Queued',
  running: 'Running',
  succeeded: 'Succeeded',
  failed: 'Failed',
  timed_out: 'Timed out',
  cancelled: 'Cancelled',
  skipped: 'Skipped',
};

/** "Succeeded", "Timed out". */
export function statusLabel(status: RunStatus | TaskStatus): string {
  return STATUS_LABELS[status];
}

const TRIGGER_LABELS: Record<RunTrigger, string> = {
  cron: 'Schedule (cron)',
  calendar: 'Schedule (calendar)',
  manual: 'Manual',
  webhook: 'Webhook',
  after: 'After another pipeline',
  backfill: 'Backfill',
  child: 'Child of another run',
  rollback: 'Rollback',
};

export function triggerLabel(trigger: RunTrigger): string {
  return TRIGGER_LABELS[trigger];
}

/** "Jan 2, 2026, 3:04 PM" in the given locale and zone; the raw text for an unreadable time. */
export function formatTime(time: string, options: FormatOptions = {}): string {
  const t = new Date(time);
  if (Number.isNaN(t.getTime())) return time;
  return new Intl.DateTimeFormat(options.locale, { dateStyle: 'medium', timeStyle: 'short', timeZone: options.timeZone }).format(t);
}

/**
 * A fire time as the schedule reads it, in its own time zone: "Mon, Mar 2,
 * 07:00" (24-hour, with the weekday: schedules are read by business day),
 * the year added when it is not `now`'s year there.
 */
export function formatFireTime(time: string, options: FormatOptions & { now?: number } = {}): string {
  const t = new Date(time);
  if (Number.isNaN(t.getTime())) return time;
  const year = (d: Date) => new Intl.DateTimeFormat('en', { year: 'numeric', timeZone: options.timeZone }).format(d);
  const withYear = options.now === undefined || year(t) !== year(new Date(options.now));
  return new Intl.DateTimeFormat(options.locale, { weekday: 'short', ...(withYear && { year: 'numeric' }), month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', hourCycle: 'h23', timeZone: options.timeZone }).format(t);
}

/** The time zone a trigger's times are written in (an `after` trigger has none). */
export function triggerZone(t: TriggerSpec): string | undefined {
  return t.kind === 'after' ? undefined : t.timezone;
}

/** "just now", "5 min ago", "3 h ago", "2 days ago"; ahead: "in 5 min", "in 3 h", "in 2 days". */
export function formatRelative(time: string, now: number): string {
  const t = Date.parse(time);
  if (Number.isNaN(t)) return time;
  const ahead = t > now;
  const s = Math.round(Math.abs(now - t) / 1000);
  let words: string;
  if (s < 45) return ahead ? 'in a moment' : 'just now';
  const m = Math.round(s / 60);
  if (m < 60) words = `${m} min`;
  else if (m < 60 * 24) words = `${Math.round(m / 60)} h`;
  else {
    const d = Math.round(m / 1440);
    words = `${d} ${d === 1 ? 'day' : 'days'}`;
  }
  return ahead ? `in ${words}` : `${words} ago`;
}

/** "850 ms", "12 s", "3 min 05 s", "2 h 07 min". */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '—';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${String(s % 60).padStart(2, '0')} s`;
  return `${Math.floor(m / 60)} h ${String(m % 60).padStart(2, '0')} min`;
}

/** How long something took (or has taken so far, when it has not finished). */
export function elapsed(startedAt: string | null, finishedAt: string | null, now: number): number | null {
  if (!startedAt) return null;
  const start = Date.parse(startedAt);
  const end = finishedAt ? Date.parse(finishedAt) : now;
  return Number.isNaN(start) || Number.isNaN(end) ? null : Math.max(0, end - start);
}

/** A parameter value as text: strings as they are, everything else as JSON. */
export function formatValue(v: unknown): string {
  if (typeof v === 'string') return v;
  if (v === undefined) return '';
  return JSON.stringify(v) ?? String(v);
}

/** The period a run covers: "2026-02 (2026-02-01 – 2026-02-28)", a day alone for one-day periods. */
export function formatPeriod(p: Run['period']): string {
  return p.start === p.end ? p.label : `${p.label} (${p.start} – ${p.end})`;
}

const DAY_NAMES = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

function describeRule(rule: CalendarRule): string {
  switch (rule.type) {
    case 'business_day':
      if (rule.n === -1) return 'Last business day of each month';
      if (rule.n < 0) return `Business day ${-rule.n} from the end of each month`;
      return `Business day ${rule.n} of each month`;
    case 'business_days_after_month_end':
      return `Business day ${rule.n} after each month end`;
    case 'last_business_day':
      return 'Last business day of each month';
  }
}

function describeHolidays(h: HolidayCalendarSpec | undefined): string {
  const parts = [h === undefined ? 'weekends only' : `${h.country}${h.region ? `-${h.region}` : ''} holidays`];
  const closed = h?.closedDays?.length ?? 0;
  if (closed > 0) parts.push(`${closed} closed day${closed === 1 ? '' : 's'}`);
  const weekend = [...new Set(h?.weekend ?? [0, 6])].sort((a, b) => ((a + 6) % 7) - ((b + 6) % 7));
  if ([...weekend].sort().join() !== '0,6') parts.push(weekend.length === 0 ? 'no weekend' : `weekend ${weekend.map((d) => DAY_NAMES[d] ?? String(d)).join('/')}`);
  return parts.join(', ');
}

/**
 * One line saying when a trigger fires, as the server's describeTrigger
 * words it: 'Cron "0 6 * * 1-5" (Europe/Paris)', 'Business day 3 after
 * each month end at 07:00 (Europe/Paris, FR holidays)'.
 */
export function describeTrigger(t: TriggerSpec): string {
  switch (t.kind) {
    case 'cron':
      return `Cron "${t.cron}" (${t.timezone})`;
    case 'calendar':
      return `${describeRule(t.rule)} at ${t.at} (${t.timezone}, ${describeHolidays(t.holidays)})`;
    case 'after':
      return `After pipeline "${t.pipeline}" succeeds`;
  }
}

/** "report.ipynb" from "sales/report.ipynb". */
export function baseName(path: string): string {
  return path.split('/').pop() ?? path;
}

/** "2 runs", "1 run". */
export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}
