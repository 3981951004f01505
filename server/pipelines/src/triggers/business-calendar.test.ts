/**
 * Expected dates are written by hand from a printed calendar and the
 * countries' published holiday lists, not computed: Easter 2025-2029 falls on
 * Apr 20, Apr 5, Mar 28, Apr 16, Apr 1.
 */
import { isAppError } from '@workbench/core';
import { BusinessCalendar } from './business-calendar';

const FR = new BusinessCalendar({ country: 'FR' });
const US = new BusinessCalendar({ country: 'US' });

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

describe('BusinessCalendar without holidays', () => {
  const plain = new BusinessCalendar();

  it('closes Saturdays and Sundays only', () => {
    expect(plain.isBusinessDay('2026-01-01')).toBe(true); // Thursday, a holiday nearly everywhere
    expect(plain.isBusinessDay('2026-01-03')).toBe(false);
    expect(plain.isBusinessDay('2026-01-04')).toBe(false);
    expect(plain.holidayName('2026-01-01')).toBeUndefined();
    // May 2026: weekdays are the 1st and four full Monday-Friday weeks.
    expect(plain.businessDaysOfMonth(2026, 5)).toHaveLength(21);
  });

  it('ends months that end on a weekend on the Friday before', () => {
    const last = (y: number, m: number): string | undefined => plain.businessDaysOfMonth(y, m).at(-1);
    expect(last(2026, 5)).toBe('2026-05-29'); // 31 May 2026 is a Sunday
    expect(last(2026, 10)).toBe('2026-10-30'); // Saturday 31st
    expect(last(2027, 1)).toBe('2027-01-29'); // Sunday 31st
    expect(last(2026, 2)).toBe('2026-02-27'); // Saturday 28th
    expect(last(2028, 2)).toBe('2028-02-29'); // leap day, a Tuesday
  });
});

describe('BusinessCalendar FR', () => {
  it('skips New Year in January 2025-2029', () => {
    const first = (y: number): string | undefined => FR.businessDaysOfMonth(y, 1)[0];
    expect(first(2025)).toBe('2025-01-02'); // Wed 1st holiday
    expect(first(2026)).toBe('2026-01-02'); // Thu 1st holiday
    expect(first(2027)).toBe('2027-01-04'); // Fri 1st holiday, then weekend
    expect(first(2028)).toBe('2028-01-03'); // Saturday 1st
    expect(first(2029)).toBe('2029-01-02'); // Mon 1st holiday
    expect(FR.holidayName('2026-01-01')).toBe('Nouvel An');
  });

  it('lists May 2026 around May 1, May 8, Ascension and Whit Monday', () => {
    expect(FR.businessDaysOfMonth(2026, 5)).toEqual([
      '2026-05-04', '2026-05-05', '2026-05-06', '2026-05-07',
      '2026-05-11', '2026-05-12', '2026-05-13', '2026-05-15',
      '2026-05-18', '2026-05-19', '2026-05-20', '2026-05-21', '2026-05-22',
      '2026-05-26', '2026-05-27', '2026-05-28', '2026-05-29',
    ]);
  });

  it('lists May 2029, where May 1 and 8 are Tuesdays', () => {
    expect(FR.businessDaysOfMonth(2029, 5)).toEqual([
      '2029-05-02', '2029-05-03', '2029-05-04',
      '2029-05-07', '2029-05-09', '2029-05-11',
      '2029-05-14', '2029-05-15', '2029-05-16', '2029-05-17', '2029-05-18',
      '2029-05-22', '2029-05-23', '2029-05-24', '2029-05-25',
      '2029-05-28', '2029-05-29', '2029-05-30', '2029-05-31',
    ]);
  });

  it('closes the movable feasts of 2025-2029 and nothing else that week', () => {
    const closed = [
      '2025-04-21', '2025-05-29', '2025-06-09',
      '2026-04-06', '2026-05-14', '2026-05-25',
      '2027-03-29', '2027-05-06', '2027-05-17',
      '2028-04-17', '2028-05-25', '2028-06-05',
      '2029-04-02', '2029-05-10', '2029-05-21',
    ];
    for (const day of closed) expect([day, FR.isBusinessDay(day)]).toEqual([day, false]);
    // Good Friday is not a holiday in France (except Alsace-Moselle).
    for (const day of ['2025-04-18', '2026-04-03', '2027-03-26', '2028-04-14', '2029-03-30']) {
      expect([day, FR.isBusinessDay(day)]).toEqual([day, true]);
    }
    expect(FR.holidayName('2026-05-25')).toBe('Lundi de Pentecôte');
  });

  it('knows the fixed holidays on weekdays', () => {
    for (const day of ['2026-07-14', '2026-11-11', '2026-12-25', '2025-08-15', '2028-11-01']) {
      expect([day, FR.isBusinessDay(day)]).toEqual([day, false]);
    }
    expect(FR.isBusinessDay('2026-12-24')).toBe(true);
    expect(FR.businessDaysOfMonth(2026, 12).at(-1)).toBe('2026-12-31');
  });

  it('adds company closed days', () => {
    const company = new BusinessCalendar({ country: 'FR', closedDays: ['2026-12-24', '2026-12-31'] });
    expect(company.isBusinessDay('2026-12-24')).toBe(false);
    expect(company.holidayName('2026-12-24')).toBe('Company closed day');
    expect(company.holidayName('2026-12-25')).toBe('Noël');
    expect(company.businessDaysOfMonth(2026, 12).at(-1)).toBe('2026-12-30');
  });

  it('takes another weekend', () => {
    const friSat = new BusinessCalendar({ country: 'FR', weekend: [5, 6] });
    expect(friSat.isBusinessDay('2026-01-04')).toBe(true); // Sunday
    expect(friSat.isBusinessDay('2026-01-02')).toBe(false); // Friday
    expect(friSat.businessDaysOfMonth(2026, 1)[0]).toBe('2026-01-04');
  });

  it('adds business days across holidays and weekends', () => {
    expect(FR.addBusinessDays('2026-04-30', 1)).toBe('2026-05-04');
    expect(FR.addBusinessDays('2026-05-07', 1)).toBe('2026-05-11');
    expect(FR.addBusinessDays('2026-05-11', -1)).toBe('2026-05-07');
    expect(FR.addBusinessDays('2026-05-22', 1)).toBe('2026-05-26');
    expect(FR.addBusinessDays('2026-12-31', 1)).toBe('2027-01-04');
    expect(FR.addBusinessDays('2026-05-01', 0)).toBe('2026-05-01');
    expect(FR.addBusinessDays('2026-05-04', 16)).toBe('2026-05-29');
  });
});

