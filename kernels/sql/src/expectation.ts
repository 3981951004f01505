/**
 * Data-quality checks (`%%expect` cells): the check's SQL returns the
 * offending rows; zero rows pass. With `amount=COLUMN` the check's impact
 * is the sum of the absolute values of that column over the offending
 * rows (NULLs count as 0), and it fails only when the impact exceeds the
 * materiality (default 0). Without it, any offending row fails it.
 *
 * One query does it all, on whichever engine the cell runs on:
 *
 *   SELECT *[, sum(abs("COLUMN")) OVER () AS wb_check_impact] FROM (
 *   <the check's SELECT>
 *   ) AS wb_offending
 *
 * The engine keeps the first `sample` rows and counts the rest; a window
 * with an empty OVER keeps the rows in the order the check returns them
 * (https://duckdb.org/docs/stable/sql/dialect/order_preservation). The
 * wrapping also makes the check a single query: anything that cannot be
 * a subquery is a syntax error.
 *
 * The result is the kernel's output CHECK_MIME (and, for `%expect_summary`,
 * CHECK_SUMMARY_MIME); @workbench/executor reads the same shapes
 * (kernels/executor/src/checks.ts).
 */
import { createHash } from 'node:crypto';
import { DuckDBDecimalValue } from '@duckdb/node-api';
import { checkLabel, type CheckSeverity, type ExpectSpec } from './expect-magic';
import { fitsDouble, toJsonValue, type JsonValue, type ResultSet } from './render';

export const CHECK_MIME = 'application/vnd.workbench.check+json';
export const CHECK_SUMMARY_MIME = 'application/vnd.workbench.check-summary+json';

export type CheckStatus = 'passed' | 'failed' | 'error';

/** One check's outcome, as CHECK_MIME carries it. */
export interface CheckResult {
  name: string;
  severity: CheckSeverity;
  status: CheckStatus;
  /** Offending rows; null when the check could not run (status `error`). */
  violations: number | null;
  /** With `amount=`: the column, the check's impact (absent on error) and the materiality it is compared with. Decimals as the SQL kernel's JSON has them: a number when a double holds it exactly, else a string. */
  amount?: string;
  impact?: number | string;
  materiality?: number | string;
  /** The first `sample` offending rows: values as in the kernel's data resource (toJsonValue), one array per row. */
  sample: { columns: { name: string; type: string }[]; rows: JsonValue[][] };
  /** SHA-256 (hex) of the check's SQL as written: the statement without the `%%expect` line, surrounding blanks and closing `;`. */
  sql_sha256: string;
  elapsed_ms: number;
  /** Why the check could not run (status `error`). */
  error?: { ename: string; evalue: string };
}

/** `%expect_summary`'s output: every check run in the kernel session, the latest run of each name. */
export interface CheckSummary {
  /** `failed` when a fail-severity check failed or any check could not run. */
  status: 'passed' | 'failed';
  total: number;
  passed: number;
  /** Fail-severity checks that failed. */
  failed: number;
  /** Warn-severity checks that failed. */
  warnings: number;
  errors: number;
  checks: Pick<CheckResult, 'name' | 'severity' | 'status' | 'violations' | 'amount' | 'impact' | 'materiality'>[];
}

/** A check's result with what its rendering needs: the sample's engine values and the exact impact text. */
export interface CheckOutcome {
  check: CheckResult;
  sample: ResultSet;
  impactText?: string;
}

export const IMPACT_COLUMN = 'wb_check_impact';

function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** The query that evaluates a check; `prefixLength` maps engine error positions back into the check's SQL. */
export function checkQuery(spec: ExpectSpec, sql: string): { sql: string; prefixLength: number } {
  const impact = spec.amount === undefined ? '' : `, sum(abs(${quoteIdent(spec.amount)})) OVER () AS ${IMPACT_COLUMN}`;
  const prefix = `SELECT *${impact} FROM (\n`;
  return { sql: `${prefix}${sql}\n) AS wb_offending`, prefixLength: prefix.length };
}

/** Rows the engine must keep for `checkQuery`: the sample, and at least one row to read the impact from. */
export function rowsToKeep(spec: ExpectSpec): number {
  return Math.max(spec.sample, spec.amount === undefined ? 0 : 1);
}

export function sqlSha256(sqlText: string): string {
  return createHash('sha256').update(sqlText, 'utf8').digest('hex');
}

const DECIMAL_TEXT = /^(-?)(\d+)(?:\.(\d+))?$/;

/** An engine's sum as exact decimal text: DuckDB DECIMAL and HUGEINT, doubles, PostgreSQL numeric (text); NULL is 0. */
export function decimalText(v: unknown): string {
  if (v === null || v === undefined) return '0';
  if (v instanceof DuckDBDecimalValue) return v.toString();
  return String(v);
}

/** -1, 0 or 1: exact for plain decimal texts, else as doubles (NaN counts as the larger: it must not pass a check). */
export function compareDecimal(a: string, b: string): number {
  const x = DECIMAL_TEXT.exec(a);
  const y = DECIMAL_TEXT.exec(b);
  if (x && y) {
    const scale = Math.max((x[3] ?? '').length, (y[3] ?? '').length);
    const scaled = (m: RegExpExecArray) => BigInt(m[2]! + (m[3] ?? '').padEnd(scale, '0')) * (m[1] === '-' ? -1n : 1n);
    const d = scaled(x) - scaled(y);
    return d > 0n ? 1 : d < 0n ? -1 : 0;
  }
  const p = Number(a);
  const q = Number(b);
  if (Number.isNaN(p)) return 1;
  if (Number.isNaN(q)) return -1;
  return p > q ? 1 : p < q ? -1 : 0;
}

