/**
 * When time-based triggers fire. Every function takes the instants to count
 * from (no clock inside) and returns instants in increasing order. 'after'
 * triggers fire on events, never on time.
 *
 * cron: croner with the trigger's time zone (see cronOf for the reading).
 * calendar: the wall-clock time `at` in `timezone` on the rule's business
 * day of each month, converted as ZoneClock does (a time in a DST gap fires
 * at the end of the gap; a repeated time fires at its first occurrence). A
 * month with too few business days for the rule is skipped.
 */
import { AppError } from '@workbench/core';
import type { CalendarRule, TriggerSpec } from './trigger-spec';
import type { CivilMonth } from './civil-date';
import { addMonths, parseYmd } from './civil-date';
import { BusinessCalendar } from './business-calendar';
import { ZoneClock } from './zone-clock';
import { assertValidTrigger, cronOf, parseAt } from './validate-trigger';

/** fireTimesBetween's default cap. */
export const DEFAULT_CATCH_UP_LIMIT = 1000;
/** A calendar trigger that finds no fire day in this many months in a row has none left. */
const MAX_EMPTY_MONTHS = 120;

type Direction = 1 | -1;

/** The first fire time strictly after `after`; undefined for 'after' triggers or when none is left. */
export function nextFireTime(t: TriggerSpec, after: Date): Date | undefined {
  return take(walk(t, after, 1, 'compute next fire time'), 1)[0];
}

/** The next `count` fire times strictly after `after` (fewer only when the schedule ends). */
export function nextFireTimes(t: TriggerSpec, after: Date, count: number): Date[] {
  if (!Number.isInteger(count) || count < 0) {
    throw new AppError('bad_request', `Cannot compute fire times: count ${String(count)} is not a whole number`);
  }
  return take(walk(t, after, 1, 'compute fire times'), count);
}

/**
 * Fire times in (from, to], in increasing order: the runs missed while the
 * scheduler was down from `from` (its last check) to `to` (now). When more
 * than `limit` fall in the range, the latest `limit` are returned, since a
 * catch-up runs the most recent misses; the walk goes backward from `to`, so
 * its cost is bounded by `limit`, not by the length of the downtime.
 */
export function fireTimesBetween(t: TriggerSpec, from: Date, to: Date, limit = DEFAULT_CATCH_UP_LIMIT): Date[] {
  const action = 'compute missed fire times';
  if (!Number.isInteger(limit) || limit < 0) {
    throw new AppError('bad_request', `Cannot ${action}: limit ${String(limit)} is not a whole number`);
  }
  if (!isInstant(from)) throw new AppError('bad_request', `Cannot ${action}: invalid start instant`);
  const latestFirst = walk(t, new Date(to.getTime() + 1), -1, action);
  const times: Date[] = [];
  if (limit === 0) return times;
  for (const time of latestFirst) {
    if (time.getTime() <= from.getTime()) break;
    times.push(time);
    if (times.length >= limit) break;
  }
  return times.reverse();
}

/** The business day of `month` on which `rule` fires, or undefined when the month has too few. */
export function fireDayOfMonth(calendar: BusinessCalendar, rule: CalendarRule, month: CivilMonth): string | undefined {
  const days = calendar.businessDaysOfMonth(month.year, month.month);
  switch (rule.type) {
    case 'business_day':
      return rule.n > 0 ? days[rule.n - 1] : days[days.length + rule.n];
    case 'business_days_after_month_end':
      // The n-th business day after the previous month's last calendar day.
      return days[rule.n - 1];
    case 'last_business_day':
      return days[days.length - 1];
  }
}

/**
 * Fire times strictly after `start` going forward (direction 1) or strictly
 * before it going backward (-1). Checks eagerly, then yields lazily.
 */
function walk(t: TriggerSpec, start: Date, direction: Direction, action: string): Iterable<Date> {
  if (!isInstant(start)) {
    throw new AppError('bad_request', `Cannot ${action}: invalid ${direction === 1 ? 'start' : 'end'} instant`);
  }
  assertValidTrigger(t, action);
  switch (t.kind) {
    case 'after':
      return [];
    case 'cron':
      return cronTimes(t, start, direction);
    case 'calendar':
      return calendarTimes(t, start, direction);
  }
}

function* cronTimes(t: Extract<TriggerSpec, { kind: 'cron' }>, start: Date, direction: Direction): Generator<Date, void, undefined> {
  const cron = cronOf(t.cron, t.timezone);
  let cursor = start;
  for (;;) {
    // previousRuns counts a run earlier in the reference's own second, so `start` stays exclusive both ways.
    const next = direction === 1 ? cron.nextRun(cursor) : cron.previousRuns(1, cursor)[0];
    if (!next) return;
    yield next;
    cursor = next;
  }
}

function* calendarTimes(
  t: Extract<TriggerSpec, { kind: 'calendar' }>,
  start: Date,
  direction: Direction,
): Generator<Date, void, undefined> {
  const calendar = new BusinessCalendar(t.holidays);
  const zone = new ZoneClock(t.timezone);
  const [hour, minute] = parseAt(t.at)!;
  // Start a month early (late, going backward): a time in a gap just before
  // midnight can move a fire into the next day, and so into the next month.
  let month = addMonths(zone.wallClock(start), -direction);
  for (let empty = 0; empty < MAX_EMPTY_MONTHS && month.year >= 1 && month.year <= 9999; month = addMonths(month, direction)) {
    const ymd = fireDayOfMonth(calendar, t.rule, month);
    if (ymd === undefined) {
      empty++;
      continue;
    }
    empty = 0;
    const fire = zone.instant({ ...parseYmd(ymd)!, hour, minute, second: 0 });
    if ((fire.getTime() - start.getTime()) * direction > 0) yield fire;
  }
}

function isInstant(d: unknown): d is Date {
  return d instanceof Date && !Number.isNaN(d.getTime());
}

function take<T>(items: Iterable<T>, count: number): T[] {
  const out: T[] = [];
  if (count <= 0) return out;
  for (const item of items) {
    out.push(item);
    if (out.length >= count) break;
  }
  return out;
}
