/**
 * Completion and inspection for SQL cells (Jupyter `complete_request` and
 * `inspect_request`), from a catalog snapshot; no engine round trip.
 *
 * Cursor positions are in Unicode code points, as Jupyter protocol 5.2+
 * counts them (https://jupyter-client.readthedocs.io/en/stable/messaging.html#cursor-pos-unicode-note);
 * conversions to JS string offsets happen here.
 *
 * What completes: keywords and common functions anywhere; tables (and
 * schemas) after FROM/JOIN/INTO/UPDATE/TABLE and as a fallback elsewhere;
 * `schema.` -> its tables; `table.` or `alias.` -> columns, with simple
 * aliases resolved from the statement's FROM/JOIN clauses; `%connect `
 * -> connection names.
 */
import { escapeHtml } from './render';
import { RESERVED, SQL_FUNCTIONS, SQL_KEYWORDS } from './sql-keywords';
import { significant, tokenize, type Token } from './sql-lexer';

export interface CatalogColumn {
  name: string;
  type: string;
}

export interface CatalogEntry {
  schema: string;
  name: string;
  kind?: 'table' | 'view';
  columns?: readonly CatalogColumn[];
}

/** A DuckDbEngine.catalog() snapshot fits; so does one built from PostgreSQL. */
export interface CompletionCatalog {
  /** The schema unqualified names resolve in (`main`, `public`). */
  defaultSchema?: string;
  schemas: readonly string[];
  tables: readonly CatalogEntry[];
  /** Names `%connect` offers. */
  connections?: readonly string[];
}

export type MatchType = 'keyword' | 'function' | 'schema' | 'table' | 'column' | 'connection';

export interface CompleteReply {
  matches: string[];
  cursor_start: number;
  cursor_end: number;
  metadata: { _jupyter_types_experimental: { start: number; end: number; text: string; type: MatchType }[] };
}

export interface InspectReply {
  found: boolean;
  data: { 'text/plain'?: string; 'text/html'?: string };
}

/** UTF-16 offset of a code point offset. */
function toUtf16(code: string, codePoints: number): number {
  let i = 0;
  for (let n = 0; i < code.length && n < codePoints; n++) i += code.codePointAt(i)! > 0xffff ? 2 : 1;
  return i;
}

/** Code point offset of a UTF-16 offset. */
function toCodePoints(code: string, utf16: number): number {
  let n = 0;
  for (let i = 0; i < utf16 && i < code.length; n++) i += code.codePointAt(i)! > 0xffff ? 2 : 1;
  return n;
}

const IDENT = /[A-Za-z0-9_$\u0080-\uffff]/;
const KEYWORDS = new Set(SQL_KEYWORDS);
const TABLE_CONTEXT = new Set(['FROM', 'JOIN', 'INTO', 'UPDATE', 'TABLE', 'DESCRIBE', 'SUMMARIZE']);
const CLAUSES = new Set(['SELECT', 'FROM', 'WHERE', 'GROUP', 'HAVING', 'ORDER', 'LIMIT', 'ON', 'USING', 'SET', 'VALUES', 'QUALIFY', 'WINDOW', 'RETURNING']);

/** A name as it must be written: bare when lower-case and not reserved, else double-quoted. */
export function quoteIdent(name: string): string {
  return /^[a-z_][a-z0-9_]*$/.test(name) && !RESERVED.has(name.toUpperCase()) ? name : `"${name.replace(/"/g, '""')}"`;
}

function identName(t: Token): string {
  return t.kind === 'quoted' ? t.text.slice(1, -1).replace(/""/g, '"') : t.text;
}

const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

interface TableRef {
  /** [schema, name] or [name]; empty for a subquery or table function. */
  parts: string[];
  alias?: string;
}

