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
 * With `currency=COLUMN` the impact is weighed per currency: one impact
 * per distinct value of that column over all the offending rows (NULL is
 * a group of its own), each against its currency's materiality
 * (`materiality=EUR:0.01,JPY:1,*:0.05`, or one value for all); the check
 * fails when any currency's impact exceeds its materiality. This takes a
 * second query over the same wrapped SQL, run right after the first:
 *
 *   SELECT *                                          -- the rows, counted
 *   FROM (<the check's SELECT>) AS wb_offending
 *
 *   SELECT CAST("CURRENCY" AS VARCHAR) AS wb_check_currency,
 *          sum(abs("COLUMN")) AS wb_check_impact      -- every currency's impact
 *   FROM (<the check's SELECT>) AS wb_offending GROUP BY 1
 *
 * One query cannot do both on DuckDB and PostgreSQL alike: a window
 * `sum(...) OVER (PARTITION BY currency)` puts each group's impact on its
 * rows only, so the groups with no row among the kept sample would be
 * lost, and partitioning gives up the check's row order. The check's SQL
 * therefore runs twice, as two statements: on a source written to between
 * them the impacts may not match the counted rows (checks read settled
 * data). Currencies are compared as text (the column cast to VARCHAR) and
 * listed in code-point order, NULL last.
 *
 * A currency check's top-level `impact` and `materiality` (kept for
 * readers that know one impact) are those of the first currency that
 * exceeds its materiality, else of the currency with the largest impact
 * (the first of equals), else (no offending rows) 0 against the default
 * materiality (`*`, or the single value; 0 without one).
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
  /** With `currency=`: the column, and the impact of each of its values among the offending rows (absent on error), ordered by currency. */
  currency?: string;
  impacts?: CurrencyImpact[];
  /** The first `sample` offending rows: values as in the kernel's data resource (toJsonValue), one array per row. */
  sample: { columns: { name: string; type: string }[]; rows: JsonValue[][] };
  /** SHA-256 (hex) of the check's SQL as written: the statement without the `%%expect` line, surrounding blanks and closing `;`. */
  sql_sha256: string;
  elapsed_ms: number;
  /** Why the check could not run (status `error`). */
  error?: { ename: string; evalue: string };
}

/** One currency's impact (`currency=`): `currency` is the column's value as text (null for NULL); decimals as `impact`. */
export interface CurrencyImpact {
  currency: string | null;
  impact: number | string;
  materiality: number | string;
  /** impact > materiality: this currency fails the check. */
  exceeded: boolean;
}

/** A currency's impact and materiality as exact decimal text (CurrencyImpact before JSON). */
export interface CurrencyImpactText {
  currency: string | null;
  impact: string;
  materiality: string;
  exceeded: boolean;
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
  checks: Pick<CheckResult, 'name' | 'severity' | 'status' | 'violations' | 'amount' | 'impact' | 'materiality' | 'currency' | 'impacts'>[];
}

/** A check's result with what its rendering needs: the sample's engine values and the exact impact texts. */
export interface CheckOutcome {
  check: CheckResult;
  sample: ResultSet;
  impactText?: string;
  /** With `currency=`: each currency's impact as exact text, in the order of `check.impacts`. */
  impactTexts?: CurrencyImpactText[];
}

export const IMPACT_COLUMN = 'wb_check_impact';
export const CURRENCY_COLUMN = 'wb_check_currency';
/** Distinct currencies a check may have among its offending rows (more is an error of the check). */
export const MAX_CURRENCIES = 1000;

function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** A query that wraps the check's SQL. */
export interface CheckQuery {
  sql: string;
  /** Where an engine error position in `sql` points: an offset in the check's SQL, or the `%%expect` option whose column the wrapping names there. */
  locate(position: number): number | 'amount' | 'currency';
}

function wrap(prefix: string, sql: string, suffix: string, locatePrefix: (position: number) => 'amount' | 'currency'): CheckQuery {
  return { sql: `${prefix}${sql}${suffix}`, locate: (p) => (p < prefix.length ? locatePrefix(p) : p - prefix.length) };
}

/** The query that evaluates a check: the offending rows (and, with `amount=` but no `currency=`, the impact beside them). */
export function checkQuery(spec: ExpectSpec, sql: string): CheckQuery {
  const impact = spec.amount === undefined || spec.currency !== undefined ? '' : `, sum(abs(${quoteIdent(spec.amount)})) OVER () AS ${IMPACT_COLUMN}`;
  return wrap(`SELECT *${impact} FROM (\n`, sql, '\n) AS wb_offending', () => 'amount');
}

