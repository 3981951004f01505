import { isAppError } from '@workbench/core';
import type { Period, PeriodKind } from './index';
import { logicalDateForPeriod, periodOf, periodsInRange } from './index';

const KINDS: readonly PeriodKind[] = ['previous_month', 'current_month', 'previous_day', 'current_day'];

function expectBadRequest(fn: () => unknown, message: string): void {
  let thrown: unknown;
  try {
    fn();
  } catch (err) {
    thrown = err;
  }
  expect(isAppError(thrown, 'bad_request')).toBe(true);
  expect((thrown as Error).message).toBe(message);
}

describe('periodOf', () => {
  it('covers the previous month of a close run', () => {
    expect(periodOf(new Date('2026-12-03T06:00:00Z'), 'Europe/Paris', 'previous_month')).toEqual({
      start: '2026-11-01',
      end: '2026-11-30',
      label: '2026-11',
    });
    expect(periodOf(new Date('2027-01-06T06:00:00Z'), 'Europe/Paris', 'previous_month')).toEqual({
      start: '2026-12-01',
      end: '2026-12-31',
      label: '2026-12',
    });
    expect(periodOf(new Date('2028-03-02T06:00:00Z'), 'Europe/Paris', 'previous_month')).toEqual({
      start: '2028-02-01',
      end: '2028-02-29',
      label: '2028-02',
    });
  });

  it('reads the logical date in the time zone', () => {
    // 23:30Z on March 31 is 01:30 on April 1 in Paris, 19:30 on March 31 in New York.
    const d = new Date('2026-03-31T23:30:00Z');
    expect(periodOf(d, 'Europe/Paris', 'current_month').label).toBe('2026-04');
    expect(periodOf(d, 'America/New_York', 'current_month').label).toBe('2026-03');
    expect(periodOf(d, 'Europe/Paris', 'previous_day')).toEqual({ start: '2026-03-31', end: '2026-03-31', label: '2026-03-31' });
    expect(periodOf(d, 'Europe/Paris', 'current_day').label).toBe('2026-04-01');
    expect(periodOf(d, 'UTC', 'current_day').label).toBe('2026-03-31');
    expect(periodOf(new Date('2026-01-01T00:30:00Z'), 'Europe/Paris', 'previous_day').label).toBe('2025-12-31');
  });
});

describe('logicalDateForPeriod', () => {
  const nov: Period = { start: '2026-11-01', end: '2026-11-30', label: '2026-11' };

  it('gives the first instant of the next period or of the period itself', () => {
    expect(logicalDateForPeriod(nov, 'Europe/Paris', 'previous_month').toISOString()).toBe('2026-11-30T23:00:00.000Z');
    expect(logicalDateForPeriod(nov, 'Europe/Paris', 'current_month').toISOString()).toBe('2026-10-31T23:00:00.000Z');
    const day = (ymd: string): Period => ({ start: ymd, end: ymd, label: ymd });
    expect(logicalDateForPeriod(day('2026-03-28'), 'Europe/Paris', 'previous_day').toISOString()).toBe('2026-03-28T23:00:00.000Z');
    expect(logicalDateForPeriod(day('2026-10-25'), 'Europe/Paris', 'current_day').toISOString()).toBe('2026-10-24T22:00:00.000Z');
    expect(logicalDateForPeriod(day('2026-12-31'), 'America/New_York', 'previous_day').toISOString()).toBe('2027-01-01T05:00:00.000Z');
    // Santiago skips midnight of Sunday 2026-09-06: the day starts at 01:00 -03.
    expect(logicalDateForPeriod(day('2026-09-06'), 'America/Santiago', 'current_day').toISOString()).toBe('2026-09-06T04:00:00.000Z');
  });

  it('round-trips with periodOf: months of 2025-2029, days around 2026 DST changes', () => {
    const months = periodsInRange('2025-01', '2029-12', 'month');
    const days = [
      ...periodsInRange('2026-03-06', '2026-03-10', 'day'), // New York, Mar 8
      ...periodsInRange('2026-03-27', '2026-04-07', 'day'), // Paris Mar 29; Santiago, Auckland Apr 5
      ...periodsInRange('2026-09-04', '2026-09-08', 'day'), // Santiago Sep 6
      ...periodsInRange('2026-09-25', '2026-09-29', 'day'), // Auckland Sep 27
      ...periodsInRange('2026-10-23', '2026-11-03', 'day'), // Paris Oct 25, New York Nov 1
      ...periodsInRange('2028-02-27', '2028-03-01', 'day'),
    ];
    for (const tz of ['Europe/Paris', 'America/New_York', 'America/Santiago', 'Pacific/Auckland']) {
      for (const kind of KINDS) {
        for (const p of kind.endsWith('month') ? months : days) {
          expect([tz, kind, periodOf(logicalDateForPeriod(p, tz, kind), tz, kind)]).toEqual([tz, kind, p]);
        }
      }
    }
  });

  it('refuses periods that do not match the kind', () => {
    expectBadRequest(
      () => logicalDateForPeriod({ start: '2026-11-02', end: '2026-11-30', label: '2026-11' }, 'UTC', 'previous_month'),
      'Cannot compute logical date: "2026-11" is not a whole month period',
    );
    expectBadRequest(
      () => logicalDateForPeriod(nov, 'UTC', 'current_day'),
      'Cannot compute logical date: "2026-11" is not a whole day period',
    );
    expectBadRequest(() => logicalDateForPeriod(nov, 'Nowhere/City', 'previous_month'), 'Cannot compute logical date: unknown time zone "Nowhere/City"');
    expectBadRequest(() => periodOf(new Date('2026-01-01T00:00:00Z'), 'Nowhere/City', 'current_day'), 'Cannot compute period: unknown time zone "Nowhere/City"');
    expectBadRequest(() => periodOf(new Date(Number.NaN), 'UTC', 'current_day'), 'Cannot compute period: invalid logical date');
    expectBadRequest(() => periodOf(new Date(0), 'UTC', 'next_month' as PeriodKind), 'Cannot compute period: unknown period kind "next_month"');
  });
});