/** Table references and CTE names of one statement's significant tokens. */
function scopeOf(sig: readonly Token[]): { refs: TableRef[]; ctes: string[] } {
  const refs: TableRef[] = [];
  const ctes: string[] = [];
  const isName = (t: Token | undefined) => t !== undefined && (t.kind === 'quoted' || (t.kind === 'word' && !KEYWORDS.has(t.text.toUpperCase())));
  for (let i = 0; i < sig.length; i++) {
    const t = sig[i]!;
    const word = t.kind === 'word' ? t.text.toUpperCase() : '';
    const prev = sig[i - 1];
    if ((t.kind === 'word' || t.kind === 'quoted') && sig[i + 1]?.text.toUpperCase() === 'AS' && sig[i + 2]?.text === '(' && prev && (['WITH', 'RECURSIVE'].includes(prev.text.toUpperCase()) || prev.text === ',')) {
      ctes.push(identName(t));
    }
    if (!TABLE_CONTEXT.has(word)) continue;
    let j = i + 1;
    for (;;) {
      const ref: TableRef = { parts: [] };
      if (sig[j]?.text === '(') {
        for (let depth = 0; j < sig.length; j++) {
          if (sig[j]!.text === '(') depth++;
          else if (sig[j]!.text === ')' && --depth === 0) break;
        }
        j++;
      } else {
        while (sig[j] && (sig[j]!.kind === 'word' || sig[j]!.kind === 'quoted')) {
          ref.parts.push(identName(sig[j]!));
          if (sig[j + 1]?.text !== '.') break;
          j += 2;
        }
        j++;
        if (sig[j]?.text === '(') ref.parts = []; // a table function, e.g. range(10) t
      }
      if (sig[j]?.text.toUpperCase() === 'AS') j++;
      if (isName(sig[j])) ref.alias = identName(sig[j++]!);
      if (ref.parts.length > 0 || ref.alias) refs.push({ parts: ref.parts.slice(-2), alias: ref.alias });
      if (word === 'FROM' && sig[j]?.text === ',') {
        j++;
        continue;
      }
      break;
    }
  }
  return { refs, ctes };
}

function findTable(catalog: CompletionCatalog, parts: readonly string[]): CatalogEntry | undefined {
  if (parts.length === 0) return undefined;
  const name = parts[parts.length - 1]!;
  const schema = parts.length > 1 ? parts[parts.length - 2] : undefined;
  const hits = catalog.tables.filter((t) => same(t.name, name) && (schema === undefined || same(t.schema, schema)));
  return hits.find((t) => t.name === name && (schema === undefined ? t.schema === catalog.defaultSchema : t.schema === schema)) ?? hits.find((t) => t.schema === catalog.defaultSchema) ?? hits[0];
}

/** The statement (between `;`) around `pos`, as significant tokens. */
function statementAt(tokens: readonly Token[], pos: number): Token[] {
  let start = 0;
  let end = tokens.length;
  tokens.forEach((t, i) => {
    if (t.kind !== 'punct' || t.text !== ';') return;
    if (t.end <= pos) start = i + 1;
    else if (end === tokens.length) end = i;
  });
  return significant(tokens.slice(start, end));
}

/** Where the SQL starts: after leading `%%sql` / `%connect` lines. */
function bodyStart(code: string): number {
  const m = /^(?:[ \t]*(?:%[^\n]*)?\n)*/.exec(code);
  return m ? m[0].length : 0;
}

interface Word {
  start: number;
  /** Qualifier names before the word (`s.t.` -> ['s', 't']). */
  qualifier: string[];
}

/** The identifier ending at `pos`, and what qualifies it. */
function wordAt(code: string, tokens: readonly Token[], pos: number): Word {
  let start = pos;
  while (start > 0 && IDENT.test(code[start - 1]!)) start--;
  const qualifier: string[] = [];
  let dot = start - 1;
  while (code[dot] === '.' && qualifier.length < 2) {
    const t = tokens.find((x) => x.end === dot && (x.kind === 'word' || x.kind === 'quoted'));
    if (!t) break;
    qualifier.unshift(identName(t));
    dot = t.start - 1;
  }
  return { start, qualifier };
}

