/**
 * What a SQL cell says, before any engine sees it.
 *
 *   %%sql -> name            optional first line: keep the result as DuckDB table `name`
 *   %%expect NAME [options]  first line instead: a data-quality check (expect-magic.ts)
 *   %connect NAME            switch the session's current connection (alone: only switch)
 *   -- connection: NAME      leading comment: use NAME for this cell only
 *   %sql @NAME SELECT ...    the same, on one line (the SQL may go on below)
 *   SELECT ... WHERE id = $id AND day = :day;
 *   SELECT ...               several statements: earlier ones run for effect, the last one shows
 *
 * Statements are split on `;` outside literals and comments. Placeholders
 * `$name` and `:name` (outside literals, quoted identifiers and comments;
 * `::` is a cast) are rewritten to positional `$1..$n`, the form both
 * DuckDB and PostgreSQL prepare; the same name reuses its number.
 * Offsets are UTF-16 offsets into the cell.
 */
import { parseExpectLine, type ExpectSpec } from './expect-magic';
import { SqlError } from './sql-error';
import { significant, tokenize, type Token } from './sql-lexer';

export interface ParsedCell {
  /** `%%sql -> name`: keep the last statement's result as this DuckDB table. */
  keepAs?: string;
  /** `%connect NAME`: switch the session's current connection, then run the statements (if any) there. */
  connect?: string;
  /** `-- connection: NAME`: run this cell on NAME without switching the session. */
  connection?: string;
  /** `%%expect NAME ...`: the cell is a data-quality check; its one SELECT returns the offending rows. */
  expect?: ExpectSpec;
  /** True when the cell had a `%%sql` or `%%expect` line. */
  cellMagic: boolean;
  /** Offset where the SQL starts (after the magic lines). */
  bodyStart: number;
  statements: CellStatement[];
}

export interface Placeholder {
  name: string;
  /** As written, `$id` or `:id`. */
  text: string;
  /** Cell offset of the placeholder. */
  start: number;
}

export interface CellStatement {
  /** Cell offsets of the statement as written, without the closing `;`. */
  start: number;
  end: number;
  text: string;
  /** The statement with named placeholders rewritten to `$1..$n`. */
  sql: string;
  /** Parameter names in `$1..$n` order. */
  parameters: string[];
  placeholders: Placeholder[];
  /** Whether a `;` closed the statement. */
  terminated: boolean;
  /** The cell offset of an offset in `sql` (for engine error positions). */
  toCellOffset(position: number): number;
}

const NAME = /^[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)?$/;
const CONNECTION_NAME = /^[A-Za-z_][A-Za-z0-9_-]*$/;
const CONNECTION_COMMENT = /^--\s*connection\s*:\s*(.*?)\s*$/i;

function magicError(message: string, code: string, position: number): SqlError {
  return new SqlError(message, { kind: 'magic', position, text: code });
}