/** With `currency=`: the query of every currency's impact over all the offending rows (one row per currency, in no order). */
export function impactsQuery(spec: ExpectSpec, sql: string): CheckQuery | undefined {
  if (spec.amount === undefined || spec.currency === undefined) return undefined;
  const head = 'SELECT CAST(';
  const currency = quoteIdent(spec.currency);
  const prefix = `${head}${currency} AS VARCHAR) AS ${CURRENCY_COLUMN}, sum(abs(${quoteIdent(spec.amount)})) AS ${IMPACT_COLUMN} FROM (\n`;
  return wrap(prefix, sql, '\n) AS wb_offending GROUP BY 1', (p) => (p >= head.length && p < head.length + currency.length ? 'currency' : 'amount'));
}

/** Rows the engine must keep for `checkQuery`: the sample, and at least one row to read the impact from. */
export function rowsToKeep(spec: ExpectSpec): number {
  return Math.max(spec.sample, spec.amount === undefined || spec.currency !== undefined ? 0 : 1);
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

/** A currency's materiality: its own, else that of every other currency (`*`, or the single value), else 0. */
export function materialityOf(spec: Pick<ExpectSpec, 'materiality' | 'currencyMateriality'>, currency: string | null): string {
  return (currency !== null ? spec.currencyMateriality?.get(currency) : undefined) ?? spec.materiality ?? '0';
}

/** Code-point order, NULL last: the same on every engine and locale. */
function byCurrency(a: { currency: string | null }, b: { currency: string | null }): number {
  if (a.currency === b.currency) return 0;
  if (a.currency === null) return 1;
  if (b.currency === null) return -1;
  return a.currency < b.currency ? -1 : 1;
}

/** Each currency's impact against its materiality, from `impactsQuery`'s rows (currency text, impact). */
export function currencyImpacts(spec: ExpectSpec, groups: ResultSet): CurrencyImpactText[] {
  return groups.rows
    .map((r) => ({ currency: r[0] === null || r[0] === undefined ? null : String(r[0]), impact: decimalText(r[1]) }))
    .sort(byCurrency)
    .map((g) => {
      const materiality = materialityOf(spec, g.currency);
      return { ...g, materiality, exceeded: compareDecimal(g.impact, materiality) > 0 };
    });
}

/** The currency whose impact stands for the check: the first that exceeds its materiality, else the largest impact (the first of equals). */
export function headlineImpact(impacts: readonly CurrencyImpactText[]): CurrencyImpactText | undefined {
  return impacts.find((i) => i.exceeded) ?? impacts.reduce<CurrencyImpactText | undefined>((top, i) => (top === undefined || compareDecimal(i.impact, top.impact) > 0 ? i : top), undefined);
}

/** The `amount=` (and `currency=`) fields of a check: the column, the impact (when it ran) and the materiality, then each currency's. */
function amountFields(spec: ExpectSpec, impactText: string | undefined, impactTexts: readonly CurrencyImpactText[] | undefined): Pick<CheckResult, 'amount' | 'impact' | 'materiality' | 'currency' | 'impacts'> {
  if (spec.amount === undefined) return {};
  const top = impactTexts && headlineImpact(impactTexts);
  return {
    amount: spec.amount,
    ...(impactText !== undefined ? { impact: decimalJson(top?.impact ?? impactText) } : {}),
    materiality: decimalJson(top?.materiality ?? spec.materiality ?? '0'),
    ...(spec.currency !== undefined ? { currency: spec.currency } : {}),
    ...(impactTexts !== undefined ? { impacts: impactTexts.map((i) => ({ currency: i.currency, impact: decimalJson(i.impact), materiality: decimalJson(i.materiality), exceeded: i.exceeded })) } : {}),
  };
}

const roundMs = (ms: number) => Math.round(ms * 10) / 10;

/**
 * The outcome of a check's query (`checkQuery`'s result) and, with
 * `currency=`, of its impacts query (`impactsQuery`'s, all its rows).
 */
export function evaluateCheck(spec: ExpectSpec, sqlText: string, result: ResultSet, elapsedMs: number, groups?: ResultSet): CheckOutcome {
  const withImpact = spec.amount !== undefined && spec.currency === undefined;
  const width = withImpact ? result.columns.length - 1 : result.columns.length;
  const columns = result.columns.slice(0, width).map((c) => ({ name: c.name, type: c.type }));
  const rows = result.rows.slice(0, spec.sample).map((r) => r.slice(0, width));
  const violations = result.rowCount;
  const impactTexts = spec.amount !== undefined && spec.currency !== undefined ? currencyImpacts(spec, groups ?? { columns: [], rows: [], rowCount: 0, truncated: false }) : undefined;
  const impactText = impactTexts ? (headlineImpact(impactTexts)?.impact ?? '0') : withImpact ? decimalText(result.rows[0]?.[width]) : undefined;
  const failed = impactTexts ? impactTexts.some((i) => i.exceeded) : impactText !== undefined ? compareDecimal(impactText, spec.materiality ?? '0') > 0 : violations > 0;
  const check: CheckResult = {
    name: spec.name,
    severity: spec.severity,
    status: failed ? 'failed' : 'passed',
    violations,
    ...amountFields(spec, impactText, impactTexts),
    sample: { columns, rows: rows.map((r) => r.map((v, i) => toJsonValue(v, columns[i]!.type))) },
    sql_sha256: sqlSha256(sqlText),
    elapsed_ms: roundMs(elapsedMs),
  };
  return { check, sample: { columns, rows, rowCount: violations, truncated: violations > rows.length, elapsedMs }, impactText, ...(impactTexts ? { impactTexts } : {}) };
}

/** The outcome of a check that could not run. */
export function erroredCheck(spec: ExpectSpec, sqlText: string, error: { ename: string; evalue: string }, elapsedMs: number): CheckOutcome {
  const check: CheckResult = {
    name: spec.name,
    severity: spec.severity,
    status: 'error',
    violations: null,
    ...amountFields(spec, undefined, undefined),
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
      const { name, severity, status, violations, amount, impact, materiality, currency, impacts } = c;
      return {
        name,
        severity,
        status,
        violations,
        ...(amount !== undefined ? { amount } : {}),
        ...(impact !== undefined ? { impact } : {}),
        ...(materiality !== undefined ? { materiality } : {}),
        ...(currency !== undefined ? { currency } : {}),
        ...(impacts !== undefined ? { impacts } : {}),
      };
    }),
  };
}