/** Completion at `cursorPos` (code points). */
export function complete(code: string, cursorPos: number, catalog: CompletionCatalog): CompleteReply {
  const pos = toUtf16(code, Math.max(0, Math.min(cursorPos, [...code].length)));
  const found: { text: string; type: MatchType }[] = [];
  const reply = (start: number): CompleteReply => {
    const seen = new Set<string>();
    const unique = found.filter((m) => !seen.has(m.text) && seen.add(m.text));
    const cs = toCodePoints(code, start);
    const ce = toCodePoints(code, pos);
    return { matches: unique.map((m) => m.text), cursor_start: cs, cursor_end: ce, metadata: { _jupyter_types_experimental: unique.map((m) => ({ start: cs, end: ce, text: m.text, type: m.type })) } };
  };
  const body = bodyStart(code);
  const lineStart = code.lastIndexOf('\n', pos - 1) + 1;
  if (lineStart < body || (lineStart === body && /^[ \t]*%/.test(code.slice(lineStart)))) {
    const m = /^\s*%connect\s+(\S*)$/.exec(code.slice(lineStart, pos));
    if (m) for (const c of catalog.connections ?? []) if (c.startsWith(m[1]!)) found.push({ text: c, type: 'connection' });
    return reply(pos - (m?.[1]?.length ?? 0));
  }
  const tokens = tokenize(code, body);
  const inside = tokens.find((t) => t.start < pos && (pos < t.end || (pos === t.end && (t.unterminated || t.text.startsWith('--')))));
  if (inside?.kind === 'string' || inside?.kind === 'comment') return reply(pos);
  // An open "quoted identifier runs to the end of the input: close it at the cursor to see the rest of the statement.
  const scopeTokens = inside?.kind === 'quoted' && inside.unterminated ? tokenize(`${code.slice(0, pos)}"${code.slice(pos)}`, body) : tokens;
  const sig = statementAt(scopeTokens, pos);
  const w = wordAt(code, tokens, pos);
  // The word being typed is not (yet) an alias.
  const { refs, ctes } = scopeOf(sig.filter((t) => t.end <= w.start || t.start >= pos));
  const scoped = refs.map((r) => ({ ref: r, table: findTable(catalog, r.parts) }));
  const columnsOf = (t: CatalogEntry | undefined) => (t?.columns ?? []).map((c) => ({ text: quoteIdent(c.name), type: 'column' as const, name: c.name }));
  const tablesIn = (schema: string) => catalog.tables.filter((t) => same(t.schema, schema)).map((t) => ({ text: quoteIdent(t.name), type: 'table' as const, name: t.name }));

  // Inside "a quoted identifier: complete names as written, keeping the quote.
  if (inside?.kind === 'quoted') {
    const prefix = code.slice(inside.start + 1, pos);
    const names: [string, MatchType][] = [
      ...scoped.flatMap((s) => (s.table?.columns ?? []).map((c): [string, MatchType] => [c.name, 'column'])),
      ...catalog.tables.map((t): [string, MatchType] => [t.name, 'table']),
      ...catalog.schemas.map((n): [string, MatchType] => [n, 'schema']),
    ];
    for (const [n, type] of names) if (n.startsWith(prefix)) found.push({ text: `"${n.replace(/"/g, '""')}"`, type });
    return reply(inside.start);
  }

  const prefix = code.slice(w.start, pos);
  const matches = (name: string) => name.toLowerCase().startsWith(prefix.toLowerCase());
  const add = (items: { text: string; type: MatchType; name?: string }[]) => {
    for (const it of items) if (matches(it.name ?? it.text) || matches(it.text)) found.push({ text: it.text, type: it.type });
  };

  if (w.qualifier.length > 0) {
    const q = w.qualifier;
    if (q.length === 1) {
      const alias = scoped.find((s) => s.ref.alias !== undefined && same(s.ref.alias, q[0]!));
      add(columnsOf(alias ? alias.table : findTable(catalog, q)));
      const schema = catalog.schemas.find((s) => same(s, q[0]!));
      if (schema) add(tablesIn(schema));
    } else {
      add(columnsOf(findTable(catalog, q)));
    }
    return reply(w.start);
  }

  const preceding = sig.filter((t) => t.end <= w.start);
  const before = preceding[preceding.length - 1];
  const context = before?.kind === 'word' ? before.text.toUpperCase() : before?.text;
  const clause = [...preceding].reverse().find((t) => t.kind === 'word' && CLAUSES.has(t.text.toUpperCase()))?.text.toUpperCase();
  const wantsTable = (context !== undefined && TABLE_CONTEXT.has(context)) || (context === ',' && clause === 'FROM');
  const lower = /[a-z]/.test(prefix) || (prefix === '' && sig[0]?.kind === 'word' && /[a-z]/.test(sig[0].text));
  const keywords = SQL_KEYWORDS.map((k) => ({ text: lower ? k.toLowerCase() : k, type: 'keyword' as const }));
  const functions = SQL_FUNCTIONS.map((f) => ({ text: f, type: 'function' as const }));
  const defaultSchema = catalog.defaultSchema;
  const tables = catalog.tables
    .map((t) => ({ text: t.schema === defaultSchema ? quoteIdent(t.name) : `${quoteIdent(t.schema)}.${quoteIdent(t.name)}`, type: 'table' as const, name: t.name }))
    .sort((a, b) => a.text.localeCompare(b.text, 'en'));
  const cteItems = ctes.map((c) => ({ text: quoteIdent(c), type: 'table' as const, name: c }));
  const schemas = catalog.schemas.map((s) => ({ text: quoteIdent(s), type: 'schema' as const, name: s }));
  const aliases = scoped.filter((s) => s.ref.alias).map((s) => ({ text: quoteIdent(s.ref.alias!), type: 'table' as const, name: s.ref.alias! }));
  const columns = scoped.flatMap((s) => columnsOf(s.table));

  if (wantsTable) {
    add([...cteItems, ...tables, ...schemas]);
  } else {
    add([...columns, ...aliases, ...keywords, ...functions, ...cteItems, ...tables]);
  }
  return reply(w.start);
}

