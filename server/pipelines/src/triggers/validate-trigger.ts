/**
 * Checks a TriggerSpec beyond its shape: the cron expression parses, the
 * time zone exists, the business-day rule and `at` are in range, the holiday
 * calendar names a known country/region. The YAML parser reports the text;
 * the fire-time functions refuse a trigger that fails it.
 */
import { Cron } from 'croner';
import { AppError, describeError } from '@workbench/core';
import type { CalendarRule, TriggerSpec } from './trigger-spec';
import { holidayCalendarProblem } from './business-calendar';
import { isValidTimeZone } from './zone-clock';

/** The largest |n| of a business-day rule: no month has more than 23 weekdays. */
export const MAX_BUSINESS_DAY = 23;

const AT = /^([01]\d|2[0-3]):([0-5]\d)$/;

/**
 * How croner reads our cron expressions:
 * - 5 fields (minute precision) or 6 (leading seconds); croner's 7th field (year) is refused.
 * - `domAndDow: false` (croner's legacy mode, its default): when both day-of-month and
 *   day-of-week are restricted, a day matching either fires, as in Vixie cron and POSIX
 *   (`0 6 1 * 1` = the 1st and every Monday); when one of them is `*`, only the other counts.
 * - `fixedTimeRule: 'no-wildcard'`: a job without `*` or a step in its second, minute and hour
 *   fields (`30 2,14 * * *`) is a fixed-time job, as in Vixie cron: after a DST gap it fires at
 *   the first valid instant, and a repeated hour fires once. Other jobs (`*\/15 * * * *`) skip
 *   times in a gap and fire on both occurrences of a repeated time.
 */
export function cronOf(expression: string, timezone: string): Cron {
  return new Cron(expression, { timezone, mode: '5-or-6-parts', domAndDow: false, fixedTimeRule: 'no-wildcard' });
}

/** `[hour, minute]` of an `HH:MM` time, or undefined when it is not one. */
export function parseAt(at: string): [number, number] | undefined {
  const m = typeof at === 'string' ? AT.exec(at) : null;
  return m ? [Number(m[1]), Number(m[2])] : undefined;
}

/** Human text naming the first bad field, or undefined when the trigger is fine. */
export function validateTrigger(t: TriggerSpec): string | undefined {
  switch (t.kind) {
    case 'after':
      return typeof t.pipeline === 'string' && t.pipeline.trim() !== '' ? undefined : 'pipeline: must name a pipeline';
    case 'cron':
      return timezoneProblem(t.timezone) ?? cronProblem(t.cron, t.timezone);
    case 'calendar': {
      const problem = timezoneProblem(t.timezone) ?? ruleProblem(t.rule);
      if (problem) return problem;
      if (parseAt(t.at) === undefined) return `at: "${String(t.at)}" is not a 24-hour HH:MM time`;
      if (t.holidays === undefined) return undefined;
      const calendar = holidayCalendarProblem(t.holidays);
      return calendar && `holidays.${calendar.field}: ${calendar.reason}`;
    }
    default:
      return `kind: unknown trigger kind "${String((t as { kind: unknown }).kind)}"`;
  }
}

/** @throws AppError('bad_request') with validateTrigger's text. */
export function assertValidTrigger(t: TriggerSpec, action: string): void {
  const problem = validateTrigger(t);
  if (problem !== undefined) throw new AppError('bad_request', `Cannot ${action}: ${problem}`);
}

function timezoneProblem(timezone: string): string | undefined {
  return isValidTimeZone(timezone) ? undefined : `timezone: unknown time zone "${String(timezone)}"`;
}

function cronProblem(expression: string, timezone: string): string | undefined {
  // croner reads a string holding ':' as a one-off ISO date, not a pattern.
  if (typeof expression !== 'string' || expression.includes(':')) {
    return `cron: "${String(expression)}" is not a cron expression`;
  }
  try {
    cronOf(expression, timezone);
    return undefined;
  } catch (err) {
    return `cron: "${expression}" is not a valid cron expression (${describeError(err)})`;
  }
}

function ruleProblem(rule: CalendarRule): string | undefined {
  switch (rule?.type) {
    case 'last_business_day':
      return undefined;
    case 'business_day': {
      const n = rule.n;
      return Number.isInteger(n) && n !== 0 && Math.abs(n) <= MAX_BUSINESS_DAY
        ? undefined
        : `rule.n: must be 1..${MAX_BUSINESS_DAY}, or -${MAX_BUSINESS_DAY}..-1 to count from the month end (got ${String(n)})`;
    }
    case 'business_days_after_month_end': {
      const n = rule.n;
      return Number.isInteger(n) && n >= 1 && n <= MAX_BUSINESS_DAY
        ? undefined
        : `rule.n: must be 1..${MAX_BUSINESS_DAY} (got ${String(n)})`;
    }
    default:
      return `rule.type: unknown rule "${String((rule as { type?: unknown } | undefined)?.type)}"`;
  }
}
