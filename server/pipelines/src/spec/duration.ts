/**
 * Durations as pipeline files write them: `30s`, `10m`, `2h`, `1d`, units
 * combined largest first (`1h30m`), or a whole number of seconds.
 */
import { PATTERNS } from './pipeline-schema';

const DURATION = new RegExp(PATTERNS.duration.pattern);
const UNIT_MS: Record<string, number> = { d: 86_400_000, h: 3_600_000, m: 60_000, s: 1000 };

/** Milliseconds, or undefined when `value` is not a duration. */
export function parseDuration(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isSafeInteger(value) && value >= 0 ? value * 1000 : undefined;
  if (typeof value !== 'string' || !DURATION.test(value)) return undefined;
  let ms = 0;
  for (const [, n, unit] of value.matchAll(/([0-9]+)([dhms])/g)) ms += Number(n) * UNIT_MS[unit!]!;
  return Number.isSafeInteger(ms) ? ms : undefined;
}
