import { addDays, addMonths, dayOfWeek, daysBetween, daysInMonth, formatYmd, monthsBetween, parseYm, parseYmd } from './civil-date';

describe('civil dates', () => {
  it('parses real days only', () => {
    expect(parseYmd('2028-02-29')).toEqual({ year: 2028, month: 2, day: 29 });
    for (const bad of ['2026-02-29', '2026-02-30', '2026-13-01', '2026-00-10', '2026-1-01', '26-01-01', '2026-01-01T00:00', '', ' 2026-01-01']) {
      expect(parseYmd(bad)).toBeUndefined();
    }
    expect(parseYm('2026-12')).toEqual({ year: 2026, month: 12 });
    expect(parseYm('2026-13')).toBeUndefined();
    expect(parseYm('2026-1')).toBeUndefined();
  });

  it('keeps years below 100 as written', () => {
    expect(formatYmd(addDays({ year: 99, month: 12, day: 31 }, 1))).toBe('0100-01-01');
    expect(dayOfWeek({ year: 1, month: 1, day: 1 })).toBe(1); // proleptic Gregorian: a Monday
  });

  it('does month and day arithmetic across years', () => {
    expect(addMonths({ year: 2026, month: 1 }, -1)).toEqual({ year: 2025, month: 12 });
    expect(addMonths({ year: 2026, month: 11 }, 14)).toEqual({ year: 2028, month: 1 });
    expect(monthsBetween({ year: 2025, month: 11 }, { year: 2026, month: 2 })).toBe(3);
    expect(daysInMonth(2028, 2)).toBe(29);
    expect(daysInMonth(2026, 2)).toBe(28);
    expect(daysInMonth(2026, 12)).toBe(31);
    expect(formatYmd(addDays({ year: 2026, month: 3, day: 28 }, 2))).toBe('2026-03-30');
    expect(daysBetween({ year: 2026, month: 1, day: 1 }, { year: 2027, month: 1, day: 1 })).toBe(365);
    // 2026-05-31 is a Sunday, 2026-05-29 a Friday.
    expect(dayOfWeek({ year: 2026, month: 5, day: 31 })).toBe(0);
    expect(dayOfWeek({ year: 2026, month: 5, day: 29 })).toBe(5);
  });
});