describe('BusinessCalendar US', () => {
  it('closes Thanksgiving 2025-2029 but not the day after', () => {
    for (const day of ['2025-11-27', '2026-11-26', '2027-11-25', '2028-11-23', '2029-11-22']) {
      expect([day, US.isBusinessDay(day)]).toEqual([day, false]);
    }
    expect(US.isBusinessDay('2026-11-27')).toBe(true);
    expect(US.holidayName('2026-11-27')).toBeUndefined();
    // November 2026: 21 weekdays less Veterans Day (Wed 11) and Thanksgiving (Thu 26).
    const nov = US.businessDaysOfMonth(2026, 11);
    expect(nov).toHaveLength(19);
    expect(nov[17]).toBe('2026-11-27');
    expect(nov.at(-1)).toBe('2026-11-30');
  });

  it('closes the observed day of a holiday on a weekend', () => {
    // July 4, 2026 is a Saturday: observed Friday July 3.
    expect(US.isBusinessDay('2026-07-03')).toBe(false);
    expect(US.holidayName('2026-07-03')).toMatch(/Independence Day/);
    expect(US.businessDaysOfMonth(2026, 7).slice(0, 3)).toEqual(['2026-07-01', '2026-07-02', '2026-07-06']);
    // July 4, 2027 is a Sunday: observed Monday July 5.
    expect(US.businessDaysOfMonth(2027, 7).slice(0, 3)).toEqual(['2027-07-01', '2027-07-02', '2027-07-06']);
    // Christmas 2027 and New Year 2028 fall on Saturdays: observed Fridays Dec 24 and Dec 31.
    expect(US.isBusinessDay('2027-12-24')).toBe(false);
    expect(US.isBusinessDay('2027-12-31')).toBe(false);
    expect(US.businessDaysOfMonth(2027, 12).at(-1)).toBe('2027-12-30');
    expect(US.addBusinessDays('2027-12-23', 1)).toBe('2027-12-27');
    expect(US.businessDaysOfMonth(2028, 1)[0]).toBe('2028-01-03');
  });

  it('does not close optional days or observances', () => {
    expect(US.isBusinessDay('2026-12-24')).toBe(true); // Christmas Eve (optional)
    expect(US.isBusinessDay('2026-04-15')).toBe(true); // Tax Day (observance)
    expect(US.addBusinessDays('2026-11-25', 1)).toBe('2026-11-27');
  });
});

