/**
 * How a run's data-quality checks read (kernels/sql/README.md, "Outcome"):
 * each check's outcome, their order on the run page, the counts of the
 * summary line and how sample values are written. Pure.
 *
 * The outcome splits `failed` by severity, as `%expect_summary` counts
 * them: a failed `fail` check is a failure, a failed `warn` check a
 * warning; `error` is a check that could not run.
 */
import { plural } from './format';
import type { TaskCheck } from './types';

export type CheckOutcome = 'passed' | 'failed' | 'warning' | 'error';

export function checkOutcome(c: Pick<TaskCheck, 'status' | 'severity'>): CheckOutcome {
  if (c.status === 'failed') return c.severity === 'warn' ? 'warning' : 'failed';
  return c.status;
}

/** Mark and word of each outcome: the word is always written, colour and mark are never the only cue. */
export const OUTCOME_LABELS: Record<CheckOutcome, { mark: string; word: string; title: string }> = {
  passed: { mark: '✓', word: 'Passed', title: 'No offending rows, or their impact within materiality' },
  failed: { mark: '✗', word: 'Failed', title: 'Offending rows: the check failed the task' },
  warning: { mark: '⚠', word: 'Warning', title: 'Offending rows of a warn-severity check: the task was not failed for it' },
  error: { mark: '!', word: 'Error', title: 'The check could not run' },
};

const RANK: Record<CheckOutcome, number> = { failed: 0, error: 0, warning: 1, passed: 2 };

/** Failures and checks that could not run first, then warnings, then passed ones; the server's order (as they ran) within each. */
export function orderChecks(checks: readonly TaskCheck[]): TaskCheck[] {
  return checks
    .map((c, i) => ({ c, i, rank: RANK[checkOutcome(c)] }))
    .sort((a, b) => a.rank - b.rank || a.i - b.i)
    .map((x) => x.c);
}

export type CheckCounts = Record<CheckOutcome, number>;

export function countChecks(checks: readonly TaskCheck[]): CheckCounts {
  const counts: CheckCounts = { passed: 0, failed: 0, warning: 0, error: 0 };
  for (const c of checks) counts[checkOutcome(c)] += 1;
  return counts;
}

/** The summary line's parts: "1 passed", "2 failed", "0 warnings", "1 error". */
export function summaryParts(counts: CheckCounts): { outcome: CheckOutcome; text: string }[] {
  return [
    { outcome: 'passed', text: `${counts.passed} passed` },
    { outcome: 'failed', text: `${counts.failed} failed` },
    { outcome: 'warning', text: plural(counts.warning, 'warning') },
    { outcome: 'error', text: plural(counts.error, 'error') },
  ];
}

/** "1 passed · 1 failed · 0 warnings · 0 errors". */
export function checksSummary(counts: CheckCounts): string {
  return summaryParts(counts)
    .map((p) => p.text)
    .join(' · ');
}

/**
 * How the impact stands against materiality: '>' (it exceeds it: the
 * check failed), '≤' (within it: passed), null when there is nothing to
 * compare (no `amount=`, or the check could not run).
 */
export function impactComparison(c: Pick<TaskCheck, 'status' | 'impact' | 'materiality'>): '>' | '≤' | null {
  if (c.impact === null || c.materiality === null || c.status === 'error') return null;
  return c.status === 'failed' ? '>' : '≤';
}

/** One line of a per-currency impact: the currency as shown (`null` for rows without one), how it stands, in words for screen readers. */
export interface CurrencyImpactLine {
  currency: string;
  impact: string;
  materiality: string;
  op: '>' | '≤';
  words: 'exceeds materiality' | 'within materiality';
  exceeded: boolean;
}

/**
 * A check's impacts per currency (`currency=`), in the server's order
 * (by currency): each against its own materiality. Empty when the check
 * has none to show (no `currency=`, no offending rows, could not run).
 */
export function currencyImpactLines(c: Pick<TaskCheck, 'status' | 'impacts'>): CurrencyImpactLine[] {
  if (c.impacts === null || c.status === 'error') return [];
  return c.impacts.map((i) => ({
    currency: i.currency ?? 'null',
    impact: i.impact,
    materiality: i.materiality,
    op: i.exceeded ? '>' : '≤',
    words: i.exceeded ? 'exceeds materiality' : 'within materiality',
    exceeded: i.exceeded,
  }));
}

/** The impact cell's title for per-currency impacts: one line per currency, `JPY: impact 5 exceeds materiality 1`. */
export function currencyImpactTitle(lines: readonly CurrencyImpactLine[]): string {
  return lines.map((l) => `${l.currency}: impact ${l.impact} ${l.words} ${l.materiality}`).join('\n');
}

const DECIMAL = /^(?:DECIMAL|NUMERIC)\(\s*\d+\s*,\s*(\d+)\s*\)$/i;

/**
 * A sample value as text: strings as they are (dates, long decimals,
 * base64 too), NULL for null, other values as JSON. A decimal the kernel
 * sent as a number (15 significant digits at most) gets its column's
 * scale back: 1234.5 of a DECIMAL(18,2) reads 1234.50, as in the notebook.
 */
export function sampleValueText(v: unknown, type = ''): string {
  if (v === null || v === undefined) return 'NULL';
  if (typeof v === 'string') return v;
  const scale = DECIMAL.exec(type)?.[1];
  if (typeof v === 'number' && Number.isFinite(v) && scale !== undefined && Number(scale) <= 20) return v.toFixed(Number(scale));
  return JSON.stringify(v) ?? String(v);
}

/** "2 offending rows", or "First 20 of 1,234 offending rows" when the sample keeps fewer; numbers in `locale` (default the browser's). */
export function sampleCaption(c: Pick<TaskCheck, 'violations' | 'sample'>, locale?: string): string {
  const kept = c.sample.rows.length;
  const n = (x: number) => x.toLocaleString(locale);
  if (kept >= c.violations) return `${n(kept)} offending ${kept === 1 ? 'row' : 'rows'}`;
  return `First ${n(kept)} of ${n(c.violations)} offending rows`;
}
