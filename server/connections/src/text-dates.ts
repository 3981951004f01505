/**
 * Dates and times as PostgreSQL writes them, for results shown to people:
 * `date`, `time` and `timestamp without time zone` have no time zone, so
 * turning them into a JS Date (node-postgres's default) would shift them by
 * the server's offset. They stay text ("2026-11-30", "2026-11-30
 * 23:59:59"); `timestamptz` still becomes a Date (an instant).
 */
import { types, type CustomTypesConfig } from 'pg';

/** date, time, timestamp, and their arrays. */
const AS_TEXT = new Set([1082, 1083, 1114, 1182, 1183, 1115]);

export const textDates: CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') => (AS_TEXT.has(oid) ? (value: string) => value : types.getTypeParser(oid, format as 'text'))) as CustomTypesConfig['getTypeParser'],
};
