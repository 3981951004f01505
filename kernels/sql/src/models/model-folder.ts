/**
 * dbt-style models (issue 17, PRD NB-003): a folder of `.sql` files, one
 * model each (named after its file, or by a leading `-- model: name`), that
 * read each other through `{{ ref('other') }}` (dbt's syntax; a bare
 * `ref('other')` works too), with an optional `{{ config(materialized='view') }}`
 * (default: table), and a `schema.yml` declaring column tests as dbt does:
 *
 *   models:
 *     - name: customers
 *       columns:
 *         - name: id
 *           tests: [unique, not_null]
 *         - name: status
 *           tests:
 *             - accepted_values: { values: [active, closed] }
 *         - name: region_id
 *           tests:
 *             - relationships: { to: "ref('regions')", field: id }
 *
 * Pure: takes the files' text, gives models and tests or errors naming the
 * file and what is wrong.
 */
import { AppError } from '@workbench/core';
import { parse as parseYaml } from 'yaml';

export interface Model {
  name: string;
  file: string;
  /** The SQL as written (refs not yet replaced). */
  sql: string;
  refs: string[];
  materialized: 'table' | 'view';
}

export type ColumnTest =
  | { kind: 'unique' }
  | { kind: 'not_null' }
  | { kind: 'accepted_values'; values: (string | number | boolean)[] }
  | { kind: 'relationships'; to: string; field: string };

export interface ModelTest {
  model: string;
  column: string;
  test: ColumnTest;
}

const NAME = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;
const REF = /\{\{\s*ref\(\s*['"]([^'"]+)['"]\s*\)\s*\}\}|(?<![\w.])ref\(\s*['"]([^'"]+)['"]\s*\)/g;
const CONFIG = /\{\{\s*config\(([^)]*)\)\s*\}\}/;

/** The models a file names through ref(). */
export function refsOf(sql: string): string[] {
  const out = new Set<string>();
  for (const m of sql.matchAll(REF)) out.add((m[1] ?? m[2])!);
  return [...out];
}

/** The SQL with every ref('x') replaced by `quote(x)`. */
export function replaceRefs(sql: string, quote: (name: string) => string): string {
  return sql.replace(REF, (_all, a: string | undefined, b: string | undefined) => quote((a ?? b)!)).replace(CONFIG, '');
}

