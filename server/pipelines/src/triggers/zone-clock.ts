/**
 * Wall-clock time in an IANA time zone <-> absolute instants, with Intl only
 * (the tz database that ships with Node). Local times that do not map to
 * exactly one instant are resolved as croner (and Vixie cron) resolve
 * fixed-time jobs, so calendar and cron triggers agree:
 * - a time skipped by a forward shift (spring-forward gap) becomes the first
 *   instant after the gap, i.e. the transition itself (02:30 on the last
 *   Sunday of March in Europe/Paris -> 03:00 CEST = 01:00Z);
 * - a time that occurs twice (fall back) is its first occurrence (01:30 on
 *   the first Sunday of November in America/New_York -> 01:30 EDT = 05:30Z).
 */
import type { CivilDate } from './civil-date';
import { utcMs } from './civil-date';

export interface WallClock extends CivilDate {
  hour: number;
  minute: number;
  second: number;
}

const DAY_MS = 86_400_000;

/** True when Intl knows `timeZone` (an IANA name such as "Europe/Paris", or "UTC"). */
export function isValidTimeZone(timeZone: string): boolean {
  return ZoneClock.of(timeZone) !== undefined;
}

/** One time zone's clock. Holds one Intl formatter; build it per computation, not per module. */
export class ZoneClock {
  readonly #format: Intl.DateTimeFormat;

  /** The clock of `timeZone`, or undefined when Intl does not know the zone. */
  static of(timeZone: string): ZoneClock | undefined {
    // Intl reads a missing zone as the process's own: refuse it rather than leak the host's zone.
    if (typeof timeZone !== 'string' || timeZone.trim() === '') return undefined;
    try {
      return new ZoneClock(timeZone);
    } catch {
      return undefined;
    }
  }

  /** @throws RangeError for a time zone Intl does not know (see ZoneClock.of). */
  constructor(readonly timeZone: string) {
    this.#format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
  }

  /** The wall clock shown in this zone at `instant` (milliseconds dropped). */
  wallClock(instant: Date | number): WallClock {
    const parts = this.#format.formatToParts(typeof instant === 'number' ? instant : instant.getTime());
    const get = (type: Intl.DateTimeFormatPartTypes): number => Number(parts.find((p) => p.type === type)?.value);
    return {
      year: get('year'),
      month: get('month'),
      day: get('day'),
      hour: get('hour') % 24,
      minute: get('minute'),
      second: get('second'),
    };
  }

  /** UTC offset in milliseconds at `ms` (local = UTC + offset). */
  offsetAt(ms: number): number {
    const whole = Math.floor(ms / 1000) * 1000;
    const w = this.wallClock(whole);
    return utcMs(w.year, w.month, w.day, w.hour, w.minute, w.second) - whole;
  }

  /** The instant this zone's clock shows `wall`; gaps and overlaps as in the file comment. */
  instant(wall: WallClock): Date {
    const naive = utcMs(wall.year, wall.month, wall.day, wall.hour, wall.minute, wall.second);
    // Any transition that matters lies within a day of `naive` (offsets are under 24 h);
    // the offsets a day before and a day after are the two candidates.
    const before = this.offsetAt(naive - DAY_MS);
    const after = this.offsetAt(naive + DAY_MS);
    const valid = [...new Set([before, after])]
      .map((offset) => naive - offset)
      .filter((t) => this.offsetAt(t) === naive - t)
      .sort((a, b) => a - b);
    if (valid.length > 0) return new Date(valid[0]!);
    if (before === after) return new Date(naive - before); // no transition found: cannot happen in real zones
    // A gap: at `naive - after` the clock still reads before the gap, at `naive - before` after it.
    return new Date(this.#transitionBetween(Math.min(naive - after, naive - before), Math.max(naive - after, naive - before)));
  }

  /** The first whole second in (lo, hi] whose offset is that of `hi`; offsets change on whole seconds. */
  #transitionBetween(lo: number, hi: number): number {
    const target = this.offsetAt(hi);
    let low = Math.floor(lo / 1000);
    let high = Math.floor(hi / 1000);
    while (high - low > 1) {
      const mid = Math.floor((low + high) / 2);
      if (this.offsetAt(mid * 1000) === target) high = mid;
      else low = mid;
    }
    return high * 1000;
  }
}
