/**
 * Calendar ("civil") dates without a time zone, written `YYYY-MM-DD`, and
 * months (1..12). Arithmetic runs on UTC day numbers, so the process time
 * zone never leaks in. Years are 1..9999: four digits, as the format says.
 */

export interface CivilDate {
  year: number;
  /** 1..12 */
  month: number;
  day: number;
}

export interface CivilMonth {
  year: number;
  /** 1..12 */
  month: number;
}

const DAY_MS = 86_400_000;
const YMD = /^(\d{4})-(\d{2})-(\d{2})$/;
const YM = /^(\d{4})-(\d{2})$/;

/** Milliseconds of UTC midnight of a civil date (years below 100 are not shifted to 19xx). */
export function utcMs(year: number, month: number, day: number, hour = 0, minute = 0, second = 0): number {
  const d = new Date(0);
  d.setUTCFullYear(year, month - 1, day);
  d.setUTCHours(hour, minute, second, 0);
  return d.getTime();
}

function fromUtcMs(ms: number): CivilDate {
  const d = new Date(ms);
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() };
}

export function isSupportedYear(year: number): boolean {
  return Number.isInteger(year) && year >= 1 && year <= 9999;
}

/** The date, or undefined when `text` is not `YYYY-MM-DD` or names no real day (e.g. 2026-02-30). */
export function parseYmd(text: string): CivilDate | undefined {
  const m = typeof text === 'string' ? YMD.exec(text) : null;
  if (!m) return undefined;
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  if (!isSupportedYear(year) || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
  return { year, month, day };
}

/** The month, or undefined when `text` is not `YYYY-MM`. */
export function parseYm(text: string): CivilMonth | undefined {
  const m = typeof text === 'string' ? YM.exec(text) : null;
  if (!m) return undefined;
  const year = Number(m[1]);
  const month = Number(m[2]);
  if (!isSupportedYear(year) || month < 1 || month > 12) return undefined;
  return { year, month };
}

const pad = (n: number, width: number): string => String(n).padStart(width, '0');

export function formatYmd(d: CivilDate): string {
  return `${pad(d.year, 4)}-${pad(d.month, 2)}-${pad(d.day, 2)}`;
}

export function formatYm(m: CivilMonth): string {
  return `${pad(m.year, 4)}-${pad(m.month, 2)}`;
}

export function daysInMonth(year: number, month: number): number {
  return new Date(utcMs(year, month + 1, 0)).getUTCDate();
}

/** 0 = Sunday .. 6 = Saturday. */
export function dayOfWeek(d: CivilDate): number {
  return new Date(utcMs(d.year, d.month, d.day)).getUTCDay();
}

export function addDays(d: CivilDate, n: number): CivilDate {
  return fromUtcMs(utcMs(d.year, d.month, d.day) + n * DAY_MS);
}

export function addMonths(m: CivilMonth, n: number): CivilMonth {
  const index = m.year * 12 + (m.month - 1) + n;
  return { year: Math.floor(index / 12), month: (index % 12) + 1 };
}

/** Whole months from `a` to `b` (negative when b is earlier). */
export function monthsBetween(a: CivilMonth, b: CivilMonth): number {
  return b.year * 12 + b.month - (a.year * 12 + a.month);
}

/** Whole days from `a` to `b` (negative when b is earlier). */
export function daysBetween(a: CivilDate, b: CivilDate): number {
  return Math.round((utcMs(b.year, b.month, b.day) - utcMs(a.year, a.month, a.day)) / DAY_MS);
}
