/**
 * Readable forms of a check (`text/plain`, `text/html`) beside its
 * CHECK_MIME JSON, and of `%expect_summary`. Every name and value in HTML
 * is escaped; output depends only on the input.
 */
import { currencyLabel, impactTextsOf, type CheckOutcome, type CheckResult, type CheckSummary, type CurrencyImpactText } from './expectation';
import { escapeHtml, formatElapsed, renderHtml, renderText } from './render';
import { checkLabel } from './expect-magic';

type Line = Pick<CheckResult, 'name' | 'severity' | 'status' | 'violations' | 'impact' | 'materiality' | 'impacts' | 'error'>;

/** Exact decimal texts of a check's impact(s), when the outcome has them (a summary line has only the JSON). */
interface Texts {
  impactText?: string;
  impactTexts?: CurrencyImpactText[];
}

const MARK = { passed: '✓', failed: '✗', error: '✗' } as const;
const COLOR = { passed: '#2e7d32', failed: '#c62828', error: '#c62828' } as const;

function rows(n: number): string {
  return n === 0 ? 'no offending rows' : `${n} offending ${n === 1 ? 'row' : 'rows'}`;
}

/**
 * What follows the name: `3 offending rows · impact 12.50 > materiality 0.01 · severity fail`;
 * per currency: `3 offending rows · impact EUR 0.02 ≤ materiality 0.05, impact JPY 5 > materiality 1 · severity fail`.
 */
function detail(c: Line, texts: Texts = {}): string {
  if (c.status === 'error') return `could not run${c.error ? `: ${c.error.ename}: ${c.error.evalue}` : ''}`;
  const parts = [rows(c.violations ?? 0)];
  const perCurrency = impactTextsOf(c, texts.impactTexts);
  if (perCurrency && perCurrency.length > 0) {
    parts.push(perCurrency.map((i) => `impact ${currencyLabel(i.currency)} ${i.impact} ${i.exceeded ? '>' : '≤'} materiality ${i.materiality}`).join(', '));
  } else if (c.impact !== undefined) {
    parts.push(`impact ${texts.impactText ?? String(c.impact)} ${c.status === 'failed' ? '>' : '≤'} materiality ${String(c.materiality ?? 0)}`);
  }
  if (c.status === 'failed') parts.push(`severity ${c.severity}`);
  return parts.join(' · ');
}

function headline(c: Line, texts?: Texts): string {
  return `${MARK[c.status]} ${checkLabel(c.name)} — ${detail(c, texts)}`;
}

function headlineHtml(c: Line, texts?: Texts): string {
  return `<span style="color:${COLOR[c.status]}">${MARK[c.status]}</span> <strong>${escapeHtml(checkLabel(c.name))}</strong> — ${escapeHtml(detail(c, texts))}`;
}

/** A check's `text/plain` and `text/html`: the headline, then the sample table when there are offending rows. */
export function renderCheck(o: CheckOutcome): { 'text/plain': string; 'text/html': string } {
  const c = o.check;
  const table = c.status !== 'error' && o.sample.rowCount > 0 && o.sample.rows.length > 0;
  const elapsed = ` (${formatElapsed(c.elapsed_ms)})`;
  return {
    'text/plain': headline(c, o) + (table ? `\n${renderText(o.sample)}` : elapsed),
    'text/html': `<div class="wb-check wb-check-${c.status}">${headlineHtml(c, o)}${table ? '' : escapeHtml(elapsed)}</div>${table ? `\n${renderHtml(o.sample)}` : ''}`,
  };
}

function counts(s: CheckSummary): string {
  const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;
  return `${plural(s.total, 'check', 'checks')} · ${s.passed} passed · ${s.failed} failed · ${plural(s.warnings, 'warning', 'warnings')} · ${plural(s.errors, 'error', 'errors')}`;
}

/** `%expect_summary`'s `text/plain` and `text/html`: the counts, then one line per check. */
export function renderSummary(s: CheckSummary): { 'text/plain': string; 'text/html': string } {
  const head = `${s.status === 'passed' ? '✓' : '✗'} Checks: ${counts(s)}`;
  const items = s.checks.map((c) => `<li>${headlineHtml(c)}</li>`).join('\n');
  return {
    'text/plain': [head, ...s.checks.map((c) => `  ${headline(c)}`)].join('\n'),
    'text/html': `<div class="wb-check-summary wb-check-summary-${s.status}"><strong>${escapeHtml(head)}</strong>${s.checks.length ? `\n<ul>\n${items}\n</ul>` : ''}</div>`,
  };
}
