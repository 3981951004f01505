import { checkOutcome, checksSummary, countChecks, currencyImpactLines, currencyImpactTitle, impactComparison, orderChecks, sampleCaption, sampleValueText } from './check-outcome';
import { CHECKS, FX_CHECK } from './testing/fixtures';

const byName = (name: string) => CHECKS.find((c) => c.name === name)!;

describe('data-quality checks of a run', () => {
  it('splits failures by severity, as %expect_summary counts them', () => {
    expect(CHECKS.map((c) => [c.name, checkOutcome(c)])).toEqual([
      ['trial_balance_zero', 'passed'],
      ['unbalanced_moves', 'failed'],
      ['stale_rates', 'warning'],
      ['missing_source', 'error'],
    ]);
    expect(checkOutcome({ status: 'passed', severity: 'warn' })).toBe('passed');
    expect(checkOutcome({ status: 'error', severity: 'warn' })).toBe('error');
  });

  it('lists failures and checks that could not run first, then warnings, then passed ones, each in the order they ran', () => {
    expect(orderChecks(CHECKS).map((c) => c.name)).toEqual(['unbalanced_moves', 'missing_source', 'stale_rates', 'trial_balance_zero']);
    const twoTasks = [{ ...byName('trial_balance_zero'), taskId: 'b' }, { ...byName('missing_source'), taskId: 'b' }, ...CHECKS];
    expect(orderChecks(twoTasks).map((c) => `${c.taskId}:${c.name}`)).toEqual(['b:missing_source', 'a:unbalanced_moves', 'a:missing_source', 'a:stale_rates', 'b:trial_balance_zero', 'a:trial_balance_zero']);
    expect(orderChecks([])).toEqual([]);
  });

  it('sums them up in one line', () => {
    expect(countChecks(CHECKS)).toEqual({ passed: 1, failed: 1, warning: 1, error: 1 });
    expect(checksSummary(countChecks(CHECKS))).toBe('1 passed · 1 failed · 1 warning · 1 error');
    expect(checksSummary(countChecks([byName('unbalanced_moves'), byName('trial_balance_zero')]))).toBe('1 passed · 1 failed · 0 warnings · 0 errors');
    expect(checksSummary(countChecks([byName('stale_rates'), byName('stale_rates'), byName('missing_source'), byName('missing_source')]))).toBe('0 passed · 0 failed · 2 warnings · 2 errors');
  });

  it('compares the impact with materiality by the check’s verdict', () => {
    expect(impactComparison(byName('unbalanced_moves'))).toBe('>');
    expect(impactComparison(byName('trial_balance_zero'))).toBe('≤');
    // No amount column, or it could not run: nothing to compare.
    expect(impactComparison(byName('stale_rates'))).toBeNull();
    expect(impactComparison({ status: 'error', impact: '1', materiality: '0' })).toBeNull();
  });

  it('weighs a check with currency= per currency, each against its own materiality, in the server\'s order', () => {
    const lines = currencyImpactLines(FX_CHECK);
    expect(lines.map((l) => [l.currency, l.impact, l.op, l.materiality, l.exceeded])).toEqual([
      ['EUR', '0.009', '≤', '0.01', false],
      ['JPY', '5', '>', '1', true],
      ['null', '0.02', '≤', '0.05', false],
    ]);
    expect(lines[1]!.words).toBe('exceeds materiality');
    expect(currencyImpactTitle(lines)).toBe('EUR: impact 0.009 within materiality 0.01\nJPY: impact 5 exceeds materiality 1\nnull: impact 0.02 within materiality 0.05');
    // The check's own verdict stays what the server said; its top-level impact is the failing currency's.
    expect(checkOutcome(FX_CHECK)).toBe('failed');
    expect(impactComparison(FX_CHECK)).toBe('>');
    // Nothing per currency: no currency=, no offending rows, or it could not run.
    expect(currencyImpactLines(byName('unbalanced_moves'))).toEqual([]);
    expect(currencyImpactLines({ ...FX_CHECK, status: 'passed', impacts: [] })).toEqual([]);
    expect(currencyImpactLines({ ...FX_CHECK, status: 'error' })).toEqual([]);
  });

  it('writes sample values as the kernel sent them', () => {
    expect([null, undefined, 'CHF', '12345678901234567890.12', '2026-10-31', -2, 12.5, true, [1, 2], { a: 1 }].map((v) => sampleValueText(v))).toEqual(['NULL', 'NULL', 'CHF', '12345678901234567890.12', '2026-10-31', '-2', '12.5', 'true', '[1,2]', '{"a":1}']);
    // Decimals sent as numbers get their column's scale back; longer ones come as text and stay as they are.
    expect(sampleValueText(1234.5, 'DECIMAL(18,2)')).toBe('1234.50');
    expect(sampleValueText(-0.01, 'DECIMAL(38,2)')).toBe('-0.01');
    expect(sampleValueText(3, 'numeric(10, 3)')).toBe('3.000');
    expect(sampleValueText('12345678901234567890.12', 'DECIMAL(38,2)')).toBe('12345678901234567890.12');
    expect(sampleValueText(null, 'DECIMAL(18,2)')).toBe('NULL');
    expect(sampleValueText(12.5, 'DOUBLE')).toBe('12.5');
    expect(sampleValueText(12.5, 'numeric')).toBe('12.5');
  });

  it('says how much of the offending rows the sample kept', () => {
    expect(sampleCaption(byName('unbalanced_moves'), 'en')).toBe('First 2 of 3 offending rows');
    expect(sampleCaption(byName('stale_rates'), 'en')).toBe('1 offending row');
    expect(sampleCaption({ violations: 2, sample: { columns: [], rows: [[-2], [-3]] } }, 'en')).toBe('2 offending rows');
    expect(sampleCaption({ violations: 1234, sample: { columns: [], rows: Array.from({ length: 20 }, () => [1]) } }, 'en')).toBe('First 20 of 1,234 offending rows');
  });
});
