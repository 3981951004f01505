/**
 * The shell of a DuckDB statement around its query. DuckDB's
 * `json_serialize_sql` serializes SELECT statements only, so CREATE TABLE x
 * AS, CREATE VIEW, INSERT INTO x (cols), UPDATE and DELETE are taken apart
 * here, on tokens, and their query (a SELECT, or for UPDATE/DELETE a SELECT
 * written from their SET/FROM/USING/WHERE) goes to the serializer. The
 * whole input has been accepted by DuckDB's parser before this runs, so the
 * shapes below only need to tell statements apart, not validate them.
 */
import { LineageUnsupported, type QTable } from './query-model';
import { foldIdentifier, type StatementText, type Token } from './sql-text';

/** SQL for json_serialize_sql; `offset` is its UTF-16 offset in the input when it is a plain slice of it. */
export interface Body {
  text: string;
  offset?: number;
}

export type Shell =
  | { kind: 'select'; body: Body }
  | { kind: 'create_table_as' | 'create_view'; target: QTable; targetColumns?: string[]; body: Body }
  | { kind: 'insert'; target: QTable; targetColumns?: string[]; byName: boolean; body?: Body }
  | { kind: 'update'; target: QTable; targetColumns: string[]; body: Body }
  | { kind: 'delete'; target: QTable; body: Body }
  | { kind: 'other' };

const QUERY_START = new Set(['select', 'from', 'values', 'table', 'with']);

export function parseShell(sql: string, st: StatementText): Shell {
  return new ShellParser(sql, st.tokens).statement();
}

class ShellParser {
  constructor(
    private readonly sql: string,
    private readonly ts: Token[],
  ) {}

  private kw(i: number, ...words: string[]): boolean {
    return words.every((w, k) => {
      const t = this.ts[i + k];
      return t?.kind === 'word' && t.text.toLowerCase() === w;
    });
  }

  private punct(i: number, p: string): boolean {
    const t = this.ts[i];
    return t?.kind === 'punct' && t.text === p;
  }

  private isQueryStart(i: number): boolean {
    const t = this.ts[i];
    return !!t && ((t.kind === 'word' && QUERY_START.has(t.text.toLowerCase())) || this.punct(i, '('));
  }

  /** Index after the `)` matching the `(` at i. */
  private closeParen(i: number): number {
    let depth = 0;
    for (let j = i; j < this.ts.length; j++) {
      if (this.punct(j, '(')) depth++;
      else if (this.punct(j, ')') && --depth === 0) return j + 1;
    }
    return this.ts.length;
  }

  /** First index >= i at parenthesis depth 0 where `stop` holds, or the end. */
  private until(i: number, stop: (j: number) => boolean): number {
    let depth = 0;
    for (let j = i; j < this.ts.length; j++) {
      if (this.punct(j, '(') || this.punct(j, '[')) depth++;
      else if (this.punct(j, ')') || this.punct(j, ']')) depth--;
      else if (depth === 0 && stop(j)) return j;
    }
    return this.ts.length;
  }

  private text(from: number, to: number): string {
    if (to <= from) return '';
    return this.sql.slice(this.ts[from]!.start, this.ts[to - 1]!.end);
  }

  private body(from: number, to: number = this.ts.length, prefix?: string): Body {
    const text = this.text(from, to);
    return prefix ? { text: `${prefix} ${text}` } : { text, offset: this.ts[from]?.start ?? 0 };
  }

  private name(i: number): string | undefined {
    const t = this.ts[i];
    if (t?.kind === 'word') return foldIdentifier(t.text);
    if (t?.kind === 'ident') return t.value;
    return undefined;
  }

  /** A dotted name at i: [parts, next index]. */
  private qualified(i: number): [string[], number] {
    const parts: string[] = [];
    for (;;) {
      const n = this.name(i);
      if (n === undefined) break;
      parts.push(n);
      i++;
      if (!this.punct(i, '.')) break;
      i++;
    }
    return [parts, i];
  }

  private table(i: number): [QTable, number] {
    const [parts, next] = this.qualified(i);
    if (parts.length === 1) return [{ name: parts[0]! }, next];
    if (parts.length === 2) return [{ schema: parts[0]!, name: parts[1]! }, next];
    if (parts.length === 3) return [{ catalog: parts[0]!, schema: parts[1]!, name: parts[2]! }, next];
    throw new LineageUnsupported(`Cannot analyse the table name at "${this.text(i, Math.max(next, i + 1))}"`);
  }

  /** `(a, b, c)` at i: the first name of each comma-separated item (a column definition's name). */
  private names(i: number): [string[] | undefined, number] {
    if (!this.punct(i, '(')) return [undefined, i];
    const end = this.closeParen(i);
    const out: string[] = [];
    let j = i + 1;
    while (j < end - 1) {
      const n = this.name(j);
      if (n !== undefined) out.push(n);
      j = this.until(j, (k) => this.punct(k, ',') || k >= end - 1) + 1;
    }
    return [out, end];
  }

  /** Skips `WITH [RECURSIVE] name [(cols)] AS [NOT] [MATERIALIZED] (...) [, ...]`; -1 when it does not read so. */
  private skipWith(i: number): number {
    i++;
    if (this.kw(i, 'recursive')) i++;
    for (;;) {
      if (this.name(i) === undefined) return -1;
      i++;
      if (this.punct(i, '(')) i = this.closeParen(i);
      if (!this.kw(i, 'as')) return -1;
      i++;
      if (this.kw(i, 'not')) i++;
      if (this.kw(i, 'materialized')) i++;
      if (!this.punct(i, '(')) return -1;
      i = this.closeParen(i);
      if (!this.punct(i, ',')) return i;
      i++;
    }
  }

