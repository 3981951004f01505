/**
 * How the catalog reads on screen: counts, sizes, times, kinds and match
 * classes, tags, preview cells and the notes under a grid or a graph.
 * Pure; the clock and locale come in as arguments so output is
 * deterministic under test.
 */
import { hitTarget, qualifiedName } from './keys';
import { MASK, type MatchClass, type Preview, type RefreshRun, type SearchHit, type SearchKind, type SourceInfo, type SourceKind, type TagInfo } from './types';

export interface FormatOptions {
  /** BCP 47 locale; default the browser's. */
  locale?: string;
  /** IANA time zone; default the browser's. */
  timeZone?: string;
}

/** "1,234" (null: "—"). */
export function formatCount(n: number | null, options: FormatOptions = {}): string {
  return n === null ? '—' : new Intl.NumberFormat(options.locale ?? 'en').format(n);
}

/** "1 row", "12,000 rows". */
export function formatRows(n: number | null, options: FormatOptions = {}): string {
  if (n === null) return 'rows unknown';
  return `${formatCount(n, options)} ${n === 1 ? 'row' : 'rows'}`;
}

/** Sizes: @workbench/lab-common's. */
export { formatBytes } from '@workbench/lab-common';

/** "Jan 2, 2026, 3:04 PM" in the given locale and zone; the raw text for an unreadable time. */
export function formatAbsoluteTime(time: string, options: FormatOptions = {}): string {
  const t = new Date(time);
  if (Number.isNaN(t.getTime())) return time;
  return new Intl.DateTimeFormat(options.locale, { dateStyle: 'medium', timeStyle: 'short', timeZone: options.timeZone }).format(t);
}

/** "just now", "5 min ago", "3 h ago", "2 days ago", then the date. */
export function formatRelativeTime(time: string, now: number, options: FormatOptions = {}): string {
  const t = Date.parse(time);
  if (Number.isNaN(t)) return time;
  const s = Math.round((now - t) / 1000);
  if (s < 45) return 'just now';
  const m = Math.round(s / 60);
  if (m < 60) return `${m} min ago`;
  const h = Math.round(m / 60);
  if (h < 24) return `${h} h ago`;
  const d = Math.round(h / 24);
  if (d < 14) return `${d} ${d === 1 ? 'day' : 'days'} ago`;
  return new Intl.DateTimeFormat(options.locale, { dateStyle: 'medium', timeZone: options.timeZone }).format(new Date(t));
}

const SOURCE_KINDS: Record<SourceKind, string> = { warehouse: 'Warehouse (DuckDB)', postgres: 'PostgreSQL', duckdb: 'DuckDB file' };

export function sourceKindLabel(kind: SourceKind): string {
  return SOURCE_KINDS[kind];
}

/** "Refreshed 5 min ago", "Refresh failed 2 h ago", "Refreshing…", "Never refreshed". */
export function refreshLabel(run: RefreshRun | null, now: number, options: FormatOptions = {}): string {
  if (!run) return 'Never refreshed';
  if (run.status === 'running') return 'Refreshing…';
  const when = formatRelativeTime(run.finished ?? run.started, now, options);
  return run.status === 'ok' ? `Refreshed ${when}` : `Refresh failed ${when}`;
}

/** "5 tables", "1 table". */
export function tableCount(source: Pick<SourceInfo, 'tables'>): string {
  return `${formatCount(source.tables)} ${source.tables === 1 ? 'table' : 'tables'}`;
}

const KINDS: Record<SearchKind, string> = { table: 'Table', view: 'View', column: 'Column', notebook: 'Notebook', glossary: 'Glossary term' };

export function kindLabel(kind: SearchKind): string {
  return KINDS[kind];
}

const MATCHES: Record<MatchClass, string> = {
  exact: 'exact name',
  prefix: 'name starts with',
  word: 'word in name',
  tag: 'tag or term',
  description: 'description',
  fuzzy: 'similar name',
};

/** The match class as words, for the badge beside a hit (a notebook found by a table it used says so). */
export function matchLabel(match: MatchClass, field?: SearchHit['matched']['field']): string {
  return field === 'references' ? 'uses the table' : MATCHES[match];
}

/**
 * The line under a hit saying what matched when it is not its name: the
 * tag or term, the word of its description, the table a notebook used.
 * Null when the name or qualified name matched (those are highlighted).
 */