const offending = (n: number | null) => `${n} offending ${n === 1 ? 'row' : 'rows'}`;

/** A currency as messages show it: its text, `null` for NULL. */
export function currencyLabel(currency: string | null): string {
  return currency ?? 'null';
}

/** The exact texts of a check's currency impacts: the outcome's, else from its JSON. */
export function impactTextsOf(c: Pick<CheckResult, 'impacts'>, texts?: readonly CurrencyImpactText[]): CurrencyImpactText[] | undefined {
  return texts ? [...texts] : c.impacts?.map((i) => ({ currency: i.currency, impact: String(i.impact), materiality: String(i.materiality), exceeded: i.exceeded }));
}

/**
 * ExpectationFailed's evalue for a failed check: `Check unbalanced_moves failed: 3 offending rows, impact 12.50 > materiality 0.01`;
 * per currency, those above their materiality: `…, impact JPY 1200 > materiality 1, impact USD 0.06 > materiality 0.05`.
 */
export function failureMessage(o: CheckOutcome): string {
  const c = o.check;
  const perCurrency = impactTextsOf(c, o.impactTexts);
  const impact = perCurrency
    ? perCurrency.filter((i) => i.exceeded).map((i) => `, impact ${currencyLabel(i.currency)} ${i.impact} > materiality ${i.materiality}`).join('')
    : c.impact !== undefined
      ? `, impact ${o.impactText ?? String(c.impact)} > materiality ${String(c.materiality)}`
      : '';
  return `Check ${checkLabel(c.name)} failed: ${offending(c.violations)}${impact}`;
}

/** ExpectationFailed's evalue for `%expect_summary`: `2 of 5 checks failed: unbalanced_moves (3 offending rows), tb_zero (could not run)`. */
export function summaryFailureMessage(s: CheckSummary): string {
  const blocking = s.checks.filter(isBlocking);
  const what = blocking.map((c) => `${checkLabel(c.name)} (${c.status === 'error' ? 'could not run' : offending(c.violations)})`);
  return `${blocking.length} of ${s.total} checks failed: ${what.join(', ')}`;
}
