/**
 * Business days for close-calendar triggers: a day is a business day unless
 * it falls on the weekend, is a holiday of the country (and region) in
 * `date-holidays`, or is one of the company's closed days.
 *
 * Which `date-holidays` entries close a day:
 * - types 'public' and 'bank'. Bank holidays count because a close depends on
 *   banks: no statements, no settlements, no payment runs that day (e.g.
 *   Good Friday in Ireland, Jan 2-3 in Japan). 'optional', 'school' and
 *   'observance' (US Christmas Eve, Mother's Day) do not close a day.
 * - whole days only: an entry starting after midnight (DE "Heiliger Abend"
 *   from 14:00, "Silvester" from 14:00) leaves the morning open, so the day
 *   stays a business day; list it in `closedDays` if the company shuts.
 * - substitute days count: `date-holidays` reports them as entries of their
 *   own with `substitute: true` (US Independence Day 2026 on Saturday July 4
 *   -> "Independence Day (substitute day)" on Friday July 3).
 * - holidays lasting several days close each of their days.
 */
import Holidays from 'date-holidays';
import { AppError } from '@workbench/core';
import type { HolidayCalendarSpec } from './trigger-spec';
import type { CivilDate } from './civil-date';
import { addDays, dayOfWeek, daysInMonth, formatYmd, isSupportedYear, parseYmd } from './civil-date';

const COUNTED_TYPES: ReadonlySet<string> = new Set(['public', 'bank']);
const DEFAULT_WEEKEND: readonly number[] = [0, 6];
const CLOSED_DAY_NAME = 'Company closed day';
/** How far addBusinessDays walks before deciding the calendar has no business days left. */
const MAX_WALK_DAYS = 3660;
const DAY_MS = 86_400_000;

/** What is wrong with a holiday calendar spec: the field (relative to the spec) and why. */
export interface CalendarProblem {
  field: 'country' | 'region' | 'closedDays' | 'weekend';
  reason: string;
}

/** The first problem of `spec`, or undefined when `new BusinessCalendar(spec)` will succeed. */
export function holidayCalendarProblem(spec: HolidayCalendarSpec): CalendarProblem | undefined {
  return resolveSpec(spec).problem;
}

interface Resolved {
  problem?: CalendarProblem;
  country?: string;
  region?: string;
}

function resolveSpec(spec: HolidayCalendarSpec): Resolved {
  const query = new Holidays();
  const countries = query.getCountries() ?? {};
  const country = Object.keys(countries).find((c) => c === String(spec.country ?? '').toUpperCase());
  if (country === undefined) return { problem: { field: 'country', reason: `unknown country "${spec.country}"` } };
  let region: string | undefined;
  if (spec.region !== undefined) {
    const states = query.getStates(country) ?? {};
    region = Object.keys(states).find((s) => s.toUpperCase() === String(spec.region).toUpperCase());
    if (region === undefined) {
      return { problem: { field: 'region', reason: `unknown region "${spec.region}" of country "${country}"` } };
    }
  }
  for (const day of spec.closedDays ?? []) {
    if (parseYmd(day) === undefined) {
      return { problem: { field: 'closedDays', reason: `closed day "${day}" is not a YYYY-MM-DD date` } };
    }
  }
  const weekend = spec.weekend ?? DEFAULT_WEEKEND;
  const bad = weekend.find((d) => !Number.isInteger(d) || d < 0 || d > 6);
  if (bad !== undefined) {
    return { problem: { field: 'weekend', reason: `weekend day ${String(bad)} is not 0 (Sunday) .. 6 (Saturday)` } };
  }
  if (new Set(weekend).size === 7) return { problem: { field: 'weekend', reason: 'every day of the week is a weekend day' } };
  return { country, region };
}

export class BusinessCalendar {
  readonly #holidays: Holidays | undefined;
  readonly #closedDays: ReadonlySet<string>;
  readonly #weekend: ReadonlySet<number>;
  /** Per year: closing holidays by `YYYY-MM-DD`, with their names. */
  readonly #years = new Map<number, ReadonlyMap<string, string>>();

