/**
 * What people add to the catalog: descriptions and owners of tables and
 * columns, tags (some suggested by the classification detectors on sampled
 * values, confirmed or rejected by a person), and glossary terms linked to
 * tables. Every change returns the value before and after, for the audit
 * record the route writes.
 */
import { AppError } from '@workbench/core';
import { isUniqueViolation, type CatalogTagState } from '@workbench/store';
import type { Catalog } from './catalog';
import { classifyColumn, type ClassificationSuggestion } from './classify';
import { columnKey, displayName, tableKey, type TableName } from './keys';

export interface Note {
  description: string | null;
  owner: string | null;
}

const TAG = /^[a-z][a-z0-9_-]{0,40}(:[a-z0-9][a-z0-9_.-]{0,60})?$/;

function text(value: unknown, max: number, what: string, action: string): string | null | undefined {
  if (value === undefined) return undefined;
  if (value === null || value === '') return null;
  if (typeof value !== 'string' || value.length > max) throw new AppError('bad_request', `Cannot ${action}: ${what} must be text of at most ${max.toLocaleString('en')} characters, or null`);
  return value;
}

export function parseTag(value: unknown, action: string): string {
  if (typeof value !== 'string' || !TAG.test(value)) throw new AppError('bad_request', `Cannot ${action}: a tag is lowercase letters, digits, _ or -, with an optional ":value" (e.g. "pii:email", "gold")`);
  return value;
}

export class Annotations {
  constructor(
    private readonly catalog: Catalog,
    private readonly now: () => number = Date.now,
  ) {}

  private get db() {
    return this.catalog.store.db;
  }

  /** The key of a table, or of one of its columns; the table (and column) must be in the catalog. */
  async objectKey(t: TableName, column?: string): Promise<string> {
    const info = await this.catalog.table(t);
    if (column === undefined) return tableKey(t);
    if (!info.columns.some((c) => c.name === column)) throw new AppError('not_found', `Cannot find column ${JSON.stringify(column.slice(0, 100))} in ${info.qualified}`);
    return columnKey({ ...t, column });
  }

  async setNote(t: TableName, column: string | undefined, change: { description?: unknown; owner?: unknown }, by: string): Promise<{ before: Note; after: Note }> {
    const action = `describe ${displayName(t, column)}`;
    const description = text(change.description, 20_000, 'description', action);
    const owner = text(change.owner, 200, 'owner', action);
    if (description === undefined && owner === undefined) throw new AppError('bad_request', `Cannot ${action}: give description and/or owner`);
    const key = await this.objectKey(t, column);
    const old = await this.db.selectFrom('catalog_notes').selectAll().where('object_key', '=', key).executeTakeFirst();
    const before: Note = { description: old?.description ?? null, owner: old?.owner ?? null };
    const after: Note = { description: description === undefined ? before.description : description, owner: owner === undefined ? before.owner : owner };
    const at = this.now();
    if (old) await this.db.updateTable('catalog_notes').set({ ...after, updated_at: at, updated_by: by }).where('object_key', '=', key).execute();
    else await this.db.insertInto('catalog_notes').values({ object_key: key, ...after, updated_at: at, updated_by: by }).execute();
    await this.catalog.index.refreshObject(key);
    return { before, after };
  }

  /** Add a tag by hand (confirmed), or decide a suggested one: confirm or reject. */
  async setTag(t: TableName, column: string | undefined, tagInput: unknown, state: unknown, by: string): Promise<{ before: CatalogTagState | null; after: CatalogTagState }> {
    const action = `tag ${displayName(t, column)}`;
    const tag = parseTag(tagInput, action);
    if (state !== 'confirmed' && state !== 'rejected') throw new AppError('bad_request', `Cannot ${action}: state must be "confirmed" or "rejected"`);
    const key = await this.objectKey(t, column);
    const at = this.now();
    const old = await this.db.selectFrom('catalog_tags').select('state').where('object_key', '=', key).where('tag', '=', tag).executeTakeFirst();
    if (old) await this.db.updateTable('catalog_tags').set({ state, decided_at: at, decided_by: by }).where('object_key', '=', key).where('tag', '=', tag).execute();
    else await this.db.insertInto('catalog_tags').values({ object_key: key, tag, state, confidence: null, reason: null, created_at: at, created_by: by, decided_at: at, decided_by: by }).execute();
    await this.catalog.index.refreshObject(key);
    return { before: old?.state ?? null, after: state };
  }

