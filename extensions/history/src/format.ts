/**
 * How versions read in the list: author, relative and absolute time, change
 * kind. Pure; the clock and locale come in as arguments so output is
 * deterministic under test.
 */
import type { VersionChange, VersionInfo } from './types';

export interface FormatOptions {
  /** BCP 47 locale; default the browser's. */
  locale?: string;
  /** IANA time zone for absolute times; default the browser's. */
  timeZone?: string;
}

const UNITS: [Intl.RelativeTimeFormatUnit, number][] = [
  ['year', 365 * 24 * 3600],
  ['month', 30 * 24 * 3600],
  ['week', 7 * 24 * 3600],
  ['day', 24 * 3600],
  ['hour', 3600],
  ['minute', 60],
];

function toDate(time: string | Date): Date {
  return time instanceof Date ? time : new Date(time);
}

/** "just now", "5 minutes ago", "yesterday", "3 weeks ago"; the raw text for an unreadable time. */
export function formatRelativeTime(time: string | Date, now: Date, options: FormatOptions = {}): string {
  const t = toDate(time);
  if (Number.isNaN(t.getTime())) return String(time);
  const seconds = (t.getTime() - now.getTime()) / 1000;
  if (Math.abs(seconds) < 45) return 'just now'; // also absorbs small clock skew into the future
  const rtf = new Intl.RelativeTimeFormat(options.locale, { numeric: 'auto' });
  for (const [unit, size] of UNITS) {
    if (Math.abs(seconds) >= size) return rtf.format(Math.trunc(seconds / size), unit);
  }
  return rtf.format(seconds < 0 ? -1 : 1, 'minute'); // 45..59 s
}

/** "Jan 2, 2026, 3:04 PM" in the given locale and zone; the raw text for an unreadable time. */
export function formatAbsoluteTime(time: string | Date, options: FormatOptions = {}): string {
  const t = toDate(time);
  if (Number.isNaN(t.getTime())) return String(time);
  return new Intl.DateTimeFormat(options.locale, { dateStyle: 'medium', timeStyle: 'short', timeZone: options.timeZone }).format(t);
}

/** The author's name, else the email, else "Unknown author". */
export function formatAuthor(author: { name: string; email: string }): string {
  return author.name.trim() || author.email.trim() || 'Unknown author';
}

const CHANGE_LABELS: Record<VersionChange, string> = {
  added: 'Created',
  modified: 'Edited',
  renamed: 'Renamed',
  deleted: 'Deleted',
};

export function changeLabel(change: VersionChange): string {
  return CHANGE_LABELS[change];
}

/** What a row of the versions list shows. */
export interface VersionItem {
  id: string;
  short: string;
  author: string;
  /** Tooltip on the author: "Name <email>". */
  authorTitle: string;
  relativeTime: string;
  absoluteTime: string;
  /** For `<time datetime>`. */
  isoTime: string;
  message: string;
  change: VersionChange;
  changeLabel: string;
  /** "as old/name.ipynb" when the file had another path in that version. */
  pathNote?: string;
  /** A "deleted" version has no content to compare with or restore. */
  hasContent: boolean;
}

export function versionItem(v: VersionInfo, requestedPath: string, now: Date, options: FormatOptions = {}): VersionItem {
  const t = new Date(v.time);
  const item: VersionItem = {
    id: v.id,
    short: v.short || v.id.slice(0, 7),
    author: formatAuthor(v.author),
    authorTitle: v.author.email ? `${v.author.name} <${v.author.email}>` : v.author.name,
    relativeTime: formatRelativeTime(v.time, now, options),
    absoluteTime: formatAbsoluteTime(v.time, options),
    isoTime: Number.isNaN(t.getTime()) ? v.time : t.toISOString(),
    message: v.message.trim() || '(no message)',
    change: v.change,
    changeLabel: changeLabel(v.change),
    hasContent: v.change !== 'deleted',
  };
  if (v.path !== requestedPath) item.pathNote = `as ${v.path}`;
  return item;
}