/** Parse a cell: magic lines, statements and their placeholders. Throws SqlError (kind `magic` or `parameter`). */
export function parseCell(code: string): ParsedCell {
  const cell: ParsedCell = { cellMagic: false, bodyStart: 0, statements: [] };
  let pos = 0;
  let first = true;
  while (pos < code.length) {
    const nl = code.indexOf('\n', pos);
    const lineEnd = nl < 0 ? code.length : nl;
    const next = nl < 0 ? code.length : nl + 1;
    const line = code.slice(pos, lineEnd).trim();
    const at = pos + code.slice(pos, lineEnd).indexOf(line);
    if (line === '') {
      pos = next;
      continue;
    }
    if (line.startsWith('%%')) {
      if (!first) throw magicError(`Cannot run cell: ${line.split(/\s/)[0]} must be the first line of the cell`, code, at);
      const m = /^%%(\w*)\s*(.*)$/.exec(line)!;
      if (m[1] === 'expect') {
        cell.expect = parseExpectLine(m[2]!, code, at + line.length - m[2]!.length);
      } else if (m[1] !== 'sql') {
        throw magicError(`Cannot run cell: unknown cell magic %%${m[1]}`, code, at);
      } else if (m[2] !== '') {
        const keep = /^->\s*(\S+)$/.exec(m[2]);
        if (!keep) throw magicError(`Cannot parse ${line}: expected "%%sql" or "%%sql -> name"`, code, at);
        if (!NAME.test(keep[1]!)) throw magicError(`Cannot keep the result as ${JSON.stringify(keep[1])}: use a name of letters, digits and _ (optionally schema.name)`, code, at);
        cell.keepAs = keep[1];
      }
      cell.cellMagic = true;
    } else if (/^%sql\s+@/.test(line)) {
      // `%sql @NAME SELECT ...`: this cell on connection NAME; the SQL starts on the same line.
      const m = /^%sql\s+@(\S+)(?:\s+|$)/.exec(line)!;
      if (!CONNECTION_NAME.test(m[1]!)) throw magicError(`Cannot use connection ${JSON.stringify(m[1])}: not a connection name`, code, at);
      cell.connection = m[1];
      pos = at + m[0].length;
      break;
    } else if (line.startsWith('%')) {
      const m = /^%connect(?:\s+(\S+))?$/.exec(line);
      if (!m) {
        const magic = line.split(/\s/)[0]!;
        throw magicError(magic === '%connect' ? `Cannot parse ${line}: expected "%connect NAME"` : `Cannot run cell: unknown line magic ${magic}`, code, at);
      }
      if (m[1] === undefined) throw magicError('Cannot switch connection: %connect needs a connection name', code, at);
      if (!CONNECTION_NAME.test(m[1])) throw magicError(`Cannot switch connection: ${JSON.stringify(m[1])} is not a connection name`, code, at);
      cell.connect = m[1];
    } else {
      break;
    }
    first = false;
    pos = next;
  }
  cell.bodyStart = pos;
  const tokens = tokenize(code, pos);
  for (const t of tokens) {
    if (t.kind === 'space') continue;
    if (t.kind !== 'comment') break;
    const m = CONNECTION_COMMENT.exec(t.text);
    if (!m) continue;
    if (!CONNECTION_NAME.test(m[1]!)) throw magicError(`Cannot use connection ${JSON.stringify(m[1])}: not a connection name`, code, t.start);
    cell.connection = m[1];
  }
  cell.statements = statementsOf(code, tokens);
  return cell;
}

interface Span {
  start: number;
  end: number;
  terminated: boolean;
  tokens: Token[];
}

function spansOf(tokens: readonly Token[]): Span[] {
  const spans: Span[] = [];
  let current: Token[] = [];
  const close = (terminated: boolean) => {
    const sig = significant(current);
    if (sig.length > 0) {
      const start = sig[0]!.start;
      const end = sig[sig.length - 1]!.end;
      spans.push({ start, end, terminated, tokens: current.filter((t) => t.start >= start && t.end <= end) });
    }
    current = [];
  };
  for (const t of tokens) {
    if (t.kind === 'punct' && t.text === ';') close(true);
    else current.push(t);
  }
  close(false);
  return spans;
}

function statementsOf(code: string, tokens: readonly Token[]): CellStatement[] {
  return spansOf(tokens).map((span) => parameterize(code, span));
}

/** Statement spans of `code` from `from`: offsets, text, and whether `;` closed each. */
export function splitStatements(code: string, from = 0): { start: number; end: number; text: string; terminated: boolean }[] {
  return spansOf(tokenize(code, from)).map((s) => ({ start: s.start, end: s.end, text: code.slice(s.start, s.end), terminated: s.terminated }));
}

