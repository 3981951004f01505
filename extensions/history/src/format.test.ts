import { changeLabel, formatAbsoluteTime, formatAuthor, formatRelativeTime, versionItem } from './format';
import type { VersionInfo } from './types';

const now = new Date('2026-03-10T12:00:00Z');
const ago = (seconds: number) => new Date(now.getTime() - seconds * 1000).toISOString();
const en = { locale: 'en-US', timeZone: 'UTC' };

describe('formatRelativeTime', () => {
  it.each([
    [5, 'just now'],
    [44, 'just now'],
    [50, '1 minute ago'],
    [60, '1 minute ago'],
    [5 * 60, '5 minutes ago'],
    [59 * 60, '59 minutes ago'],
    [3600, '1 hour ago'],
    [23 * 3600, '23 hours ago'],
    [24 * 3600, 'yesterday'],
    [3 * 24 * 3600, '3 days ago'],
    [7 * 24 * 3600, 'last week'],
    [20 * 24 * 3600, '2 weeks ago'],
    [45 * 24 * 3600, 'last month'],
    [400 * 24 * 3600, 'last year'],
    [3 * 365 * 24 * 3600, '3 years ago'],
  ])('%i seconds ago reads "%s"', (seconds, text) => {
    expect(formatRelativeTime(ago(seconds), now, en)).toBe(text);
  });

  it('absorbs small clock skew and reads larger future times as future', () => {
    expect(formatRelativeTime(ago(-20), now, en)).toBe('just now');
    expect(formatRelativeTime(ago(-2 * 3600), now, en)).toBe('in 2 hours');
  });

  it('returns an unreadable time as given', () => {
    expect(formatRelativeTime('not a date', now, en)).toBe('not a date');
  });
});

describe('formatAbsoluteTime', () => {
  it('formats in the given locale and zone, keeping the offset of the ISO text', () => {
    expect(formatAbsoluteTime('2026-01-02T15:04:05+01:00', en)).toBe('Jan 2, 2026, 2:04 PM');
    expect(formatAbsoluteTime('2026-01-02T15:04:05Z', { locale: 'en-GB', timeZone: 'Europe/Brussels' })).toBe('2 Jan 2026, 16:04');
    expect(formatAbsoluteTime('garbage', en)).toBe('garbage');
  });
});

describe('authors and changes', () => {
  it('shows the name, else the email, else a placeholder', () => {
    expect(formatAuthor({ name: 'Ada', email: 'ada@x' })).toBe('Ada');
    expect(formatAuthor({ name: ' ', email: 'ada@x' })).toBe('ada@x');
    expect(formatAuthor({ name: '', email: '' })).toBe('Unknown author');
  });

  it('labels every change kind', () => {
    expect(['added', 'modified', 'renamed', 'deleted'].map((c) => changeLabel(c as VersionInfo['change']))).toEqual(['Created', 'Edited', 'Renamed', 'Deleted']);
  });
});

describe('versionItem', () => {
  const v: VersionInfo = {
    id: 'a'.repeat(40),
    short: 'aaaaaaa',
    author: { name: 'Ada Lovelace', email: 'ada@example.com' },
    time: '2026-03-10T11:00:00+00:00',
    message: 'Checkpoint analysis.ipynb',
    path: 'old/analysis.ipynb',
    change: 'renamed',
  };

  it('is what a row shows', () => {
    expect(versionItem(v, 'analysis.ipynb', now, en)).toEqual({
      id: v.id,
      short: 'aaaaaaa',
      author: 'Ada Lovelace',
      authorTitle: 'Ada Lovelace <ada@example.com>',
      relativeTime: '1 hour ago',
      absoluteTime: 'Mar 10, 2026, 11:00 AM',
      isoTime: '2026-03-10T11:00:00.000Z',
      message: 'Checkpoint analysis.ipynb',
      change: 'renamed',
      changeLabel: 'Renamed',
      pathNote: 'as old/analysis.ipynb',
      hasContent: true,
    });
  });

  it('has no path note on the same path, a placeholder message, and no content for a deletion', () => {
    const item = versionItem({ ...v, path: 'analysis.ipynb', message: '', change: 'deleted' }, 'analysis.ipynb', now, en);
    expect(item.pathNote).toBeUndefined();
    expect(item.message).toBe('(no message)');
    expect(item.hasContent).toBe(false);
  });
});