/** Decimal text as JSON the way the kernel's data resource has decimals: a number when a double holds it exactly, else the text. */
export function decimalJson(text: string): number | string {
  return DECIMAL_TEXT.test(text) && fitsDouble(text) ? Number(text) : text;
}

/** The `amount=` fields of a check: the column, the impact (when it ran) and the materiality. */
function amountFields(spec: ExpectSpec, impactText: string | undefined): Pick<CheckResult, 'amount' | 'impact' | 'materiality'> {
  if (spec.amount === undefined) return {};
  return { amount: spec.amount, ...(impactText !== undefined ? { impact: decimalJson(impactText) } : {}), materiality: decimalJson(spec.materiality ?? '0') };
}

const roundMs = (ms: number) => Math.round(ms * 10) / 10;

/** The outcome of a check's query (`checkQuery`'s result). */
export function evaluateCheck(spec: ExpectSpec, sqlText: string, result: ResultSet, elapsedMs: number): CheckOutcome {
  const withImpact = spec.amount !== undefined;
  const width = withImpact ? result.columns.length - 1 : result.columns.length;
  const columns = result.columns.slice(0, width).map((c) => ({ name: c.name, type: c.type }));
  const rows = result.rows.slice(0, spec.sample).map((r) => r.slice(0, width));
  const violations = result.rowCount;
  const impactText = withImpact ? decimalText(result.rows[0]?.[width]) : undefined;
  const failed = impactText !== undefined ? compareDecimal(impactText, spec.materiality ?? '0') > 0 : violations > 0;
  const check: CheckResult = {
    name: spec.name,
    severity: spec.severity,
    status: failed ? 'failed' : 'passed',
    violations,
    ...amountFields(spec, impactText),
    sample: { columns, rows: rows.map((r) => r.map((v, i) => toJsonValue(v, columns[i]!.type))) },
    sql_sha256: sqlSha256(sqlText),
    elapsed_ms: roundMs(elapsedMs),
  };
  return { check, sample: { columns, rows, rowCount: violations, truncated: violations > rows.length, elapsedMs }, impactText };
}

/** The outcome of a check that could not run. */
export function erroredCheck(spec: ExpectSpec, sqlText: string, error: { ename: string; evalue: string }, elapsedMs: number): CheckOutcome {
  const check: CheckResult = {
    name: spec.name,
    severity: spec.severity,
    status: 'error',
    violations: null,
    ...amountFields(spec, undefined),
    sample: { columns: [], rows: [] },
    sql_sha256: sqlSha256(sqlText),
    elapsed_ms: roundMs(elapsedMs),
    error: { ename: error.ename, evalue: error.evalue },
  };
  return { check, sample: { columns: [], rows: [], rowCount: 0, truncated: false } };
}

/** Whether the check stops a run: a fail-severity failure, or a check that could not run. */
export function isBlocking(check: Pick<CheckResult, 'status' | 'severity'>): boolean {
  return check.status === 'error' || (check.status === 'failed' && check.severity === 'fail');
}

export function summarize(checks: Iterable<CheckResult>): CheckSummary {
  const list = [...checks];
  const count = (p: (c: CheckResult) => boolean) => list.filter(p).length;
  const failed = count((c) => c.status === 'failed' && c.severity === 'fail');
  const errors = count((c) => c.status === 'error');
  return {
    status: failed + errors > 0 ? 'failed' : 'passed',
    total: list.length,
    passed: count((c) => c.status === 'passed'),
    failed,
    warnings: count((c) => c.status === 'failed' && c.severity === 'warn'),
    errors,
    checks: list.map((c) => {
      const { name, severity, status, violations, amount, impact, materiality } = c;
      return { name, severity, status, violations, ...(amount !== undefined ? { amount } : {}), ...(impact !== undefined ? { impact } : {}), ...(materiality !== undefined ? { materiality } : {}) };
    }),
  };
}

const offending = (n: number | null) => `${n} offending ${n === 1 ? 'row' : 'rows'}`;

/** ExpectationFailed's evalue for a failed check: `Check unbalanced_moves failed: 3 offending rows, impact 12.50 > materiality 0.01`. */
export function failureMessage(o: CheckOutcome): string {
  const c = o.check;
  const impact = c.impact !== undefined ? `, impact ${o.impactText ?? String(c.impact)} > materiality ${String(c.materiality)}` : '';
  return `Check ${checkLabel(c.name)} failed: ${offending(c.violations)}${impact}`;
}

/** ExpectationFailed's evalue for `%expect_summary`: `2 of 5 checks failed: unbalanced_moves (3 offending rows), tb_zero (could not run)`. */
export function summaryFailureMessage(s: CheckSummary): string {
  const blocking = s.checks.filter(isBlocking);
  const what = blocking.map((c) => `${checkLabel(c.name)} (${c.status === 'error' ? 'could not run' : offending(c.violations)})`);
  return `${blocking.length} of ${s.total} checks failed: ${what.join(', ')}`;
}