function tableText(t: CatalogEntry): { plain: string; html: string } {
  const cols = t.columns ?? [];
  const width = Math.max(0, ...cols.map((c) => c.name.length));
  const head = `${t.schema}.${t.name} (${t.kind ?? 'table'}, ${cols.length} column${cols.length === 1 ? '' : 's'})`;
  const plain = [head, ...cols.map((c) => `  ${c.name.padEnd(width)}  ${c.type}`)].join('\n');
  const rows = cols.map((c) => `<tr><td style="text-align:left">${escapeHtml(c.name)}</td><td style="text-align:left">${escapeHtml(c.type)}</td></tr>`).join('');
  const html = `<p><b>${escapeHtml(`${t.schema}.${t.name}`)}</b> <i>${escapeHtml(t.kind ?? 'table')}</i></p><table class="wb-sql-columns"><thead><tr><th style="text-align:left">column</th><th style="text-align:left">type</th></tr></thead><tbody>${rows}</tbody></table>`;
  return { plain, html };
}

/**
 * Inspection at `cursorPos` (code points): a table, view or alias under the
 * cursor shows its columns and types; a column (bare or `alias.column`)
 * shows its type and table.
 */
export function inspect(code: string, cursorPos: number, catalog: CompletionCatalog): InspectReply {
  const none: InspectReply = { found: false, data: {} };
  const pos = toUtf16(code, Math.max(0, Math.min(cursorPos, [...code].length)));
  const body = bodyStart(code);
  if (pos < body) return none;
  const tokens = tokenize(code, body);
  const at = tokens.find((t) => t.start <= pos && pos <= t.end && (t.kind === 'word' || t.kind === 'quoted'));
  if (!at) return none;
  const name = identName(at);
  const sig = statementAt(tokens, pos);
  const { refs } = scopeOf(sig);
  const resolve = (parts: string[]) => {
    if (parts.length === 1) {
      const alias = refs.find((r) => r.alias !== undefined && same(r.alias, parts[0]!));
      if (alias) return findTable(catalog, alias.parts);
    }
    return findTable(catalog, parts);
  };
  const show = (t: CatalogEntry): InspectReply => {
    const { plain, html } = tableText(t);
    return { found: true, data: { 'text/plain': plain, 'text/html': html } };
  };
  const column = (t: CatalogEntry, c: CatalogColumn): InspectReply => ({
    found: true,
    data: {
      'text/plain': `${c.name}: ${c.type}\ncolumn of ${t.schema}.${t.name}`,
      'text/html': `<p><b>${escapeHtml(c.name)}</b>: <code>${escapeHtml(c.type)}</code> — column of ${escapeHtml(`${t.schema}.${t.name}`)}</p>`,
    },
  });
  const qualifier = wordAt(code, tokens, at.start).qualifier;
  if (qualifier.length > 0) {
    const owner = resolve(qualifier);
    const c = owner?.columns?.find((x) => same(x.name, name));
    if (owner && c) return column(owner, c);
  }
  const table = resolve([...qualifier, name]);
  if (table) return show(table);
  for (const r of refs) {
    const t = findTable(catalog, r.parts);
    const c = t?.columns?.find((x) => same(x.name, name));
    if (t && c) return column(t, c);
  }
  return none;
}

