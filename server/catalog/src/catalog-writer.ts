/**
 * Writing what discovery found into the metadata store: one transaction
 * per source, so a refresh that fails (the source went away, the store
 * refused) leaves the catalog as it was, never half-written. Incremental:
 * a table whose shape (kind, comment, columns) has the same signature is
 * only touched for its size and row count; new tables are added, changed
 * ones rewritten, vanished ones removed. What people wrote (notes, tags,
 * terms) is keyed by object and stays.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { MetadataStore, Transaction, Database } from '@workbench/store';
import type { DiscoveredTable } from './discovery';
import { tableKey } from './keys';

export interface RefreshCounts {
  tables: number;
  columns: number;
  added: number;
  changed: number;
  removed: number;
  unchanged: number;
}

/** Rows per INSERT (SQLite allows 32,766 parameters; 7 columns x 500 rows stays well under). */
const CHUNK = 500;

export function signatureOf(t: DiscoveredTable): string {
  return createHash('sha256').update(JSON.stringify([t.kind, t.comment, t.columns.map((c) => [c.name, c.type, c.nullable, c.comment])])).digest('base64url').slice(0, 24);
}

export async function applyDiscovery(store: MetadataStore, source: string, tables: readonly DiscoveredTable[], now: number): Promise<RefreshCounts> {
  return store.transaction(async (trx) => {
    await store.lock(trx, `catalog:${source}`);
    const existing = new Map((await trx.selectFrom('catalog_tables').select(['id', 'object_key', 'signature', 'row_count', 'size_bytes']).where('source', '=', source).execute()).map((r) => [r.object_key, r]));
    const counts: RefreshCounts = { tables: tables.length, columns: 0, added: 0, changed: 0, removed: 0, unchanged: 0 };
    const newTables: Database['catalog_tables'][] = [];
    const newColumns: Database['catalog_columns'][] = [];
    const rewrite: string[] = [];
    const seen = new Set<string>();
    for (const t of tables) {
      const key = tableKey({ source, schema: t.schema, name: t.name });
      if (seen.has(key)) continue;
      seen.add(key);
      counts.columns += t.columns.length;
      const signature = signatureOf(t);
      const old = existing.get(key);
      if (old && old.signature === signature) {
        counts.unchanged++;
        if (old.row_count !== t.rowCount || old.size_bytes !== t.sizeBytes) {
          await trx.updateTable('catalog_tables').set({ row_count: t.rowCount, size_bytes: t.sizeBytes }).where('id', '=', old.id).execute();
        }
        continue;
      }
      const id = old?.id ?? randomUUID();
      if (old) {
        counts.changed++;
        rewrite.push(id);
        await trx
          .updateTable('catalog_tables')
          .set({ kind: t.kind, comment: t.comment, row_count: t.rowCount, size_bytes: t.sizeBytes, signature, changed_at: now })
          .where('id', '=', id)
          .execute();
      } else {
        counts.added++;
        newTables.push({ id, object_key: key, source, schema_name: t.schema, name: t.name, kind: t.kind, comment: t.comment, row_count: t.rowCount, size_bytes: t.sizeBytes, signature, first_seen_at: now, changed_at: now, refreshed_at: now });
      }
      t.columns.forEach((c, i) => newColumns.push({ table_id: id, position: i + 1, name: c.name, data_type: c.type, nullable: c.nullable ? 1 : 0, comment: c.comment }));
    }
    const gone = [...existing.values()].filter((r) => !seen.has(r.object_key)).map((r) => r.id);
    counts.removed = gone.length;
    for (const ids of chunks([...rewrite, ...gone], CHUNK)) await trx.deleteFrom('catalog_columns').where('table_id', 'in', ids).execute();
    for (const ids of chunks(gone, CHUNK)) await trx.deleteFrom('catalog_tables').where('id', 'in', ids).execute();
    for (const rows of chunks(newTables, CHUNK / 2)) await trx.insertInto('catalog_tables').values(rows).execute();
    for (const rows of chunks(newColumns, CHUNK)) await trx.insertInto('catalog_columns').values(rows).execute();
    await trx.updateTable('catalog_tables').set({ refreshed_at: now }).where('source', '=', source).execute();
    return counts;
  });
}

/** Remove everything discovered from `source` (its connection was deleted). Notes and tags stay, keyed by object. */
export async function forgetSource(store: MetadataStore, source: string): Promise<number> {
  return store.transaction(async (trx: Transaction<Database>) => {
    const ids = (await trx.selectFrom('catalog_tables').select('id').where('source', '=', source).execute()).map((r) => r.id);
    for (const chunk of chunks(ids, CHUNK)) {
      await trx.deleteFrom('catalog_columns').where('table_id', 'in', chunk).execute();
      await trx.deleteFrom('catalog_tables').where('id', 'in', chunk).execute();
    }
    return ids.length;
  });
}

function* chunks<T>(xs: readonly T[], size: number): Generator<T[]> {
  for (let i = 0; i < xs.length; i += size) yield xs.slice(i, i + size);
}