function parameterize(code: string, span: Span): CellStatement {
  const names: string[] = [];
  const placeholders: Placeholder[] = [];
  let positional: Token | undefined;
  // Rewritten pieces; anchors map rewritten offsets back to cell offsets.
  const parts: string[] = [];
  const anchors: { dst: number; src: number; dstEnd: number; srcEnd: number }[] = [];
  let copied = span.start;
  let length = 0;
  for (const t of span.tokens) {
    if (t.kind !== 'param') continue;
    if (t.text === '?' || /^\$\d+$/.test(t.text)) {
      positional ??= t;
      continue;
    }
    const name = t.text.slice(1);
    let index = names.indexOf(name);
    if (index < 0) index = names.push(name) - 1;
    placeholders.push({ name, text: t.text, start: t.start });
    const before = code.slice(copied, t.start);
    parts.push(before);
    length += before.length;
    const replacement = `$${index + 1}`;
    anchors.push({ dst: length, src: t.start, dstEnd: length + replacement.length, srcEnd: t.end });
    parts.push(replacement);
    length += replacement.length;
    copied = t.end;
  }
  parts.push(code.slice(copied, span.end));
  if (positional && placeholders.length > 0) {
    throw new SqlError(`Cannot bind parameters: the statement mixes positional (${positional.text}) and named (${placeholders[0]!.text}) placeholders`, {
      kind: 'parameter',
      position: positional.start,
      text: code,
    });
  }
  return {
    start: span.start,
    end: span.end,
    text: code.slice(span.start, span.end),
    sql: parts.join(''),
    parameters: names,
    placeholders,
    terminated: span.terminated,
    toCellOffset(position: number): number {
      let src = span.start;
      let dst = 0;
      for (const a of anchors) {
        if (position < a.dst) break;
        if (position < a.dstEnd) return a.src;
        src = a.srcEnd;
        dst = a.dstEnd;
      }
      return Math.min(src + (position - dst), span.end);
    },
  };
}

/**
 * The values for a statement's `$1..$n`, looked up by name in `params`.
 * A name without a value is an error naming it, pointing at its first use.
 */
export function bindParameters(statement: CellStatement, params: Readonly<Record<string, unknown>>, code?: string): unknown[] {
  return statement.parameters.map((name) => {
    if (!Object.prototype.hasOwnProperty.call(params, name) || params[name] === undefined) {
      const use = statement.placeholders.find((p) => p.name === name)!;
      const defined = Object.keys(params);
      throw new SqlError(`Cannot bind parameter ${use.text}: no parameter named "${name}" is defined${defined.length > 0 ? ` (defined: ${defined.sort().join(', ')})` : ''}`, {
        kind: 'parameter',
        position: use.start,
        text: code,
      });
    }
    return params[name];
  });
}

export type CompleteStatus = 'complete' | 'incomplete' | 'invalid';

const CLOSER: Record<string, string> = { ')': '(', ']': '[', '}': '{' };

/**
 * Jupyter `is_complete` for a SQL cell: `incomplete` while a quote, bracket
 * or block comment is open, or while several statements are typed and the
 * last lacks its `;`; `invalid` for a bad magic line or a stray closing
 * bracket; otherwise `complete`.
 */
export function isComplete(code: string): CompleteStatus {
  let cell: ParsedCell;
  try {
    cell = parseCell(code);
  } catch {
    return 'invalid';
  }
  const tokens = tokenize(code, cell.bodyStart);
  if (tokens.some((t) => t.unterminated)) return 'incomplete';
  const open: string[] = [];
  for (const t of tokens) {
    if (t.kind !== 'punct') continue;
    if (t.text === '(' || t.text === '[' || t.text === '{') open.push(t.text);
    else if (CLOSER[t.text]) {
      if (open.pop() !== CLOSER[t.text]) return 'invalid';
    }
  }
  if (open.length > 0) return 'incomplete';
  const statements = cell.statements;
  if (statements.length === 0) return cell.cellMagic ? 'incomplete' : 'complete';
  const last = statements[statements.length - 1]!;
  if (last.terminated || statements.length === 1) return 'complete';
  return 'incomplete';
}