export function matchedLine(hit: Pick<SearchHit, 'matched'>): { label: string; text: string } | null {
  const { field, text } = hit.matched;
  switch (field) {
    case 'name':
    case 'qualified':
      return null;
    case 'tags':
      return { label: 'tag', text };
    case 'terms':
      return { label: 'glossary term', text };
    case 'description':
      return { label: 'description', text };
    case 'references': {
      const target = hitTarget({ id: text, kind: 'table' });
      return { label: 'uses', text: target.kind === 'table' ? qualifiedName(target.table) : text };
    }
  }
}

/** Tags that mark personal data. */
export function isPiiTag(tag: string): boolean {
  return tag === 'pii' || tag.startsWith('pii:');
}

/** "87%" for a suggestion's confidence; '' when there is none. */
export function confidenceText(confidence: number | null): string {
  return confidence === null ? '' : `${Math.round(confidence * 100)}%`;
}

/** The tooltip of a tag badge: state, confidence, reason, who. */
export function tagTitle(t: TagInfo): string {
  const parts = [t.state === 'suggested' ? `Suggested${t.confidence === null ? '' : ` (${confidenceText(t.confidence)} confidence)`}` : t.state === 'confirmed' ? 'Confirmed' : 'Rejected'];
  if (t.reason) parts.push(t.reason);
  if (t.by) parts.push(`${t.state === 'suggested' ? 'by' : 'decided by'} ${t.by}`);
  return parts.join(' · ');
}

/** Tags to show: confirmed first, then suggested; rejected ones are left out. */
export function visibleTags(tags: readonly TagInfo[]): TagInfo[] {
  const rank = (t: TagInfo) => (t.state === 'confirmed' ? 0 : 1);
  return tags.filter((t) => t.state !== 'rejected').sort((a, b) => rank(a) - rank(b) || a.tag.localeCompare(b.tag));
}

export type CellKind = 'null' | 'masked' | 'number' | 'boolean' | 'text' | 'json';

/** A calendar date the server sent as midnight UTC (`2026-11-02T00:00:00.000Z`). */
const MIDNIGHT = /^(\d{4}-\d{2}-\d{2})T00:00:00(?:\.000)?Z$/;

/**
 * A preview cell as text, its kind (for styling), and whether the server
 * cut it. A `date` column's midnight timestamps read as the date alone.
 */
export function previewCell(value: unknown, masked: boolean, type = ''): { text: string; kind: CellKind; cut: boolean } {
  if (value === null || value === undefined) return { text: 'null', kind: 'null', cut: false };
  if (masked || value === MASK) return { text: MASK, kind: 'masked', cut: false };
  if (typeof value === 'number' || typeof value === 'bigint') return { text: String(value), kind: 'number', cut: false };
  if (typeof value === 'boolean') return { text: String(value), kind: 'boolean', cut: false };
  if (typeof value === 'string') {
    const day = /^date$/i.test(type) ? MIDNIGHT.exec(value) : null;
    return { text: day ? day[1]! : value, kind: 'text', cut: value.endsWith('…') };
  }
  return { text: JSON.stringify(value), kind: 'json', cut: false };
}

/** Under the grid: "2 columns masked: personal data", or null. */
export function maskedNote(preview: Pick<Preview, 'columns'>): string | null {
  const n = preview.columns.filter((c) => c.masked).length;
  if (n === 0) return null;
  return `${n} ${n === 1 ? 'column' : 'columns'} masked: personal data`;
}

/** "10 rows · first rows · 14 ms", "3 rows · random sample · 1 cell cut". */
export function previewSummary(preview: Pick<Preview, 'rows' | 'mode' | 'truncated_cells' | 'elapsed_ms'>): string {
  const parts = [formatRows(preview.rows.length), preview.mode === 'first' ? 'first rows' : 'random sample'];
  if (preview.truncated_cells > 0) parts.push(`${formatCount(preview.truncated_cells)} long ${preview.truncated_cells === 1 ? 'cell' : 'cells'} cut by the server`);
  parts.push(`${preview.elapsed_ms} ms`);
  return parts.join(' · ');
}

/** "3 statements could not be parsed", or null. */
export function unparsedNote(unparsed: number): string | null {
  if (unparsed === 0) return null;
  return `${formatCount(unparsed)} ${unparsed === 1 ? 'statement' : 'statements'} could not be parsed: their lineage is not shown`;
}

/** The column a lineage edge row names ('' is the whole table: a filter, join or grouping). */
export function lineageColumnLabel(column: string): string {
  return column === '' ? '(table)' : column;
}
