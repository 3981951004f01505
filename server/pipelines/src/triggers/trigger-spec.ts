/**
 * What starts a pipeline run, as parsed from a pipeline's YAML (spec/) and
 * evaluated by the trigger functions beside this file. Times are wall-clock
 * in `timezone` (an IANA name); fire times are absolute instants.
 */

/** A holiday calendar from `date-holidays` plus the company's own closed days. */
export interface HolidayCalendarSpec {
  /** ISO 3166-1 alpha-2, e.g. "FR", "US", "DE". */
  country: string;
  /** date-holidays' state/region code, e.g. "BY" for Bavaria. */
  region?: string;
  /** Company-specific closed days, `YYYY-MM-DD`. */
  closedDays?: readonly string[];
  /** Weekend days, 0 = Sunday .. 6 = Saturday. Default [0, 6]. */
  weekend?: readonly number[];
}

/** Which business day of a month a calendar trigger fires on. */
export type CalendarRule =
  /** The n-th business day of every month (n >= 1), or counted from the end when negative (-1 = last). */
  | { type: 'business_day'; n: number }
  /** The n-th business day after the month ends (n >= 1): business day n of the next month. */
  | { type: 'business_days_after_month_end'; n: number }
  /** The last business day of every month. */
  | { type: 'last_business_day' };

/** Which period a run covers, from its logical date. */
export type PeriodKind = 'previous_month' | 'current_month' | 'previous_day' | 'current_day';

export interface Period {
  /** First day, `YYYY-MM-DD`. */
  start: string;
  /** Last day (inclusive), `YYYY-MM-DD`. */
  end: string;
  /** `YYYY-MM` for months, `YYYY-MM-DD` for days. */
  label: string;
}

export type TriggerSpec =
  | { kind: 'cron'; cron: string; timezone: string }
  | { kind: 'calendar'; rule: CalendarRule; /** `HH:MM`, 24-hour. */ at: string; timezone: string; holidays?: HolidayCalendarSpec }
  /** Runs when another pipeline's run succeeded (its id: the workspace path of its YAML). */
  | { kind: 'after'; pipeline: string };