describe('periodsInRange', () => {
  it('lists months and days inclusively', () => {
    expect(periodsInRange('2026-11', '2027-02', 'month')).toEqual([
      { start: '2026-11-01', end: '2026-11-30', label: '2026-11' },
      { start: '2026-12-01', end: '2026-12-31', label: '2026-12' },
      { start: '2027-01-01', end: '2027-01-31', label: '2027-01' },
      { start: '2027-02-01', end: '2027-02-28', label: '2027-02' },
    ]);
    expect(periodsInRange('2026-05', '2026-05', 'month')).toHaveLength(1);
    expect(periodsInRange('2028-02-27', '2028-03-01', 'day').map((p) => p.label)).toEqual([
      '2028-02-27',
      '2028-02-28',
      '2028-02-29',
      '2028-03-01',
    ]);
    expect(periodsInRange('2020-01', '2029-12', 'month')).toHaveLength(120);
  });

  it('refuses reversed, oversized and malformed ranges', () => {
    expectBadRequest(() => periodsInRange('2026-05', '2026-04', 'month'), 'Cannot list backfill periods: "2026-05" is after "2026-04"');
    expectBadRequest(() => periodsInRange('2026-05-02', '2026-05-01', 'day'), 'Cannot list backfill periods: "2026-05-02" is after "2026-05-01"');
    expectBadRequest(
      () => periodsInRange('2020-01', '2030-01', 'month'),
      'Cannot list backfill periods: 121 periods from "2020-01" to "2030-01" (at most 120)',
    );
    expectBadRequest(
      () => periodsInRange('2026-01-01', '2026-05-01', 'day'),
      'Cannot list backfill periods: 121 periods from "2026-01-01" to "2026-05-01" (at most 120)',
    );
    expectBadRequest(() => periodsInRange('2026-1', '2026-03', 'month'), 'Cannot list backfill periods: months are written YYYY-MM (got "2026-1", "2026-03")');
    expectBadRequest(() => periodsInRange('2026-01', '2026-13', 'month'), 'Cannot list backfill periods: months are written YYYY-MM (got "2026-01", "2026-13")');
    expectBadRequest(() => periodsInRange('2026-01', '2026-02', 'day'), 'Cannot list backfill periods: days are written YYYY-MM-DD (got "2026-01", "2026-02")');
    expectBadRequest(() => periodsInRange('2026-02-28', '2026-02-30', 'day'), 'Cannot list backfill periods: days are written YYYY-MM-DD (got "2026-02-28", "2026-02-30")');
    expectBadRequest(() => periodsInRange('2026-01', '2026-02', 'week' as 'day'), 'Cannot list backfill periods: unknown period kind "week"');
  });
});
