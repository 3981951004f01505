/**
 * Data-quality check results of a run. The SQL kernel's `%%expect` cells
 * (kernels/sql `expectation.ts`, README there) emit a display_data whose
 * bundle has CHECK_MIME; `%expect_summary` emits CHECK_SUMMARY_MIME (not
 * collected: it is derived from the checks). The run keeps each check
 * name's latest result, in the order names first appeared.
 *
 * A kernel's output is a trust boundary: a bundle is taken only when its
 * CHECK_MIME data has the documented shape (an object, or a string holding
 * one, as tslab's `display.raw` sends); anything else is ignored.
 */
export const CHECK_MIME = 'application/vnd.workbench.check+json';
export const CHECK_SUMMARY_MIME = 'application/vnd.workbench.check-summary+json';

export type CheckStatus = 'passed' | 'failed' | 'error';
export type CheckSeverity = 'fail' | 'warn';
export type CheckJsonValue = null | boolean | number | string | CheckJsonValue[] | { [key: string]: CheckJsonValue };

/** One check's outcome, as the SQL kernel reports it. */
export interface CheckResult {
  name: string;
  severity: CheckSeverity;
  status: CheckStatus;
  /** Offending rows; null when the check could not run (status `error`). */
  violations: number | null;
  /** With `amount=`: the column summed, the impact (sum of absolute values; absent on error) and the materiality. Decimals are numbers when a double holds them exactly, else strings. */
  amount?: string;
  impact?: number | string;
  materiality?: number | string;
  /**
   * With `currency=` (only with `amount`): the column, and each of its values' impact against that currency's
   * materiality, ordered by currency (absent on error). `impact`/`materiality` are then those of the first
   * currency that exceeds its materiality, else of the largest impact.
   */
  currency?: string;
  impacts?: CheckCurrencyImpact[];
  /** The first offending rows (at most the check's `sample`), one array per row in column order. */
  sample: { columns: { name: string; type: string }[]; rows: CheckJsonValue[][] };
  /** SHA-256 (hex) of the check's SQL as written. */
  sql_sha256: string;
  elapsed_ms: number;
  /** Why the check could not run (status `error`). */
  error?: { ename: string; evalue: string };
}

/** One currency's impact: `currency` is the column's value as text, null for NULL. */
export interface CheckCurrencyImpact {
  currency: string | null;
  impact: number | string;
  materiality: number | string;
  exceeded: boolean;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isDecimal = (v: unknown): v is number | string => (typeof v === 'number' && Number.isFinite(v)) || typeof v === 'string';
const isColumn = (v: unknown): v is { name: string; type: string } => isObject(v) && typeof v.name === 'string' && typeof v.type === 'string';
const isCurrencyImpact = (v: unknown): v is CheckCurrencyImpact =>
  isObject(v) && (v.currency === null || typeof v.currency === 'string') && isDecimal(v.impact) && isDecimal(v.materiality) && typeof v.exceeded === 'boolean';

/** The check result in a mime bundle, if it carries a well-formed one (a copy: the output's data stays the output's). */
export function checkResultIn(data: Record<string, unknown>): CheckResult | undefined {
  let v = data[CHECK_MIME];
  if (typeof v === 'string') {
    try {
      v = JSON.parse(v);
    } catch {
      return undefined;
    }
  }
  if (!isObject(v)) return undefined;
  const { name, severity, status, violations, amount, impact, materiality, currency, impacts, sample, sql_sha256, elapsed_ms, error } = v;
  if (typeof name !== 'string' || name === '') return undefined;
  if (severity !== 'fail' && severity !== 'warn') return undefined;
  if (status !== 'passed' && status !== 'failed' && status !== 'error') return undefined;
  if (!(violations === null ? status === 'error' : Number.isInteger(violations) && (violations as number) >= 0)) return undefined;
  if (amount !== undefined && typeof amount !== 'string') return undefined;
  if ((impact !== undefined && !isDecimal(impact)) || (materiality !== undefined && !isDecimal(materiality))) return undefined;
  if (currency !== undefined && (typeof currency !== 'string' || amount === undefined)) return undefined;
  if (impacts !== undefined && (currency === undefined || !Array.isArray(impacts) || !impacts.every(isCurrencyImpact))) return undefined;
  if (!isObject(sample) || !Array.isArray(sample.columns) || !sample.columns.every(isColumn) || !Array.isArray(sample.rows)) return undefined;
  const width = sample.columns.length;
  if (!sample.rows.every((r) => Array.isArray(r) && r.length === width)) return undefined;
  if (typeof sql_sha256 !== 'string' || !/^[0-9a-f]{64}$/.test(sql_sha256)) return undefined;
  if (typeof elapsed_ms !== 'number' || !Number.isFinite(elapsed_ms) || elapsed_ms < 0) return undefined;
  if (error !== undefined && !(isObject(error) && typeof error.ename === 'string' && typeof error.evalue === 'string')) return undefined;
  if ((status === 'error') !== (error !== undefined)) return undefined;
  return structuredClone({
    name,
    severity,
    status,
    violations: violations as number | null,
    ...(amount !== undefined ? { amount } : {}),
    ...(impact !== undefined ? { impact } : {}),
    ...(materiality !== undefined ? { materiality } : {}),
    ...(currency !== undefined ? { currency } : {}),
    ...(impacts !== undefined ? { impacts: impacts.map((i) => ({ currency: i.currency, impact: i.impact, materiality: i.materiality, exceeded: i.exceeded })) } : {}),
    sample: { columns: sample.columns.map((c) => ({ name: c.name, type: c.type })), rows: sample.rows as CheckJsonValue[][] },
    sql_sha256,
    elapsed_ms,
    ...(error !== undefined ? { error: { ename: error.ename as string, evalue: error.evalue as string } } : {}),
  });
}

/** The checks of one run: the latest result per name, in the order names first appeared. */
export class CheckCollector {
  private readonly byName = new Map<string, CheckResult>();

  /** Take the check result a bundle carries, if any; true when it did. */
  add(data: Record<string, unknown>): boolean {
    const check = checkResultIn(data);
    if (!check) return false;
    this.byName.set(check.name, check);
    return true;
  }

  get results(): CheckResult[] {
    return [...this.byName.values()];
  }
}