  async removeTag(t: TableName, column: string | undefined, tagInput: unknown): Promise<{ before: CatalogTagState }> {
    const tag = parseTag(tagInput, `untag ${displayName(t, column)}`);
    const key = await this.objectKey(t, column);
    const old = await this.db.selectFrom('catalog_tags').select('state').where('object_key', '=', key).where('tag', '=', tag).executeTakeFirst();
    if (!old) throw new AppError('not_found', `Cannot untag ${displayName(t, column)}: it has no tag ${tag}`);
    await this.db.deleteFrom('catalog_tags').where('object_key', '=', key).where('tag', '=', tag).execute();
    await this.catalog.index.refreshObject(key);
    return { before: old.state };
  }

  /**
   * Run the classification detectors on a sample of the table's rows (up
   * to 200, read unmasked inside the server and never returned) and store
   * what they find as suggested tags. A tag a person already confirmed or
   * rejected on that column is left as it is.
   */
  async classify(t: TableName, by: string, options: { signal?: AbortSignal } = {}): Promise<{ column: string; suggestion: ClassificationSuggestion; stored: 'suggested' | 'kept' }[]> {
    const info = await this.catalog.table(t);
    const sample = await this.catalog.preview(t, { mode: 'sample', limit: 200, unmask: true, maxCellChars: 1000, signal: options.signal });
    const out: { column: string; suggestion: ClassificationSuggestion; stored: 'suggested' | 'kept' }[] = [];
    const at = this.now();
    for (const [i, col] of info.columns.entries()) {
      const values = sample.rows.map((r) => r[i]);
      for (const s of classifyColumn({ name: col.name, type: col.type, values, tableName: t.name })) {
        const key = columnKey({ ...t, column: col.name });
        const old = await this.db.selectFrom('catalog_tags').select('state').where('object_key', '=', key).where('tag', '=', s.tag).executeTakeFirst();
        if (old && old.state !== 'suggested') {
          out.push({ column: col.name, suggestion: s, stored: 'kept' });
          continue;
        }
        if (old) await this.db.updateTable('catalog_tags').set({ confidence: s.confidence, reason: s.reason, created_at: at, created_by: by }).where('object_key', '=', key).where('tag', '=', s.tag).execute();
        else await this.db.insertInto('catalog_tags').values({ object_key: key, tag: s.tag, state: 'suggested', confidence: s.confidence, reason: s.reason, created_at: at, created_by: by, decided_at: null, decided_by: null }).execute();
        out.push({ column: col.name, suggestion: s, stored: 'suggested' });
      }
    }
    return out;
  }

  async glossary(): Promise<{ term: string; definition: string; updated_by: string | null; tables: string[] }[]> {
    const terms = await this.db.selectFrom('catalog_glossary').selectAll().orderBy('term').execute();
    const links = await this.db.selectFrom('catalog_term_links').selectAll().execute();
    return terms.map((g) => ({ term: g.term, definition: g.definition, updated_by: g.updated_by, tables: links.filter((l) => l.term === g.term).map((l) => l.object_key) }));
  }

  async defineTerm(termInput: unknown, definitionInput: unknown, by: string): Promise<{ before: string | null; after: string }> {
    const action = 'define a glossary term';
    if (typeof termInput !== 'string' || termInput.trim() === '' || termInput.length > 100) throw new AppError('bad_request', `Cannot ${action}: the term must be 1-100 characters`);
    const definition = text(definitionInput, 5000, 'definition', action);
    if (!definition) throw new AppError('bad_request', `Cannot ${action}: give a definition`);
    const term = termInput.trim();
    const old = await this.db.selectFrom('catalog_glossary').select('definition').where('term', '=', term).executeTakeFirst();
    const at = this.now();
    if (old) await this.db.updateTable('catalog_glossary').set({ definition, updated_at: at, updated_by: by }).where('term', '=', term).execute();
    else await this.db.insertInto('catalog_glossary').values({ term, definition, updated_at: at, updated_by: by }).execute();
    await this.catalog.index.refreshGlossaryAndNotebooks();
    return { before: old?.definition ?? null, after: definition };
  }

  async linkTerm(t: TableName, termInput: unknown): Promise<void> {
    const key = await this.objectKey(t);
    if (typeof termInput !== 'string' || !(await this.db.selectFrom('catalog_glossary').select('term').where('term', '=', termInput).executeTakeFirst())) {
      throw new AppError('not_found', `Cannot link ${displayName(t)} to a glossary term: no term ${JSON.stringify(String(termInput).slice(0, 100))} (define it first)`);
    }
    try {
      await this.db.insertInto('catalog_term_links').values({ object_key: key, term: termInput }).execute();
    } catch (err) {
      if (!isUniqueViolation(err)) throw err;
    }
    await this.catalog.index.refreshObject(key);
  }

  async unlinkTerm(t: TableName, term: string): Promise<void> {
    const key = await this.objectKey(t);
    await this.db.deleteFrom('catalog_term_links').where('object_key', '=', key).where('term', '=', term).execute();
    await this.catalog.index.refreshObject(key);
  }
}