  statement(): Shell {
    let i = 0;
    let prefix: string | undefined;
    if (this.kw(0, 'with')) {
      const main = this.skipWith(0);
      if (main < 0 || !['insert', 'update', 'delete'].some((w) => this.kw(main, w))) return { kind: 'select', body: this.body(0) };
      prefix = this.text(0, main);
      i = main;
    }
    if (this.isQueryStart(i)) return { kind: 'select', body: this.body(0) };
    if (this.kw(i, 'create')) return this.create(i + 1);
    if (this.kw(i, 'insert')) return this.insert(i + 1, prefix);
    if (this.kw(i, 'update')) return this.update(i + 1, prefix);
    if (this.kw(i, 'delete')) return this.delete(i + 1, prefix);
    return { kind: 'other' };
  }

  private create(i: number): Shell {
    if (this.kw(i, 'or', 'replace')) i += 2;
    if (this.kw(i, 'temp') || this.kw(i, 'temporary') || this.kw(i, 'persistent')) i++;
    const kind = this.kw(i, 'table') ? 'create_table_as' : this.kw(i, 'view') ? 'create_view' : undefined;
    if (!kind) return { kind: 'other' };
    i++;
    if (this.kw(i, 'if', 'not', 'exists')) i += 3;
    const [target, afterName] = this.table(i);
    const [targetColumns, afterCols] = this.names(afterName);
    // CREATE TABLE t (a INT, ...) without AS defines a table: no lineage.
    if (!this.kw(afterCols, 'as')) return { kind: 'other' };
    return { kind, target, ...(targetColumns?.length ? { targetColumns } : {}), body: this.body(afterCols + 1) };
  }

  private insert(i: number, prefix: string | undefined): Shell {
    if (this.kw(i, 'or', 'replace') || this.kw(i, 'or', 'ignore')) i += 2;
    if (!this.kw(i, 'into')) return { kind: 'other' };
    const [target, afterName] = this.table(i + 1);
    i = afterName;
    if (this.kw(i, 'as')) i += 2;
    const [targetColumns, afterCols] = this.names(i);
    i = afterCols;
    let byName = false;
    if (this.kw(i, 'by', 'name')) (byName = true), (i += 2);
    else if (this.kw(i, 'by', 'position')) i += 2;
    const cols = targetColumns?.length ? { targetColumns } : {};
    if (this.kw(i, 'default', 'values')) return { kind: 'insert', target, ...cols, byName };
    const end = this.until(i, (j) => this.kw(j, 'on', 'conflict') || this.kw(j, 'returning'));
    return { kind: 'insert', target, ...cols, byName, body: this.body(i, end, prefix) };
  }

  /** The target with its alias, as written: [text, next index]. */
  private targetWithAlias(i: number, stops: string[]): [QTable, string, number] {
    const [target, afterName] = this.table(i);
    let j = afterName;
    if (this.kw(j, 'as')) j += 2;
    else if (this.name(j) !== undefined && !stops.some((s) => this.kw(j, s))) j++;
    return [target, this.text(i, j), j];
  }

  private update(i: number, prefix: string | undefined): Shell {
    const [target, targetText, afterTarget] = this.targetWithAlias(i, ['set']);
    if (!this.kw(afterTarget, 'set')) return { kind: 'other' };
    const setEnd = this.until(afterTarget + 1, (j) => this.kw(j, 'from') || this.kw(j, 'where') || this.kw(j, 'returning'));
    const targetColumns: string[] = [];
    const exprs: string[] = [];
    let j = afterTarget + 1;
    while (j < setEnd) {
      const end = Math.min(setEnd, this.until(j, (k) => this.punct(k, ',')));
      const eq = this.until(j, (k) => k >= end || (this.ts[k]!.kind === 'op' && this.ts[k]!.text === '='));
      if (this.punct(j, '(') || eq >= end) throw new LineageUnsupported('Cannot analyse UPDATE ... SET (a, b) = ...: only SET column = value is analysed');
      const [parts] = this.qualified(j);
      targetColumns.push(parts[parts.length - 1]!);
      exprs.push(this.text(eq + 1, end));
      j = end + 1;
    }
    let from = '';
    let where = '';
    let k = setEnd;
    if (this.kw(k, 'from')) {
      const end = this.until(k + 1, (x) => this.kw(x, 'where') || this.kw(x, 'returning'));
      from = `, ${this.text(k + 1, end)}`;
      k = end;
    }
    if (this.kw(k, 'where')) where = ` WHERE ${this.text(k + 1, this.until(k + 1, (x) => this.kw(x, 'returning')))}`;
    const text = `SELECT ${exprs.join(', ')} FROM ${targetText}${from}${where}`;
    return { kind: 'update', target, targetColumns, body: { text: prefix ? `${prefix} ${text}` : text } };
  }

  private delete(i: number, prefix: string | undefined): Shell {
    if (!this.kw(i, 'from')) return { kind: 'other' };
    const [target, targetText, afterTarget] = this.targetWithAlias(i + 1, ['using', 'where', 'returning']);
    let k = afterTarget;
    let using = '';
    if (this.kw(k, 'using')) {
      const end = this.until(k + 1, (x) => this.kw(x, 'where') || this.kw(x, 'returning'));
      using = `, ${this.text(k + 1, end)}`;
      k = end;
    }
    const where = this.kw(k, 'where') ? ` WHERE ${this.text(k + 1, this.until(k + 1, (x) => this.kw(x, 'returning')))}` : '';
    const text = `SELECT 1 FROM ${targetText}${using}${where}`;
    return { kind: 'delete', target, body: { text: prefix ? `${prefix} ${text}` : text } };
  }
}
