/**
 * Expected instants are written by hand: the business day from a printed
 * calendar and the holiday lists, the UTC offset from the zone's DST rules
 * (Europe/Paris +01:00, +02:00 from the last Sunday of March to the last
 * Sunday of October; America/New_York -05:00, -04:00 from the second Sunday of
 * March to the first Sunday of November).
 */
import { isAppError } from '@workbench/core';
import type { TriggerSpec } from './index';
import { fireTimesBetween, nextFireTime, nextFireTimes } from './index';

const iso = (dates: readonly Date[]): string[] => dates.map((d) => d.toISOString());
const at = (text: string): Date => new Date(text);
/** Only Sundays are business days: puts calendar fires on DST-change Sundays. */
const SUNDAYS_ONLY = [1, 2, 3, 4, 5, 6];

const frClose: TriggerSpec = {
  kind: 'calendar',
  rule: { type: 'business_day', n: 3 },
  at: '07:00',
  timezone: 'Europe/Paris',
  holidays: { country: 'FR' },
};

describe('calendar triggers', () => {
  it('fires on business day 3 of each month of 2026 in Paris, 12 strictly increasing times', () => {
    const times = nextFireTimes(frClose, at('2026-01-01T00:00:00Z'), 12);
    expect(iso(times)).toEqual([
      '2026-01-06T06:00:00.000Z', // Jan 1 holiday: Fri 2, Mon 5, Tue 6
      '2026-02-04T06:00:00.000Z',
      '2026-03-04T06:00:00.000Z',
      '2026-04-03T05:00:00.000Z', // CEST from here
      '2026-05-06T05:00:00.000Z', // May 1 holiday: Mon 4, Tue 5, Wed 6
      '2026-06-03T05:00:00.000Z',
      '2026-07-03T05:00:00.000Z',
      '2026-08-05T05:00:00.000Z',
      '2026-09-03T05:00:00.000Z',
      '2026-10-05T05:00:00.000Z',
      '2026-11-04T06:00:00.000Z', // CET again
      '2026-12-03T06:00:00.000Z',
    ]);
    for (let i = 1; i < times.length; i++) expect(times[i]!.getTime()).toBeGreaterThan(times[i - 1]!.getTime());
  });

  it('fires later in the current month while the instant is ahead, strictly after `after`', () => {
    expect(nextFireTime(frClose, at('2026-12-03T05:59:59.999Z'))?.toISOString()).toBe('2026-12-03T06:00:00.000Z');
    expect(nextFireTime(frClose, at('2026-12-03T06:00:00Z'))?.toISOString()).toBe('2027-01-06T06:00:00.000Z');
    expect(nextFireTime(frClose, at('2026-12-01T00:00:00Z'))?.toISOString()).toBe('2026-12-03T06:00:00.000Z');
  });

  it('counts from the month end and after it in FR May 2026', () => {
    const may = at('2026-05-01T00:00:00Z');
    const fire = (rule: Extract<TriggerSpec, { kind: 'calendar' }>['rule']): string | undefined =>
      nextFireTime({ ...frClose, rule }, may)?.toISOString();
    expect(fire({ type: 'business_day', n: -1 })).toBe('2026-05-29T05:00:00.000Z');
    expect(fire({ type: 'last_business_day' })).toBe('2026-05-29T05:00:00.000Z');
    expect(fire({ type: 'business_day', n: -3 })).toBe('2026-05-27T05:00:00.000Z');
    expect(fire({ type: 'business_day', n: 8 })).toBe('2026-05-15T05:00:00.000Z'); // after Ascension
    // After April's end: business day 1 is Monday May 4, business day 5 is Monday May 11.
    expect(fire({ type: 'business_days_after_month_end', n: 1 })).toBe('2026-05-04T05:00:00.000Z');
    expect(fire({ type: 'business_days_after_month_end', n: 5 })).toBe('2026-05-11T05:00:00.000Z');
  });

  it('fires on the last weekday when months end on weekends', () => {
    const t: TriggerSpec = { kind: 'calendar', rule: { type: 'last_business_day' }, at: '18:00', timezone: 'UTC' };
    expect(iso(nextFireTimes(t, at('2026-01-01T00:00:00Z'), 13))).toEqual(
      [
        '2026-01-30', '2026-02-27', '2026-03-31', '2026-04-30', '2026-05-29', '2026-06-30',
        '2026-07-31', '2026-08-31', '2026-09-30', '2026-10-30', '2026-11-30', '2026-12-31', '2027-01-29',
      ].map((d) => `${d}T18:00:00.000Z`),
    );
  });

  it('skips US holidays: Thanksgiving, July 4 observed, Christmas and New Year observed', () => {
    const us = (rule: Extract<TriggerSpec, { kind: 'calendar' }>['rule']): TriggerSpec => ({
      kind: 'calendar',
      rule,
      at: '09:00',
      timezone: 'America/New_York',
      holidays: { country: 'US' },
    });
    // Business day 18 of November 2026 is Black Friday, Nov 27 (Veterans Day and Thanksgiving skipped).
    expect(nextFireTime(us({ type: 'business_day', n: 18 }), at('2026-11-01T00:00:00Z'))?.toISOString()).toBe(
      '2026-11-27T14:00:00.000Z',
    );
    // Business day 3 of July: Mon July 6, 2026 (Fri 3 observed) and Tue July 6, 2027 (Mon 5 observed).
    const july = us({ type: 'business_day', n: 3 });
    expect(nextFireTime(july, at('2026-07-01T00:00:00Z'))?.toISOString()).toBe('2026-07-06T13:00:00.000Z');
    expect(nextFireTime(july, at('2027-07-01T00:00:00Z'))?.toISOString()).toBe('2027-07-06T13:00:00.000Z');
    // Dec 2027: Fri 24 and Fri 31 are observed holidays; then Mon Jan 3, 2028.
    const last = us({ type: 'last_business_day' });
    expect(nextFireTime(last, at('2027-12-01T00:00:00Z'))?.toISOString()).toBe('2027-12-30T14:00:00.000Z');
    expect(nextFireTime(us({ type: 'business_days_after_month_end', n: 1 }), at('2027-12-31T00:00:00Z'))?.toISOString()).toBe(
      '2028-01-03T14:00:00.000Z',
    );
    expect(nextFireTime(last, at('2026-11-01T00:00:00Z'))?.toISOString()).toBe('2026-11-30T14:00:00.000Z');
  });

  it('skips company closed days', () => {
    const t: TriggerSpec = {
      kind: 'calendar',
      rule: { type: 'last_business_day' },
      at: '18:00',
      timezone: 'Europe/Paris',
      holidays: { country: 'FR', closedDays: ['2026-12-24', '2026-12-31'] },
    };
    expect(nextFireTime(t, at('2026-12-01T00:00:00Z'))?.toISOString()).toBe('2026-12-30T17:00:00.000Z');
  });

  it('fires at the end of the gap for 02:30 on the Paris spring-forward Sunday', () => {
    const t: TriggerSpec = {
      kind: 'calendar',
      rule: { type: 'last_business_day' },
      at: '02:30',
      timezone: 'Europe/Paris',
      holidays: { country: 'FR', weekend: SUNDAYS_ONLY },
    };
    expect(iso(nextFireTimes(t, at('2026-02-01T00:00:00Z'), 3))).toEqual([
      '2026-02-22T01:30:00.000Z', // 02:30 CET
      '2026-03-29T01:00:00.000Z', // 02:30 does not exist: 03:00 CEST
      '2026-04-26T00:30:00.000Z', // 02:30 CEST
    ]);
  });

  it('fires at the first 01:30 on the New York fall-back Sunday', () => {
    const t: TriggerSpec = {
      kind: 'calendar',
      rule: { type: 'business_day', n: 1 },
      at: '01:30',
      timezone: 'America/New_York',
      holidays: { country: 'US', weekend: SUNDAYS_ONLY },
    };
    expect(iso(nextFireTimes(t, at('2026-10-01T00:00:00Z'), 3))).toEqual([
      '2026-10-04T05:30:00.000Z', // 01:30 EDT
      '2026-11-01T05:30:00.000Z', // 01:30 EDT, not the repeated 01:30 EST (06:30Z)
      '2026-12-06T06:30:00.000Z', // 01:30 EST
    ]);
  });

  it('uses the new offset on the Monday after a DST change', () => {
    const paris: TriggerSpec = { ...frClose, rule: { type: 'business_day', n: -2 } };
    // Thu Feb 26 (CET) then Mon Mar 30, the day after Paris moved to CEST.
    expect(iso(nextFireTimes(paris, at('2026-02-01T00:00:00Z'), 2))).toEqual(['2026-02-26T06:00:00.000Z', '2026-03-30T05:00:00.000Z']);
    const ny: TriggerSpec = {
      kind: 'calendar',
      rule: { type: 'business_day', n: 6 },
      at: '07:00',
      timezone: 'America/New_York',
      holidays: { country: 'US' },
    };
    // Mon Feb 9 (EST) then Mon Mar 9, the day after New York moved to EDT.
    expect(iso(nextFireTimes(ny, at('2026-02-01T00:00:00Z'), 2))).toEqual(['2026-02-09T12:00:00.000Z', '2026-03-09T11:00:00.000Z']);
  });

  it('skips months with too few business days', () => {
    // Sundays only, FR: business day 5 needs a fifth Sunday; Sunday Nov 1, 2026 is All Saints.
    const t: TriggerSpec = {
      kind: 'calendar',
      rule: { type: 'business_day', n: 5 },
      at: '12:00',
      timezone: 'UTC',
      holidays: { country: 'FR', weekend: SUNDAYS_ONLY },
    };
    expect(iso(nextFireTimes(t, at('2026-01-01T00:00:00Z'), 4))).toEqual([
      '2026-03-29T12:00:00.000Z',
      '2026-05-31T12:00:00.000Z',
      '2026-08-30T12:00:00.000Z',
      '2027-01-31T12:00:00.000Z',
    ]);
    // No month has six Sundays: the schedule is empty, not endless.
    expect(nextFireTime({ ...t, rule: { type: 'business_day', n: 6 } }, at('2026-01-01T00:00:00Z'))).toBeUndefined();
  });

  it('lists times missed during downtime, (from, to]', () => {
    expect(iso(fireTimesBetween(frClose, at('2026-01-15T00:00:00Z'), at('2026-06-03T05:00:00Z')))).toEqual([
      '2026-02-04T06:00:00.000Z',
      '2026-03-04T06:00:00.000Z',
      '2026-04-03T05:00:00.000Z',
      '2026-05-06T05:00:00.000Z',
      '2026-06-03T05:00:00.000Z',
    ]);
    expect(iso(fireTimesBetween(frClose, at('2026-02-04T06:00:00Z'), at('2026-03-04T05:59:59Z')))).toEqual([]);
    // Over the limit: the latest misses.
    expect(iso(fireTimesBetween(frClose, at('2026-02-04T05:59:59Z'), at('2026-03-04T06:00:00Z'), 1))).toEqual([
      '2026-03-04T06:00:00.000Z',
    ]);
    expect(iso(fireTimesBetween(frClose, at('2026-02-04T05:59:59Z'), at('2026-03-04T06:00:00Z'), 2))).toEqual([
      '2026-02-04T06:00:00.000Z',
      '2026-03-04T06:00:00.000Z',
    ]);
    expect(fireTimesBetween(frClose, at('2026-06-01T00:00:00Z'), at('2026-01-01T00:00:00Z'))).toEqual([]);
  });

  it('catches up across DST changes and years as the forward walk does', () => {
    const gap: TriggerSpec = {
      kind: 'calendar',
      rule: { type: 'last_business_day' },
      at: '02:30',
      timezone: 'Europe/Paris',
      holidays: { country: 'FR', weekend: SUNDAYS_ONLY },
    };
    expect(iso(fireTimesBetween(gap, at('2026-02-01T00:00:00Z'), at('2026-04-30T00:00:00Z')))).toEqual([
      '2026-02-22T01:30:00.000Z',
      '2026-03-29T01:00:00.000Z',
      '2026-04-26T00:30:00.000Z',
    ]);
    const from = at('2025-01-01T00:00:00Z');
    const to = at('2029-12-31T23:59:59Z');
    const all = fireTimesBetween(frClose, from, to);
    expect(all).toHaveLength(60);
    expect(iso(all)).toEqual(iso(nextFireTimes(frClose, from, 60)));
    expect(all[0]!.toISOString()).toBe('2025-01-06T06:00:00.000Z'); // Jan 1 Wed holiday: Thu 2, Fri 3, Mon 6
    expect(all[59]!.toISOString()).toBe('2029-12-05T06:00:00.000Z'); // Mon 3, Tue 4, Wed 5
  });
});