export function parseModel(file: string, text: string): Model {
  const stem = file.replace(/^.*\//, '').replace(/\.sql$/i, '');
  const declared = /^\s*--\s*model:\s*(\S+)\s*$/m.exec(text.split('\n').find((l) => l.trim() !== '') ?? '')?.[1];
  const name = declared ?? stem;
  if (!NAME.test(name)) throw new AppError('bad_request', `Cannot read model ${file}: "${name}" is not a model name (letters, digits and _, starting with a letter or _)`);
  let materialized: Model['materialized'] = 'table';
  const config = CONFIG.exec(text);
  if (config) {
    const m = /materialized\s*=\s*['"](\w+)['"]/.exec(config[1]!);
    if (!m || (m[1] !== 'table' && m[1] !== 'view')) throw new AppError('bad_request', `Cannot read model ${file}: config(materialized=...) must be 'table' or 'view'`);
    materialized = m[1];
  }
  const refs = refsOf(text);
  for (const r of refs) if (!NAME.test(r)) throw new AppError('bad_request', `Cannot read model ${file}: ref('${r.slice(0, 60)}') is not a model name`);
  if (refs.includes(name)) throw new AppError('bad_request', `Cannot read model ${file}: it refers to itself`);
  const body = replaceRefs(text, (n) => n).trim().replace(/;\s*$/, '');
  if (body === '' || /^(--[^\n]*\n?\s*)*$/.test(body)) throw new AppError('bad_request', `Cannot read model ${file}: it has no SQL`);
  return { name, file, sql: text, refs, materialized };
}

const asList = (v: unknown): unknown[] => (Array.isArray(v) ? v : v === undefined || v === null ? [] : [v]);

/** The tests a dbt-style schema.yml declares. */
export function parseSchemaYml(file: string, text: string): ModelTest[] {
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (err) {
    throw new AppError('bad_request', `Cannot read ${file}: ${(err as Error).message.split('\n')[0]}`);
  }
  const fail = (what: string) => new AppError('bad_request', `Cannot read ${file}: ${what}`);
  if (doc === null || doc === undefined) return [];
  if (typeof doc !== 'object' || Array.isArray(doc)) throw fail('it must be a mapping with `models:`');
  const out: ModelTest[] = [];
  for (const m of asList((doc as { models?: unknown }).models)) {
    const model = (m as { name?: unknown }).name;
    if (typeof model !== 'string' || !NAME.test(model)) throw fail('every model needs a `name`');
    for (const c of asList((m as { columns?: unknown }).columns)) {
      const column = (c as { name?: unknown }).name;
      if (typeof column !== 'string' || column === '') throw fail(`model ${model}: every column needs a \`name\``);
      for (const t of asList((c as { tests?: unknown; data_tests?: unknown }).tests ?? (c as { data_tests?: unknown }).data_tests)) out.push({ model, column, test: parseTest(t, `model ${model}, column ${column}`, fail) });
    }
  }
  return out;
}

function parseTest(t: unknown, where: string, fail: (what: string) => AppError): ColumnTest {
  if (t === 'unique' || t === 'not_null') return { kind: t };
  if (typeof t === 'object' && t !== null && !Array.isArray(t) && Object.keys(t).length === 1) {
    const [kind, args] = Object.entries(t)[0]! as [string, Record<string, unknown> | null];
    if (kind === 'accepted_values') {
      const values = args?.values;
      if (!Array.isArray(values) || values.length === 0 || !values.every((v) => ['string', 'number', 'boolean'].includes(typeof v))) throw fail(`${where}: accepted_values needs a non-empty list of values`);
      return { kind, values: values as (string | number | boolean)[] };
    }
    if (kind === 'relationships') {
      const to = typeof args?.to === 'string' ? (/^\s*ref\(\s*['"]([^'"]+)['"]\s*\)\s*$/.exec(args.to)?.[1] ?? args.to) : undefined;
      if (!to || !NAME.test(to) || typeof args?.field !== 'string' || args.field === '') throw fail(`${where}: relationships needs \`to: ref('model')\` and \`field\``);
      return { kind, to, field: args.field };
    }
  }
  throw fail(`${where}: unknown test ${JSON.stringify(t).slice(0, 60)} (unique, not_null, accepted_values, relationships)`);
}

/** What a file of a model folder is: a model (`*.sql`), the tests (`schema.yml` / `.yaml`), or nothing the build reads. */
export function modelFolderFile(name: string): 'model' | 'tests' | undefined {
  if (name.endsWith('.sql')) return 'model';
  if (name === 'schema.yml' || name === 'schema.yaml') return 'tests';
  return undefined;
}

/**
 * A folder's models and tests from its files' names and texts (the files
 * `modelFolderFile` names; others are ignored), read in name order; `dir`
 * names the folder in messages. Whoever reads the folder (the kernel from
 * disk, the dependency analysis through the Contents API) reads it alike.
 */
export function parseModelFolder(dir: string, files: readonly { name: string; text: string }[]): { models: Model[]; tests: ModelTest[] } {
  const models: Model[] = [];
  const tests: ModelTest[] = [];
  for (const f of [...files].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    const kind = modelFolderFile(f.name);
    if (kind === 'model') models.push(parseModel(f.name, f.text));
    else if (kind === 'tests') tests.push(...parseSchemaYml(f.name, f.text));
  }
  if (models.length === 0) throw new AppError('bad_request', `Cannot build the models: ${dir} holds no .sql model`);
  const known = new Set(models.map((m) => m.name));
  for (const t of tests) {
    if (!known.has(t.model)) throw new AppError('bad_request', `Cannot build the models: schema.yml tests model ${t.model}, which no .sql file defines`);
    if (t.test.kind === 'relationships' && !known.has(t.test.to)) throw new AppError('bad_request', `Cannot build the models: schema.yml relates ${t.model}.${t.column} to ${t.test.to}, which no .sql file defines`);
  }
  return { models, tests };
}

/** The models in build order (each after what it refers to); unknown refs and cycles are errors naming them. */
export function buildOrder(models: readonly Model[], external: ReadonlySet<string> = new Set()): Model[] {
  const byName = new Map<string, Model>();
  for (const m of models) {
    const other = byName.get(m.name);
    if (other) throw new AppError('bad_request', `Cannot build the models: ${m.file} and ${other.file} both define model ${m.name}`);
    byName.set(m.name, m);
  }
  for (const m of models) for (const r of m.refs) if (!byName.has(r) && !external.has(r)) throw new AppError('bad_request', `Cannot build the models: ${m.file} refers to ref('${r}'), which no model defines`);
  // Kahn's algorithm; among the models ready at once, by name, so the order is the same every time.
  const waiting = new Map(models.map((m) => [m.name, new Set(m.refs.filter((r) => byName.has(r)))]));
  const order: Model[] = [];
  for (;;) {
    const ready = [...waiting].filter(([, deps]) => deps.size === 0).map(([n]) => n).sort();
    if (ready.length === 0) break;
    for (const n of ready) {
      waiting.delete(n);
      order.push(byName.get(n)!);
      for (const deps of waiting.values()) deps.delete(n);
    }
  }
  if (waiting.size > 0) {
    // Walk the refs of what is left until a model repeats: that is a cycle.
    const path: string[] = [];
    let at = [...waiting.keys()].sort()[0]!;
    while (!path.includes(at)) {
      path.push(at);
      at = [...waiting.get(at)!].sort()[0]!;
    }
    throw new AppError('bad_request', `Cannot build the models: they refer to each other in a cycle: ${[...path.slice(path.indexOf(at)), at].join(' -> ')}`);
  }
  return order;
}
