/**
 * One line saying when a trigger fires, for the pipelines UI and run
 * listings: 'Business day 3 of each month at 07:00 (Europe/Paris, FR holidays)'.
 * Describes what is written; it does not validate (see validateTrigger).
 */
import type { CalendarRule, HolidayCalendarSpec, TriggerSpec } from './trigger-spec';

const DAY_NAMES = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

export function describeTrigger(t: TriggerSpec): string {
  switch (t.kind) {
    case 'cron':
      return `cron "${t.cron}" (${t.timezone})`;
    case 'calendar':
      return `${describeRule(t.rule)} at ${t.at} (${t.timezone}, ${describeHolidays(t.holidays)})`;
    case 'after':
      return `After pipeline "${t.pipeline}" succeeds`;
    default:
      return `Unknown trigger "${String((t as { kind: unknown }).kind)}"`;
  }
}

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
    default:
      return `Unknown rule "${String((rule as { type: unknown }).type)}"`;
  }
}

function describeHolidays(h: HolidayCalendarSpec | undefined): string {
  const parts = [h === undefined ? 'weekends only' : `${h.country}${h.region ? `-${h.region}` : ''} holidays`];
  const closed = h?.closedDays?.length ?? 0;
  if (closed > 0) parts.push(`${closed} closed day${closed === 1 ? '' : 's'}`);
  const weekend = [...new Set(h?.weekend ?? [0, 6])].sort((a, b) => a - b);
  if (weekend.join() !== '0,6') {
    // Listed Monday first, so a Friday/Saturday weekend reads "Fri/Sat".
    weekend.sort((a, b) => ((a + 6) % 7) - ((b + 6) % 7));
    parts.push(weekend.length === 0 ? 'no weekend' : `weekend ${weekend.map((d) => DAY_NAMES[d] ?? String(d)).join('/')}`);
  }
  return parts.join(', ');
}