  /** Without a spec: weekends (Saturday, Sunday) only. */
  constructor(spec?: HolidayCalendarSpec) {
    if (spec === undefined) {
      this.#closedDays = new Set();
      this.#weekend = new Set(DEFAULT_WEEKEND);
      return;
    }
    const resolved = resolveSpec(spec);
    if (resolved.problem) {
      throw new AppError('bad_request', `Cannot build holiday calendar: ${resolved.problem.reason}`, {
        details: { field: resolved.problem.field },
      });
    }
    this.#holidays =
      resolved.region === undefined ? new Holidays(resolved.country!) : new Holidays(resolved.country!, resolved.region);
    this.#closedDays = new Set(spec.closedDays ?? []);
    this.#weekend = new Set(spec.weekend ?? DEFAULT_WEEKEND);
  }

  isBusinessDay(ymd: string): boolean {
    return this.#isBusinessDay(toDate(ymd, 'check business day'));
  }

  /** The closing holiday's name, else 'Company closed day' for a closed day, else undefined (weekends too). */
  holidayName(ymd: string): string | undefined {
    const d = toDate(ymd, 'look up holiday');
    return this.#holidaysOf(d.year).get(ymd) ?? (this.#closedDays.has(ymd) ? CLOSED_DAY_NAME : undefined);
  }

  /** The business days of a month (1..12), in order, as `YYYY-MM-DD`. */
  businessDaysOfMonth(year: number, month: number): string[] {
    if (!isSupportedYear(year) || !Number.isInteger(month) || month < 1 || month > 12) {
      throw new AppError('bad_request', `Cannot list business days: no month ${String(month)} of year ${String(year)}`);
    }
    const days: string[] = [];
    for (let day = 1; day <= daysInMonth(year, month); day++) {
      const d = { year, month, day };
      if (this.#isBusinessDay(d)) days.push(formatYmd(d));
    }
    return days;
  }

  /**
   * The n-th business day after `ymd` (n > 0) or before it (n < 0), not
   * counting `ymd` itself; n = 0 returns `ymd` unchanged, business day or not.
   */
  addBusinessDays(ymd: string, n: number): string {
    let d = toDate(ymd, 'add business days');
    if (!Number.isInteger(n)) throw new AppError('bad_request', `Cannot add business days: ${String(n)} is not an integer`);
    const step = n < 0 ? -1 : 1;
    let left = Math.abs(n);
    let walked = 0;
    while (left > 0) {
      d = addDays(d, step);
      if (!isSupportedYear(d.year) || ++walked > MAX_WALK_DAYS + left) {
        throw new AppError('bad_request', `Cannot add business days: no business day within ten years of ${ymd}`);
      }
      if (this.#isBusinessDay(d)) left--;
    }
    return formatYmd(d);
  }

  #isBusinessDay(d: CivilDate): boolean {
    if (this.#weekend.has(dayOfWeek(d))) return false;
    const ymd = formatYmd(d);
    return !this.#closedDays.has(ymd) && !this.#holidaysOf(d.year).has(ymd);
  }

  #holidaysOf(year: number): ReadonlyMap<string, string> {
    const cached = this.#years.get(year);
    if (cached) return cached;
    const days = new Map<string, string>();
    const prefix = `${String(year).padStart(4, '0')}-`;
    // A holiday of several days that starts in December closes days of the next year too.
    for (const y of [year - 1, year]) {
      if (this.#holidays === undefined || !isSupportedYear(y)) continue;
      for (const h of this.#holidays.getHolidays(y)) {
        if (!COUNTED_TYPES.has(h.type) || h.date.slice(11, 19) !== '00:00:00') continue;
        const first = parseYmd(h.date.slice(0, 10));
        if (first === undefined) continue;
        const length = Math.max(1, Math.round((h.end.getTime() - h.start.getTime()) / DAY_MS));
        for (let i = 0; i < length; i++) {
          const ymd = formatYmd(addDays(first, i));
          if (ymd.startsWith(prefix) && !days.has(ymd)) days.set(ymd, h.name);
        }
      }
    }
    this.#years.set(year, days);
    return days;
  }
}

function toDate(ymd: string, action: string): CivilDate {
  const d = parseYmd(ymd);
  if (d === undefined) throw new AppError('bad_request', `Cannot ${action}: "${ymd}" is not a YYYY-MM-DD date`);
  return d;
}
