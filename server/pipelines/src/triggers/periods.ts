/**
 * The period a run covers. A run has a logical date (its scheduled fire
 * time, or the one a backfill makes up); the pipeline's PeriodKind says
 * which month or day of that date, read in the trigger's time zone, the run
 * is about: a close that fires on business day 3 of December with
 * `previous_month` covers November.
 */
import { AppError } from '@workbench/core';
import type { Period, PeriodKind } from './trigger-spec';
import type { CivilDate, CivilMonth } from './civil-date';
import { addDays, addMonths, daysBetween, daysInMonth, formatYm, formatYmd, monthsBetween, parseYm, parseYmd } from './civil-date';
import { ZoneClock } from './zone-clock';

/** The most periods one backfill may cover. */
export const MAX_BACKFILL_PERIODS = 120;

/** The period a run with this logical date covers, reading the date in `timezone`. */
export function periodOf(logicalDate: Date, timezone: string, kind: PeriodKind): Period {
  const action = 'compute period';
  const zone = zoneFor(timezone, action);
  if (!(logicalDate instanceof Date) || Number.isNaN(logicalDate.getTime())) {
    throw new AppError('bad_request', `Cannot ${action}: invalid logical date`);
  }
  const local: CivilDate = zone.wallClock(logicalDate);
  switch (kind) {
    case 'current_month':
      return monthPeriod(local);
    case 'previous_month':
      return monthPeriod(addMonths(local, -1));
    case 'current_day':
      return dayPeriod(local);
    case 'previous_day':
      return dayPeriod(addDays(local, -1));
    default:
      throw unknownKind(kind, action);
  }
}

/**
 * Every month (`YYYY-MM`) or day (`YYYY-MM-DD`) from `from` to `to`
 * inclusive, for a backfill. At most MAX_BACKFILL_PERIODS.
 */
export function periodsInRange(from: string, to: string, kind: 'month' | 'day'): Period[] {
  const action = 'list backfill periods';
  if (kind === 'month') {
    const first = parseYm(from);
    const last = parseYm(to);
    if (!first || !last) throw new AppError('bad_request', `Cannot ${action}: months are written YYYY-MM (got "${from}", "${to}")`);
    const count = checkCount(monthsBetween(first, last) + 1, from, to, action);
    return Array.from({ length: count }, (_, i) => monthPeriod(addMonths(first, i)));
  }
  if (kind === 'day') {
    const first = parseYmd(from);
    const last = parseYmd(to);
    if (!first || !last) throw new AppError('bad_request', `Cannot ${action}: days are written YYYY-MM-DD (got "${from}", "${to}")`);
    const count = checkCount(daysBetween(first, last) + 1, from, to, action);
    return Array.from({ length: count }, (_, i) => dayPeriod(addDays(first, i)));
  }
  throw new AppError('bad_request', `Cannot ${action}: unknown period kind "${String(kind)}"`);
}

/**
 * The logical date whose period (periodOf with the same zone and kind) is
 * `p`: the first instant of the day or month after `p` for previous_*, of
 * `p` itself for current_*. Midnight in a DST gap becomes the gap's end.
 */
export function logicalDateForPeriod(p: Period, timezone: string, kind: PeriodKind): Date {
  const action = 'compute logical date';
  const zone = zoneFor(timezone, action);
  const start = parseYmd(p?.start);
  const month = kind === 'previous_month' || kind === 'current_month';
  if (kind !== 'previous_day' && kind !== 'current_day' && !month) throw unknownKind(kind, action);
  const expected = start && (month ? monthPeriod(start) : dayPeriod(start));
  if (!expected || expected.start !== p.start || expected.end !== p.end || expected.label !== p.label) {
    throw new AppError('bad_request', `Cannot ${action}: "${String(p?.label)}" is not a whole ${month ? 'month' : 'day'} period`);
  }
  let day: CivilDate;
  switch (kind) {
    case 'previous_month':
      day = { ...addMonths(start, 1), day: 1 };
      break;
    case 'current_month':
      day = start;
      break;
    case 'previous_day':
      day = addDays(start, 1);
      break;
    case 'current_day':
      day = start;
      break;
  }
  return zone.instant({ ...day, hour: 0, minute: 0, second: 0 });
}

function monthPeriod(m: CivilMonth): Period {
  return {
    start: formatYmd({ year: m.year, month: m.month, day: 1 }),
    end: formatYmd({ year: m.year, month: m.month, day: daysInMonth(m.year, m.month) }),
    label: formatYm(m),
  };
}

function dayPeriod(d: CivilDate): Period {
  const ymd = formatYmd(d);
  return { start: ymd, end: ymd, label: ymd };
}

function checkCount(count: number, from: string, to: string, action: string): number {
  if (count < 1) throw new AppError('bad_request', `Cannot ${action}: "${from}" is after "${to}"`);
  if (count > MAX_BACKFILL_PERIODS) {
    throw new AppError('bad_request', `Cannot ${action}: ${count} periods from "${from}" to "${to}" (at most ${MAX_BACKFILL_PERIODS})`);
  }
  return count;
}

function zoneFor(timezone: string, action: string): ZoneClock {
  const zone = ZoneClock.of(timezone);
  if (zone) return zone;
  throw new AppError('bad_request', `Cannot ${action}: unknown time zone "${String(timezone)}"`);
}

function unknownKind(kind: unknown, action: string): AppError {
  return new AppError('bad_request', `Cannot ${action}: unknown period kind "${String(kind)}"`);
}
