/**
 * How the catalog names tables, as the server does
 * (`server/catalog/src/keys.ts`): a table's key is the JSON array
 * `[source, schema, name]` (a column's adds its name), unambiguous whatever
 * characters the parts hold; the qualified name `source.schema.name` is for
 * display only. Search hit ids put `t:` (tables, views) or `c:` (columns)
 * before the key.
 */
import type { SearchHit, TableRef } from './types';

export function tableKey(t: TableRef): string {
  return JSON.stringify([t.source, t.schema, t.name]);
}

/** The table (and column) of a key; undefined for anything that is not one. */
export function parseKey(key: string): (TableRef & { column?: string }) | undefined {
  let parts: unknown;
  try {
    parts = JSON.parse(key);
  } catch {
    return undefined;
  }
  if (!Array.isArray(parts) || (parts.length !== 3 && parts.length !== 4) || !parts.every((p) => typeof p === 'string')) return undefined;
  const [source, schema, name, column] = parts as string[];
  return column === undefined ? { source: source!, schema: schema!, name: name! } : { source: source!, schema: schema!, name: name!, column };
}

/** `odoo.public.account_move_line`. */
export function qualifiedName(t: TableRef, column?: string): string {
  return [t.source, t.schema, t.name, ...(column === undefined ? [] : [column])].join('.');
}

export function sameTable(a: TableRef, b: TableRef): boolean {
  return a.source === b.source && a.schema === b.schema && a.name === b.name;
}

/** What a hit opens: a table page (a column's: its table, at that column), a notebook, a glossary term. */
export type HitTarget =
  | { kind: 'table'; table: TableRef; column?: string }
  | { kind: 'notebook'; path: string }
  | { kind: 'glossary'; term: string }
  | { kind: 'unknown' };

export function hitTarget(hit: Pick<SearchHit, 'id' | 'kind'>): HitTarget {
  const colon = hit.id.indexOf(':');
  const prefix = colon < 0 ? '' : hit.id.slice(0, colon);
  const rest = hit.id.slice(colon + 1);
  if (prefix === 't' || prefix === 'c') {
    const p = parseKey(rest);
    if (!p) return { kind: 'unknown' };
    const table = { source: p.source, schema: p.schema, name: p.name };
    return p.column === undefined ? { kind: 'table', table } : { kind: 'table', table, column: p.column };
  }
  if (prefix === 'n') return { kind: 'notebook', path: rest };
  if (prefix === 'g') return { kind: 'glossary', term: rest };
  return { kind: 'unknown' };
}
