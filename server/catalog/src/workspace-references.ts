/**
 * Which notebooks and SQL files of the workspace mention which tables, for
 * search ("who uses account_move_line?") before anyone ran them: SQL files
 * (`*.sql`) and the code cells of SQL-kernel notebooks, parsed with the
 * lineage parser (what a statement reads and writes). A file's connection
 * comes from its `-- connection: NAME` / `%connect NAME` / `%sql @NAME`
 * lines, as the SQL kernel reads them; otherwise it is the warehouse.
 * Python notebooks are not read (SQL inside Python strings is not SQL
 * this can parse honestly).
 *
 * Bounded: hidden folders, node_modules and checkpoints are skipped; at
 * most MAX_FILES files of at most MAX_BYTES each.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { parseCell } from '@workbench/sql-kernel/magics';
import { tableKey, WAREHOUSE_SOURCE } from './keys';
import type { LineageDialect, LineageParser, TableRef } from './lineage';

const MAX_FILES = 5000;
const MAX_BYTES = 5 * 1024 * 1024;
const SKIP = new Set(['node_modules', '.ipynb_checkpoints', '__pycache__']);

export interface WorkspaceScan {
  /** Workspace-relative path -> table keys it reads or writes. */
  references: Map<string, Set<string>>;
  files: number;
  /** Files whose SQL did not parse (their other statements still count). */
  unparsed: number;
}

async function* files(root: string, dir = root, budget = { left: MAX_FILES }): AsyncGenerator<string> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    return;
  }
  for (const e of entries) {
    if (budget.left <= 0) return;
    if (e.name.startsWith('.') || SKIP.has(e.name)) continue;
    const p = join(dir, e.name);
    if (e.isDirectory()) yield* files(root, p, budget);
    else if (e.isFile() && (e.name.endsWith('.sql') || e.name.endsWith('.ipynb'))) {
      budget.left--;
      yield p;
    }
  }
}

/** The SQL pieces of a file: [source, sql] per cell (a .sql file is one cell). */
function sqlOf(path: string, text: string): [string, string][] {
  if (path.endsWith('.sql')) return [cellSql(text, WAREHOUSE_SOURCE)].filter((x): x is [string, string] => x !== undefined);
  let nb: { metadata?: { kernelspec?: { language?: string; name?: string } }; cells?: { cell_type?: string; source?: string | string[] }[] };
  try {
    nb = JSON.parse(text) as typeof nb;
  } catch {
    return [];
  }
  const ks = nb.metadata?.kernelspec;
  if ((ks?.language ?? '').toLowerCase() !== 'sql' && ks?.name !== 'sql') return [];
  const out: [string, string][] = [];
  let current = WAREHOUSE_SOURCE;
  for (const c of nb.cells ?? []) {
    if (c.cell_type !== 'code') continue;
    const src = Array.isArray(c.source) ? c.source.join('') : (c.source ?? '');
    const piece = cellSql(src, current);
    try {
      const cell = parseCell(src);
      if (cell.connect) current = cell.connect;
    } catch {
      // an unparsable cell switches nothing
    }
    if (piece) out.push(piece);
  }
  return out;
}

function cellSql(code: string, current: string): [string, string] | undefined {
  try {
    const cell = parseCell(code);
    if (cell.statements.length === 0) return undefined;
    return [cell.connection ?? cell.connect ?? current, cell.statements.map((s) => s.sql).join(';\n')];
  } catch {
    return undefined;
  }
}

export async function scanWorkspace(root: string, parser: LineageParser, dialectOf: (source: string) => LineageDialect, signal?: AbortSignal): Promise<WorkspaceScan> {
  const references = new Map<string, Set<string>>();
  let count = 0;
  let unparsed = 0;
  for await (const path of files(root)) {
    signal?.throwIfAborted();
    const info = await stat(path).catch(() => undefined);
    if (!info || info.size > MAX_BYTES) continue;
    const text = await readFile(path, 'utf8').catch(() => undefined);
    if (text === undefined) continue;
    count++;
    const keys = new Set<string>();
    for (const [source, sql] of sqlOf(path, text)) {
      const dialect = dialectOf(source);
      const schema = dialect === 'duckdb' ? 'main' : 'public';
      const result = await parser.lineageOf(sql, dialect, { defaultSchema: schema }).catch(() => undefined);
      if (!result || result.status === 'unparsed') {
        unparsed++;
        continue;
      }
      const add = (t: TableRef) => keys.add(tableKey({ source: t.catalog && t.catalog !== WAREHOUSE_SOURCE && t.catalog !== 'memory' ? t.catalog : source, schema: t.schema ?? schema, name: t.name }));
      for (const st of result.statements) {
        st.reads.forEach(add);
        if (st.target) add(st.target);
      }
    }
    if (keys.size) references.set(relative(root, path), keys);
  }
  return { references, files: count, unparsed };
}