describe('cron triggers', () => {
  const cron = (expr: string, timezone: string): TriggerSpec => ({ kind: 'cron', cron: expr, timezone });

  it('follows the Paris offset across the October DST change', () => {
    expect(iso(nextFireTimes(cron('0 6 * * 1-5', 'Europe/Paris'), at('2026-10-22T00:00:00Z'), 4))).toEqual([
      '2026-10-22T04:00:00.000Z', // Thu 06:00 CEST
      '2026-10-23T04:00:00.000Z',
      '2026-10-26T05:00:00.000Z', // Mon 06:00 CET
      '2026-10-27T05:00:00.000Z',
    ]);
  });

  it('runs a fixed-time job in the gap at the gap end, and once in a repeated hour', () => {
    expect(iso(nextFireTimes(cron('30 2 * * *', 'Europe/Paris'), at('2026-03-27T12:00:00Z'), 3))).toEqual([
      '2026-03-28T01:30:00.000Z',
      '2026-03-29T01:00:00.000Z',
      '2026-03-30T00:30:00.000Z',
    ]);
    expect(iso(nextFireTimes(cron('30 1 * * *', 'America/New_York'), at('2026-10-30T12:00:00Z'), 3))).toEqual([
      '2026-10-31T05:30:00.000Z',
      '2026-11-01T05:30:00.000Z',
      '2026-11-02T06:30:00.000Z',
    ]);
  });

  it('runs an interval job on both passes of a repeated hour', () => {
    expect(iso(nextFireTimes(cron('*/30 1 * * *', 'America/New_York'), at('2026-11-01T04:00:00Z'), 5))).toEqual([
      '2026-11-01T05:00:00.000Z',
      '2026-11-01T05:30:00.000Z',
      '2026-11-01T06:00:00.000Z',
      '2026-11-01T06:30:00.000Z',
      '2026-11-02T06:00:00.000Z',
    ]);
  });

  it('ORs day of month and day of week when both are restricted, as Vixie cron', () => {
    expect(iso(nextFireTimes(cron('0 6 1 * 1', 'UTC'), at('2026-08-31T12:00:00Z'), 7))).toEqual([
      '2026-09-01T06:00:00.000Z', // Tue 1st
      '2026-09-07T06:00:00.000Z', // Mondays
      '2026-09-14T06:00:00.000Z',
      '2026-09-21T06:00:00.000Z',
      '2026-09-28T06:00:00.000Z',
      '2026-10-01T06:00:00.000Z', // Thu 1st
      '2026-10-05T06:00:00.000Z',
    ]);
    // With one of them '*', only the other restricts.
    expect(iso(nextFireTimes(cron('0 6 * * 1', 'UTC'), at('2026-08-31T12:00:00Z'), 2))).toEqual([
      '2026-09-07T06:00:00.000Z',
      '2026-09-14T06:00:00.000Z',
    ]);
    expect(iso(nextFireTimes(cron('0 6 15 * *', 'UTC'), at('2026-08-31T12:00:00Z'), 2))).toEqual([
      '2026-09-15T06:00:00.000Z',
      '2026-10-15T06:00:00.000Z',
    ]);
  });

  it('takes six fields with seconds, strictly after `after`', () => {
    expect(iso(nextFireTimes(cron('0 30 6 * * *', 'UTC'), at('2026-01-01T06:30:00Z'), 2))).toEqual([
      '2026-01-02T06:30:00.000Z',
      '2026-01-03T06:30:00.000Z',
    ]);
    expect(nextFireTime(cron('15 * * * * *', 'UTC'), at('2026-01-01T00:00:14.999Z'))?.toISOString()).toBe('2026-01-01T00:00:15.000Z');
  });

  it('lists 12 strictly increasing times', () => {
    const times = nextFireTimes(cron('0 6 * * 1-5', 'Europe/Paris'), at('2026-03-25T00:00:00Z'), 12);
    expect(times).toHaveLength(12);
    for (let i = 1; i < times.length; i++) expect(times[i]!.getTime()).toBeGreaterThan(times[i - 1]!.getTime());
    expect(times[0]!.toISOString()).toBe('2026-03-25T05:00:00.000Z');
    expect(times[3]!.toISOString()).toBe('2026-03-30T04:00:00.000Z');
  });

  it('catches up missed runs with a limit, earliest first', () => {
    const hourly = cron('0 * * * *', 'UTC');
    expect(iso(fireTimesBetween(hourly, at('2026-01-01T00:00:00Z'), at('2026-01-01T03:00:00Z')))).toEqual([
      '2026-01-01T01:00:00.000Z',
      '2026-01-01T02:00:00.000Z',
      '2026-01-01T03:00:00.000Z',
    ]);
    expect(iso(fireTimesBetween(hourly, at('2026-01-01T00:00:00Z'), at('2026-01-02T00:00:00Z'), 5))).toEqual([
      '2026-01-01T20:00:00.000Z',
      '2026-01-01T21:00:00.000Z',
      '2026-01-01T22:00:00.000Z',
      '2026-01-01T23:00:00.000Z',
      '2026-01-02T00:00:00.000Z',
    ]);
    const minutely = fireTimesBetween(cron('* * * * *', 'UTC'), at('2026-01-01T00:00:00Z'), at('2026-01-02T00:00:00Z'));
    expect(minutely).toHaveLength(1000);
    expect(minutely[0]!.toISOString()).toBe('2026-01-01T07:21:00.000Z'); // 1440 - 1000 + 1 = minute 441
    expect(minutely[999]!.toISOString()).toBe('2026-01-02T00:00:00.000Z');
    // A year of downtime costs no more than the limit.
    expect(iso(fireTimesBetween(cron('* * * * *', 'UTC'), at('2025-01-01T00:00:00Z'), at('2026-01-01T00:00:30Z'), 2))).toEqual([
      '2025-12-31T23:59:00.000Z',
      '2026-01-01T00:00:00.000Z',
    ]);
  });

  it('catches up both passes of a repeated hour and the end of a gap', () => {
    expect(iso(fireTimesBetween(cron('*/30 1 * * *', 'America/New_York'), at('2026-11-01T04:00:00Z'), at('2026-11-02T06:00:00Z')))).toEqual([
      '2026-11-01T05:00:00.000Z',
      '2026-11-01T05:30:00.000Z',
      '2026-11-01T06:00:00.000Z',
      '2026-11-01T06:30:00.000Z',
      '2026-11-02T06:00:00.000Z',
    ]);
    expect(iso(fireTimesBetween(cron('30 2 * * *', 'Europe/Paris'), at('2026-03-28T01:30:00Z'), at('2026-03-30T00:30:00Z')))).toEqual([
      '2026-03-29T01:00:00.000Z',
      '2026-03-30T00:30:00.000Z',
    ]);
  });
});