describe('BusinessCalendar DE and DE-BY', () => {
  const DE = new BusinessCalendar({ country: 'DE' });
  const BY = new BusinessCalendar({ country: 'DE', region: 'BY' });

  it('closes Bavarian holidays only in Bavaria', () => {
    // Epiphany (Tue 2026-01-06) and Corpus Christi (Thu 2026-06-04).
    expect(DE.businessDaysOfMonth(2026, 1).slice(0, 3)).toEqual(['2026-01-02', '2026-01-05', '2026-01-06']);
    expect(BY.businessDaysOfMonth(2026, 1).slice(0, 3)).toEqual(['2026-01-02', '2026-01-05', '2026-01-07']);
    expect(DE.isBusinessDay('2026-06-04')).toBe(true);
    expect(BY.isBusinessDay('2026-06-04')).toBe(false);
    expect(BY.businessDaysOfMonth(2026, 6).slice(0, 4)).toEqual(['2026-06-01', '2026-06-02', '2026-06-03', '2026-06-05']);
    expect(new BusinessCalendar({ country: 'de', region: 'by' }).isBusinessDay('2026-01-06')).toBe(false);
  });

  it('closes Good Friday and keeps half-day Christmas Eve open', () => {
    expect(BY.isBusinessDay('2026-04-03')).toBe(false);
    expect(BY.isBusinessDay('2026-04-06')).toBe(false);
    // Heiliger Abend and Silvester close from 14:00 only.
    expect(BY.isBusinessDay('2026-12-24')).toBe(true);
    expect(BY.holidayName('2026-12-24')).toBeUndefined();
    expect(BY.businessDaysOfMonth(2026, 12).at(-1)).toBe('2026-12-31');
    const company = new BusinessCalendar({ country: 'DE', region: 'BY', closedDays: ['2026-12-24', '2026-12-31'] });
    // Thu 24 closed, Fri 25 and Sat 26 Christmas, Sun 27, Thu 31 closed.
    expect(company.businessDaysOfMonth(2026, 12).slice(-5)).toEqual(['2026-12-22', '2026-12-23', '2026-12-28', '2026-12-29', '2026-12-30']);
  });
});

describe('BusinessCalendar holidays of several days', () => {
  it('closes every day of Chuseok 2026 (Sep 24-26)', () => {
    const KR = new BusinessCalendar({ country: 'KR' });
    expect(KR.isBusinessDay('2026-09-23')).toBe(true);
    expect(KR.isBusinessDay('2026-09-24')).toBe(false);
    expect(KR.isBusinessDay('2026-09-25')).toBe(false);
    expect(KR.addBusinessDays('2026-09-23', 1)).toBe('2026-09-28');
  });
});

describe('BusinessCalendar errors', () => {
  it('refuses unknown countries and regions, bad closed days and weekends', () => {
    expectBadRequest(() => new BusinessCalendar({ country: 'XX' }), 'Cannot build holiday calendar: unknown country "XX"');
    expectBadRequest(
      () => new BusinessCalendar({ country: 'FR', region: 'ZZ' }),
      'Cannot build holiday calendar: unknown region "ZZ" of country "FR"',
    );
    expectBadRequest(
      () => new BusinessCalendar({ country: 'FR', closedDays: ['2026-02-30'] }),
      'Cannot build holiday calendar: closed day "2026-02-30" is not a YYYY-MM-DD date',
    );
    expectBadRequest(
      () => new BusinessCalendar({ country: 'FR', weekend: [7] }),
      'Cannot build holiday calendar: weekend day 7 is not 0 (Sunday) .. 6 (Saturday)',
    );
    expectBadRequest(
      () => new BusinessCalendar({ country: 'FR', weekend: [0, 1, 2, 3, 4, 5, 6] }),
      'Cannot build holiday calendar: every day of the week is a weekend day',
    );
  });

  it('refuses malformed dates, months and counts', () => {
    expectBadRequest(() => FR.isBusinessDay('2026-5-1'), 'Cannot check business day: "2026-5-1" is not a YYYY-MM-DD date');
    expectBadRequest(() => FR.holidayName('2026-02-29'), 'Cannot look up holiday: "2026-02-29" is not a YYYY-MM-DD date');
    expectBadRequest(() => FR.businessDaysOfMonth(2026, 13), 'Cannot list business days: no month 13 of year 2026');
    expectBadRequest(() => FR.addBusinessDays('2026-05-04', 1.5), 'Cannot add business days: 1.5 is not an integer');
  });
});
