import type { TriggerSpec } from './index';
import { validateTrigger } from './index';

const close: TriggerSpec = {
  kind: 'calendar',
  rule: { type: 'business_day', n: 3 },
  at: '07:00',
  timezone: 'Europe/Paris',
  holidays: { country: 'FR' },
};

describe('validateTrigger', () => {
  it('accepts good triggers', () => {
    const good: TriggerSpec[] = [
      close,
      { ...close, rule: { type: 'business_day', n: -23 } },
      { ...close, rule: { type: 'business_days_after_month_end', n: 23 } },
      { ...close, rule: { type: 'last_business_day' }, at: '23:59', holidays: undefined },
      { ...close, holidays: { country: 'DE', region: 'BY', closedDays: ['2026-12-24'], weekend: [] } },
      { kind: 'cron', cron: '0 6 * * 1-5', timezone: 'Europe/Paris' },
      { kind: 'cron', cron: '0 30 6 * * *', timezone: 'UTC' },
      { kind: 'cron', cron: '@daily', timezone: 'America/New_York' },
      { kind: 'after', pipeline: 'finance/ingest.pipeline.yaml' },
    ];
    for (const t of good) expect([t, validateTrigger(t)]).toEqual([t, undefined]);
  });

  it('names the field and the reason', () => {
    const cases: Array<[TriggerSpec, string]> = [
      [
        { kind: 'cron', cron: '61 * * * *', timezone: 'UTC' },
        'cron: "61 * * * *" is not a valid cron expression (CronPattern: Invalid value for minute: 61)',
      ],
      [{ kind: 'cron', cron: '0 6 * * 1-5', timezone: 'Mars/Olympus_Mons' }, 'timezone: unknown time zone "Mars/Olympus_Mons"'],
      [{ ...close, timezone: 'Europe/Pariss' }, 'timezone: unknown time zone "Europe/Pariss"'],
      [
        { ...close, rule: { type: 'business_day', n: 0 } },
        'rule.n: must be 1..23, or -23..-1 to count from the month end (got 0)',
      ],
      [
        { ...close, rule: { type: 'business_day', n: 24 } },
        'rule.n: must be 1..23, or -23..-1 to count from the month end (got 24)',
      ],
      [
        { ...close, rule: { type: 'business_day', n: 2.5 } },
        'rule.n: must be 1..23, or -23..-1 to count from the month end (got 2.5)',
      ],
      [{ ...close, rule: { type: 'business_days_after_month_end', n: -1 } }, 'rule.n: must be 1..23 (got -1)'],
      [{ ...close, rule: { type: 'first_monday' } as never }, 'rule.type: unknown rule "first_monday"'],
      [{ ...close, at: '25:00' }, 'at: "25:00" is not a 24-hour HH:MM time'],
      [{ ...close, at: '7:00' }, 'at: "7:00" is not a 24-hour HH:MM time'],
      [{ ...close, at: '07:60' }, 'at: "07:60" is not a 24-hour HH:MM time'],
      [{ ...close, holidays: { country: 'XX' } }, 'holidays.country: unknown country "XX"'],
      [{ ...close, holidays: { country: 'DE', region: 'ZZ' } }, 'holidays.region: unknown region "ZZ" of country "DE"'],
      [
        { ...close, holidays: { country: 'FR', closedDays: ['2026-12-24', '24/12/2026'] } },
        'holidays.closedDays: closed day "24/12/2026" is not a YYYY-MM-DD date',
      ],
      [{ ...close, holidays: { country: 'FR', weekend: [6, 7] } }, 'holidays.weekend: weekend day 7 is not 0 (Sunday) .. 6 (Saturday)'],
      [{ kind: 'after', pipeline: '  ' }, 'pipeline: must name a pipeline'],
      [{ kind: 'webhook' } as never, 'kind: unknown trigger kind "webhook"'],
    ];
    for (const [t, expected] of cases) expect(validateTrigger(t)).toBe(expected);
  });

  it('accepts 5 or 6 cron fields only, and no dates', () => {
    const problem = (cron: string): string | undefined => validateTrigger({ kind: 'cron', cron, timezone: 'UTC' });
    expect(problem('0 0 6 * * * 2026')).toMatch(/^cron: "0 0 6 \* \* \* 2026" is not a valid cron expression \(.*5 or 6 parts/);
    expect(problem('0 6 * *')).toMatch(/^cron: "0 6 \* \*" is not a valid cron expression/);
    expect(problem('2026-01-01T06:00:00')).toBe('cron: "2026-01-01T06:00:00" is not a cron expression');
    expect(problem('')).toMatch(/^cron: "" is not a valid cron expression/);
  });
});