describe('other triggers and bad input', () => {
  const after: TriggerSpec = { kind: 'after', pipeline: 'finance/ingest.pipeline.yaml' };

  it('never fires an after-trigger on time', () => {
    expect(nextFireTime(after, at('2026-01-01T00:00:00Z'))).toBeUndefined();
    expect(nextFireTimes(after, at('2026-01-01T00:00:00Z'), 3)).toEqual([]);
    expect(fireTimesBetween(after, at('2026-01-01T00:00:00Z'), at('2027-01-01T00:00:00Z'))).toEqual([]);
  });

  it('refuses invalid triggers and arguments with bad_request', () => {
    const cases: Array<[() => unknown, string]> = [
      [() => nextFireTime({ kind: 'cron', cron: '61 * * * *', timezone: 'UTC' }, at('2026-01-01T00:00:00Z')), 'Cannot compute next fire time: cron:'],
      [() => nextFireTimes({ ...frClose, at: '25:00' }, at('2026-01-01T00:00:00Z'), 2), 'Cannot compute fire times: at:'],
      [() => fireTimesBetween({ ...frClose, timezone: 'Nowhere/City' }, at('2026-01-01T00:00:00Z'), at('2026-02-01T00:00:00Z')), 'Cannot compute missed fire times: timezone:'],
      [() => nextFireTimes(frClose, at('2026-01-01T00:00:00Z'), -1), 'Cannot compute fire times: count -1'],
      [() => nextFireTime(frClose, new Date(Number.NaN)), 'Cannot compute next fire time: invalid start instant'],
      [() => fireTimesBetween(frClose, at('2026-01-01T00:00:00Z'), at('2026-02-01T00:00:00Z'), 1.5), 'Cannot compute missed fire times: limit 1.5'],
      [() => fireTimesBetween(frClose, at('2026-01-01T00:00:00Z'), new Date(Number.NaN)), 'Cannot compute missed fire times: invalid end instant'],
      [() => fireTimesBetween(frClose, new Date(Number.NaN), at('2026-01-01T00:00:00Z')), 'Cannot compute missed fire times: invalid start instant'],
    ];
    for (const [fn, prefix] of cases) {
      let thrown: unknown;
      try {
        fn();
      } catch (err) {
        thrown = err;
      }
      expect(isAppError(thrown, 'bad_request')).toBe(true);
      expect((thrown as Error).message.startsWith(prefix)).toBe(true);
    }
  });
});
