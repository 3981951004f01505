import type { TriggerSpec } from './index';
import { describeTrigger } from './index';

const close: TriggerSpec = {
  kind: 'calendar',
  rule: { type: 'business_day', n: 3 },
  at: '07:00',
  timezone: 'Europe/Paris',
  holidays: { country: 'FR' },
};

describe('describeTrigger', () => {
  it('says when a trigger fires', () => {
    expect(describeTrigger(close)).toBe('Business day 3 of each month at 07:00 (Europe/Paris, FR holidays)');
    expect(describeTrigger({ ...close, rule: { type: 'business_day', n: -1 } })).toBe(
      'Last business day of each month at 07:00 (Europe/Paris, FR holidays)',
    );
    expect(describeTrigger({ ...close, rule: { type: 'business_day', n: -2 } })).toBe(
      'Business day 2 from the end of each month at 07:00 (Europe/Paris, FR holidays)',
    );
    expect(
      describeTrigger({
        ...close,
        rule: { type: 'business_days_after_month_end', n: 5 },
        at: '09:30',
        timezone: 'Europe/Berlin',
        holidays: { country: 'DE', region: 'BY', closedDays: ['2026-12-24', '2026-12-31'] },
      }),
    ).toBe('Business day 5 after each month end at 09:30 (Europe/Berlin, DE-BY holidays, 2 closed days)');
    expect(describeTrigger({ ...close, rule: { type: 'last_business_day' }, holidays: undefined })).toBe(
      'Last business day of each month at 07:00 (Europe/Paris, weekends only)',
    );
    expect(describeTrigger({ ...close, holidays: { country: 'AE', weekend: [6, 5] } })).toBe(
      'Business day 3 of each month at 07:00 (Europe/Paris, AE holidays, weekend Fri/Sat)',
    );
    expect(describeTrigger({ kind: 'cron', cron: '0 6 * * 1-5', timezone: 'Europe/Paris' })).toBe('cron "0 6 * * 1-5" (Europe/Paris)');
    expect(describeTrigger({ kind: 'after', pipeline: 'finance/ingest.pipeline.yaml' })).toBe(
      'After pipeline "finance/ingest.pipeline.yaml" succeeds',
    );
  });
});
