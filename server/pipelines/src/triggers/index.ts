/** Triggers: when pipelines fire (cron, close calendar) and which period a run covers. */
export type { CalendarRule, HolidayCalendarSpec, Period, PeriodKind, TriggerSpec } from './trigger-spec';
export { BusinessCalendar } from './business-calendar';
export { validateTrigger } from './validate-trigger';
export { nextFireTime, nextFireTimes, fireTimesBetween, DEFAULT_CATCH_UP_LIMIT } from './fire-times';
export { periodOf, periodsInRange, logicalDateForPeriod, MAX_BACKFILL_PERIODS } from './periods';
export { describeTrigger } from './describe-trigger';
