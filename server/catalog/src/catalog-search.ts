/**
 * The catalog's search index (search/) fed from the metadata store: one
 * document per table, view and column (with the descriptions, tags and
 * glossary terms people gave them), glossary terms themselves, and the
 * notebooks whose SQL referenced a table (from the lineage runs).
 */
import type { MetadataStore } from '@workbench/store';
import { columnKey, displayName, parseKey, tableKey } from './keys';
import { SearchIndex, type SearchDoc, type SearchHit, type SearchOptions } from './search';

export class CatalogSearch {
  private index = new SearchIndex();
  /** Notebooks and SQL files of the workspace -> the table keys they mention (workspace-references.ts). */
  private workspace = new Map<string, Set<string>>();

  constructor(private readonly store: MetadataStore) {}

  search(query: string, options?: SearchOptions): SearchHit[] {
    return this.index.search(query, options);
  }

  get size(): number {
    return this.index.size;
  }

  async rebuild(): Promise<void> {
    const fresh = new SearchIndex();
    for (const doc of await this.docs()) fresh.upsert(doc);
    for (const doc of await this.glossaryDocs()) fresh.upsert(doc);
    for (const doc of await this.notebookDocs()) fresh.upsert(doc);
    this.index = fresh;
  }

  /** Replace the documents of one source (after its refresh). */
  async rebuildSource(source: string): Promise<void> {
    const docs = await this.docs(source);
    this.index.removeWhere((d) => d.source === source && (d.kind === 'table' || d.kind === 'view' || d.kind === 'column'));
    for (const doc of docs) this.index.upsert(doc);
  }

  /** Re-read one table's documents (after a note, tag or term changed). */
  async refreshObject(key: string): Promise<void> {
    const parts = parseKey(key);
    if (!parts) return;
    const t = { source: parts.source, schema: parts.schema, name: parts.name };
    const tk = tableKey(t);
    this.index.removeWhere((d) => d.id === `t:${tk}` || d.parent === `t:${tk}`);
    for (const doc of await this.docs(t.source, tk)) this.index.upsert(doc);
  }

  async setWorkspaceReferences(references: Map<string, Set<string>>): Promise<void> {
    this.workspace = references;
    await this.refreshGlossaryAndNotebooks();
  }

  async refreshGlossaryAndNotebooks(): Promise<void> {
    this.index.removeWhere((d) => d.kind === 'glossary' || d.kind === 'notebook');
    for (const doc of await this.glossaryDocs()) this.index.upsert(doc);
    for (const doc of await this.notebookDocs()) this.index.upsert(doc);
  }

  private async docs(source?: string, objectKey?: string): Promise<SearchDoc[]> {
    let tq = this.store.db.selectFrom('catalog_tables').select(['id', 'object_key', 'source', 'schema_name', 'name', 'kind', 'comment']);
    if (source !== undefined) tq = tq.where('source', '=', source);
    if (objectKey !== undefined) tq = tq.where('object_key', '=', objectKey);
    const tables = await tq.execute();
    if (tables.length === 0) return [];
    const byId = new Map(tables.map((t) => [t.id, t]));
    let cq = this.store.db.selectFrom('catalog_columns').innerJoin('catalog_tables', 'catalog_tables.id', 'catalog_columns.table_id').select(['catalog_columns.table_id', 'catalog_columns.name', 'catalog_columns.comment']);
    if (source !== undefined) cq = cq.where('catalog_tables.source', '=', source);
    if (objectKey !== undefined) cq = cq.where('catalog_tables.object_key', '=', objectKey);
    const columns = await cq.execute();
    // One table's documents read only that table's notes, tags and terms (a note changed); a source's, all of them.
    const only = objectKey === undefined ? undefined : [objectKey, ...columns.map((c) => { const t = byId.get(c.table_id)!; return columnKey({ source: t.source, schema: t.schema_name, name: t.name, column: c.name }); })];
    const notes = new Map((await this.store.db.selectFrom('catalog_notes').select(['object_key', 'description']).$if(only !== undefined, (q) => q.where('object_key', 'in', only!)).execute()).map((n) => [n.object_key, n.description]));
    const tags = new Map<string, string[]>();
    for (const r of await this.store.db.selectFrom('catalog_tags').select(['object_key', 'tag']).where('state', '=', 'confirmed').$if(only !== undefined, (q) => q.where('object_key', 'in', only!)).execute()) tags.set(r.object_key, [...(tags.get(r.object_key) ?? []), r.tag]);
    const terms = new Map<string, string[]>();
    for (const r of await this.store.db.selectFrom('catalog_term_links').select(['object_key', 'term']).$if(only !== undefined, (q) => q.where('object_key', 'in', only!)).execute()) terms.set(r.object_key, [...(terms.get(r.object_key) ?? []), r.term]);
    const usage = new Map((await this.store.db.selectFrom('catalog_usage').select(['object_key']).select((eb) => eb.fn.countAll<number>().as('n')).where('column_name', '=', '').$if(objectKey !== undefined, (q) => q.where('object_key', '=', objectKey!)).groupBy('object_key').execute()).map((r) => [r.object_key, Number(r.n)]));
    const docs: SearchDoc[] = [];
    for (const t of tables) {
      const name = { source: t.source, schema: t.schema_name, name: t.name };
      const description = [t.comment, notes.get(t.object_key)].filter(Boolean).join(' — ') || undefined;
      docs.push({ id: `t:${t.object_key}`, kind: t.kind === 'view' ? 'view' : 'table', name: t.name, qualified: displayName(name), description, tags: tags.get(t.object_key), terms: terms.get(t.object_key), source: t.source, popularity: usage.get(t.object_key) ?? 0 });
    }
    for (const c of columns) {
      const t = byId.get(c.table_id)!;
      const name = { source: t.source, schema: t.schema_name, name: t.name };
      const key = columnKey({ ...name, column: c.name });
      const description = [c.comment, notes.get(key)].filter(Boolean).join(' — ') || undefined;
      docs.push({ id: `c:${key}`, kind: 'column', name: c.name, qualified: displayName(name, c.name), description, tags: tags.get(key), terms: terms.get(key), parent: `t:${t.object_key}`, source: t.source });
    }
    return docs;
  }

  private async glossaryDocs(): Promise<SearchDoc[]> {
    const rows = await this.store.db.selectFrom('catalog_glossary').selectAll().execute();
    return rows.map((g) => ({ id: `g:${g.term}`, kind: 'glossary', name: g.term, qualified: g.term, description: g.definition }));
  }

  private async notebookDocs(): Promise<SearchDoc[]> {
    const runs = await this.store.db.selectFrom('catalog_runs').select(['detail']).where('kind', '=', 'sql').execute();
    const refs = new Map<string, Set<string>>();
    for (const [path, keys] of this.workspace) refs.set(path, new Set([...keys].map((k) => `t:${k}`)));
    for (const r of runs) {
      const d = JSON.parse(r.detail) as { notebook?: string; tables?: string[] };
      if (!d.notebook || !d.tables?.length) continue;
      const set = refs.get(d.notebook) ?? new Set<string>();
      for (const k of d.tables) set.add(`t:${k}`);
      refs.set(d.notebook, set);
    }
    return [...refs].map(([path, set]) => ({ id: `n:${path}`, kind: 'notebook', name: path, qualified: path, references: [...set] }));
  }
}
