import { ZoneClock, isValidTimeZone } from './zone-clock';

const at = (tz: string, y: number, mo: number, d: number, h: number, mi: number): string =>
  new ZoneClock(tz).instant({ year: y, month: mo, day: d, hour: h, minute: mi, second: 0 }).toISOString();

describe('ZoneClock', () => {
  it('knows IANA zones', () => {
    expect(isValidTimeZone('Europe/Paris')).toBe(true);
    expect(isValidTimeZone('UTC')).toBe(true);
    expect(isValidTimeZone('Mars/Olympus_Mons')).toBe(false);
    expect(isValidTimeZone('')).toBe(false);
  });

  it('converts ordinary times with the offset of the day', () => {
    expect(at('Europe/Paris', 2026, 1, 15, 7, 0)).toBe('2026-01-15T06:00:00.000Z'); // CET +01:00
    expect(at('Europe/Paris', 2026, 7, 15, 7, 0)).toBe('2026-07-15T05:00:00.000Z'); // CEST +02:00
    expect(at('Asia/Kolkata', 2026, 7, 15, 7, 0)).toBe('2026-07-15T01:30:00.000Z'); // +05:30, no DST
    expect(at('UTC', 2026, 7, 15, 7, 0)).toBe('2026-07-15T07:00:00.000Z');
  });

  it('moves a time in the spring-forward gap to the end of the gap', () => {
    // Europe/Paris, Sunday 2026-03-29: 02:00 CET -> 03:00 CEST at 01:00Z.
    expect(at('Europe/Paris', 2026, 3, 29, 1, 59)).toBe('2026-03-29T00:59:00.000Z');
    expect(at('Europe/Paris', 2026, 3, 29, 2, 0)).toBe('2026-03-29T01:00:00.000Z');
    expect(at('Europe/Paris', 2026, 3, 29, 2, 30)).toBe('2026-03-29T01:00:00.000Z');
    expect(at('Europe/Paris', 2026, 3, 29, 3, 0)).toBe('2026-03-29T01:00:00.000Z');
    expect(at('Europe/Paris', 2026, 3, 29, 3, 30)).toBe('2026-03-29T01:30:00.000Z');
    // America/New_York, Sunday 2026-03-08: 02:00 EST -> 03:00 EDT at 07:00Z.
    expect(at('America/New_York', 2026, 3, 8, 2, 30)).toBe('2026-03-08T07:00:00.000Z');
    // Australia/Sydney, Sunday 2026-10-04: 02:00 AEST -> 03:00 AEDT at 16:00Z the day before.
    expect(at('Australia/Sydney', 2026, 10, 4, 2, 30)).toBe('2026-10-03T16:00:00.000Z');
    // Australia/Lord_Howe shifts by 30 minutes: 02:00 +10:30 -> 02:30 +11:00.
    expect(at('Australia/Lord_Howe', 2026, 10, 4, 2, 15)).toBe('2026-10-03T15:30:00.000Z');
    // America/Santiago skips midnight: Saturday 23:59:59 -04 -> Sunday 01:00 -03.
    expect(at('America/Santiago', 2026, 9, 6, 0, 0)).toBe('2026-09-06T04:00:00.000Z');
    // Samoa skipped all of 2011-12-30.
    expect(at('Pacific/Apia', 2011, 12, 30, 12, 0)).toBe('2011-12-30T10:00:00.000Z');
  });

  it('takes the first occurrence of a repeated time', () => {
    // America/New_York, Sunday 2026-11-01: 02:00 EDT -> 01:00 EST; 01:30 is 05:30Z and 06:30Z.
    expect(at('America/New_York', 2026, 11, 1, 1, 30)).toBe('2026-11-01T05:30:00.000Z');
    expect(at('America/New_York', 2026, 11, 1, 0, 59)).toBe('2026-11-01T04:59:00.000Z');
    expect(at('America/New_York', 2026, 11, 1, 2, 0)).toBe('2026-11-01T07:00:00.000Z');
    // Europe/Paris, Sunday 2026-10-25: 03:00 CEST -> 02:00 CET; 02:30 is 00:30Z and 01:30Z.
    expect(at('Europe/Paris', 2026, 10, 25, 2, 30)).toBe('2026-10-25T00:30:00.000Z');
    // America/Santiago repeats Saturday 23:00-24:00 on 2026-04-04.
    expect(at('America/Santiago', 2026, 4, 4, 23, 30)).toBe('2026-04-05T02:30:00.000Z');
  });

  it('round-trips 2026 (every 5 h, hourly around transitions) except the second pass of a repeated hour', () => {
    const HOUR = 3_600_000;
    for (const tz of ['Europe/Paris', 'America/New_York', 'Australia/Sydney']) {
      const zone = new ZoneClock(tz);
      const instants = new Set<number>();
      for (let t = Date.UTC(2026, 0, 1); t < Date.UTC(2027, 0, 1); t += 5 * HOUR) instants.add(t);
      let transitions = 0;
      for (let day = Date.UTC(2026, 0, 1); day < Date.UTC(2027, 0, 1); day += 24 * HOUR) {
        if (zone.offsetAt(day) === zone.offsetAt(day + 24 * HOUR)) continue;
        transitions++;
        for (let t = day - 24 * HOUR; t < day + 72 * HOUR; t += HOUR) instants.add(t);
      }
      expect(transitions).toBe(2);
      for (const t of instants) {
        const back = zone.instant(zone.wallClock(t)).getTime();
        const secondPass = zone.offsetAt(t) < zone.offsetAt(t - HOUR);
        expect(back).toBe(secondPass ? t - HOUR : t);
      }
    }
  });

  it('reads the wall clock and offset at an instant', () => {
    const paris = new ZoneClock('Europe/Paris');
    expect(paris.wallClock(new Date('2026-12-03T06:00:00Z'))).toEqual({ year: 2026, month: 12, day: 3, hour: 7, minute: 0, second: 0 });
    expect(paris.wallClock(Date.parse('2026-03-31T22:30:00Z'))).toEqual({ year: 2026, month: 4, day: 1, hour: 0, minute: 30, second: 0 });
    expect(paris.offsetAt(Date.parse('2026-03-29T00:59:59Z'))).toBe(3_600_000);
    expect(paris.offsetAt(Date.parse('2026-03-29T01:00:00Z'))).toBe(7_200_000);
  });
});
