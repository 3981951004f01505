import { DuckDBDecimalValue } from '@duckdb/node-api';
import type { ExpectSpec } from './expect-magic';
import { checkQuery, compareDecimal, decimalJson, decimalText, evaluateCheck, failureMessage, impactsQuery, materialityOf, rowsToKeep, summarize, summaryFailureMessage, type CheckResult } from './expectation';
import { renderCheck, renderSummary } from './check-render';

const spec = (over: Partial<ExpectSpec> = {}): ExpectSpec => ({ name: 'c', severity: 'fail', sample: 20, continueOnFailure: false, ...over });

describe('check evaluation', () => {
  it('wraps the check in one query, adding the impact window only with amount=', () => {
    const plain = checkQuery(spec(), 'SELECT 1 AS x');
    expect(plain.sql).toBe('SELECT * FROM (\nSELECT 1 AS x\n) AS wb_offending');
    expect(plain.locate('SELECT * FROM (\n'.length + 7)).toBe(7);
    const q = checkQuery(spec({ amount: 'Net "amount"' }), 'SELECT 1');
    expect(q.sql).toBe('SELECT *, sum(abs("Net ""amount""")) OVER () AS wb_check_impact FROM (\nSELECT 1\n) AS wb_offending');
    expect(q.locate(q.sql.indexOf('"Net'))).toBe('amount');
    expect(impactsQuery(spec({ amount: 'a' }), 'SELECT 1')).toBeUndefined();
    expect(rowsToKeep(spec({ sample: 0 }))).toBe(0);
    expect(rowsToKeep(spec({ sample: 0, amount: 'a' }))).toBe(1);
  });

  it('with currency=, counts the rows in one query and sums the impact per currency in a second one over the same SQL', () => {
    const s = spec({ amount: 'amt', currency: 'Cur "code"', sample: 0 });
    const q = checkQuery(s, 'SELECT 1');
    expect(q.sql).toBe('SELECT * FROM (\nSELECT 1\n) AS wb_offending');
    const iq = impactsQuery(s, 'SELECT 1')!;
    expect(iq.sql).toBe('SELECT CAST("Cur ""code""" AS VARCHAR) AS wb_check_currency, sum(abs("amt")) AS wb_check_impact FROM (\nSELECT 1\n) AS wb_offending GROUP BY 1');
    // Engine positions in the wrapping point at the option that named the column there; in the check's SQL, into it.
    expect(iq.locate(iq.sql.indexOf('"Cur'))).toBe('currency');
    expect(iq.locate(iq.sql.indexOf('"amt"'))).toBe('amount');
    expect(iq.locate(iq.sql.indexOf('SELECT 1') + 7)).toBe(7);
    expect(rowsToKeep(s)).toBe(0);
  });

  it('takes each currency\'s materiality: its own, else *, else 0; a single value for all', () => {
    const list = spec({ materiality: '0.05', currencyMateriality: new Map([['EUR', '0.01']]) });
    expect([materialityOf(list, 'EUR'), materialityOf(list, 'USD'), materialityOf(list, null)]).toEqual(['0.01', '0.05', '0.05']);
    const noDefault = spec({ currencyMateriality: new Map([['JPY', '1']]) });
    expect([materialityOf(noDefault, 'JPY'), materialityOf(noDefault, 'jpy'), materialityOf(noDefault, null)]).toEqual(['1', '0', '0']);
    expect(materialityOf(spec({ materiality: '2' }), 'CHF')).toBe('2');
  });

  it('fails a currency check when any currency exceeds its materiality; the top-level impact is that currency\'s, else the largest', () => {
    const rows = { columns: [{ name: 'id', type: 'INTEGER' }, { name: 'cur', type: 'VARCHAR' }], rows: [[1, 'JPY']], rowCount: 4, truncated: true };
    const groups = (...g: [string | null, unknown][]) => ({ columns: [{ name: 'wb_check_currency', type: 'VARCHAR' }, { name: 'wb_check_impact', type: 'DECIMAL(38,2)' }], rows: g, rowCount: g.length, truncated: false });
    const fx = spec({ amount: 'amt', currency: 'cur', materiality: '0.05', currencyMateriality: new Map([['EUR', '0.01'], ['JPY', '1']]), sample: 1 });
    // The engine's groups come in any order: listed by currency, NULL last.
    const failed = evaluateCheck(fx, 'S', rows, 1, groups(['USD', '0.05'], [null, new DuckDBDecimalValue(3n, 38, 2)], ['JPY', '5.00'], ['EUR', new DuckDBDecimalValue(1n, 38, 3)]));
    expect(failed.check).toMatchObject({
      status: 'failed',
      violations: 4,
      amount: 'amt',
      impact: 5,
      materiality: 1,
      currency: 'cur',
      impacts: [
        { currency: 'EUR', impact: 0.001, materiality: 0.01, exceeded: false },
        { currency: 'JPY', impact: 5, materiality: 1, exceeded: true },
        { currency: 'USD', impact: 0.05, materiality: 0.05, exceeded: false },
        { currency: null, impact: 0.03, materiality: 0.05, exceeded: false },
      ],
      sample: { columns: [{ name: 'id', type: 'INTEGER' }, { name: 'cur', type: 'VARCHAR' }], rows: [[1, 'JPY']] },
    });
    expect(Object.keys(failed.check)).toEqual(['name', 'severity', 'status', 'violations', 'amount', 'impact', 'materiality', 'currency', 'impacts', 'sample', 'sql_sha256', 'elapsed_ms']);
    expect(failureMessage(failed)).toBe('Check c failed: 4 offending rows, impact JPY 5.00 > materiality 1');
    expect(renderCheck(failed)['text/plain'].split('\n')[0]).toBe('✗ c — 4 offending rows · impact EUR 0.001 ≤ materiality 0.01, impact JPY 5.00 > materiality 1, impact USD 0.05 ≤ materiality 0.05, impact null 0.03 ≤ materiality 0.05 · severity fail');
    expect(renderCheck(failed)['text/html']).toContain('impact JPY 5.00 &gt; materiality 1');
    // Within every materiality: passed, the top-level impact is the largest.
    const passed = evaluateCheck({ ...fx, currencyMateriality: new Map([['EUR', '0.01'], ['JPY', '10']]) }, 'S', rows, 1, groups(['JPY', '5.00'], ['EUR', '0.01']));
    expect(passed.check).toMatchObject({ status: 'passed', impact: 5, materiality: 10, impacts: [{ currency: 'EUR', exceeded: false }, { currency: 'JPY', exceeded: false }] });
    // Two above: both named, in currency order.
    const two = evaluateCheck(fx, 'S', rows, 1, groups(['USD', '0.06'], ['JPY', '1200']));
    expect(failureMessage(two)).toBe('Check c failed: 4 offending rows, impact JPY 1200 > materiality 1, impact USD 0.06 > materiality 0.05');
    // No offending rows: no currencies, impact 0 against the default materiality.
    const none = evaluateCheck(fx, 'S', { ...rows, rows: [], rowCount: 0, truncated: false }, 1, groups());
    expect(none.check).toMatchObject({ status: 'passed', violations: 0, impact: 0, materiality: 0.05, impacts: [] });
    expect(renderCheck(none)['text/plain']).toMatch(/^✓ c — no offending rows · impact 0 ≤ materiality 0.05 \(/);
    // Summed up with their currencies.
    const summary = summarize([failed.check]);
    expect(summary.checks[0]).toEqual({ name: 'c', severity: 'fail', status: 'failed', violations: 4, amount: 'amt', impact: 5, materiality: 1, currency: 'cur', impacts: failed.check.impacts });
    expect(renderSummary(summary)['text/plain'].split('\n')[1]).toBe('  ✗ c — 4 offending rows · impact EUR 0.001 ≤ materiality 0.01, impact JPY 5 > materiality 1, impact USD 0.05 ≤ materiality 0.05, impact null 0.03 ≤ materiality 0.05 · severity fail');
  });

  it('compares decimals exactly, and as doubles when they are not plain decimal text', () => {
    expect(compareDecimal('12.51', '12.51')).toBe(0);
    expect(compareDecimal('12.510', '12.51')).toBe(0);
    expect(compareDecimal('12.51', '12.509')).toBe(1);
    expect(compareDecimal('0.01', '0.010000000000000000001')).toBe(-1);
    expect(compareDecimal('123456789012345678901234567890.01', '123456789012345678901234567890')).toBe(1);
    expect(compareDecimal('-5', '0')).toBe(-1);
    expect(compareDecimal('1e+21', '999')).toBe(1);
    expect(compareDecimal('NaN', '1000000')).toBe(1);
  });

  it('reads an engine sum as decimal text and writes it as the kernel JSON writes decimals', () => {
    expect(decimalText(null)).toBe('0');
    expect(decimalText(new DuckDBDecimalValue(1250n, 38, 2))).toBe('12.50');
    expect(decimalText(12345678901234567890n)).toBe('12345678901234567890');
    expect(decimalText('12.50')).toBe('12.50'); // PostgreSQL numeric
    expect(decimalJson('12.50')).toBe(12.5);
    expect(decimalJson('12345678901234567.10')).toBe('12345678901234567.10');
    expect(decimalJson('1e+21')).toBe('1e+21');
  });

  it('fails on any offending row without amount, and on an impact above the materiality with it', () => {
    const rows = { columns: [{ name: 'id', type: 'INTEGER' }, { name: 'wb_check_impact', type: 'DECIMAL(38,2)' }], rows: [[1, new DuckDBDecimalValue(1n, 38, 2)]], rowCount: 3, truncated: true };
    expect(evaluateCheck(spec({ amount: 'd', materiality: '0.01' }), 'S', rows, 1).check).toMatchObject({ status: 'passed', violations: 3, impact: 0.01, materiality: 0.01, sample: { columns: [{ name: 'id', type: 'INTEGER' }], rows: [[1]] } });
    expect(evaluateCheck(spec({ amount: 'd' }), 'S', rows, 1).check).toMatchObject({ status: 'failed', impact: 0.01, materiality: 0 });
    const plain = { columns: [{ name: 'id', type: 'INTEGER' }], rows: [], rowCount: 0, truncated: false };
    expect(evaluateCheck(spec(), 'S', plain, 1.26).check).toMatchObject({ status: 'passed', violations: 0, elapsed_ms: 1.3 });
  });

  it('sums up checks: failures of fail severity and checks that could not run block', () => {
    const c = (name: string, severity: 'fail' | 'warn', status: CheckResult['status'], violations: number | null): CheckResult => ({ name, severity, status, violations, sample: { columns: [], rows: [] }, sql_sha256: '', elapsed_ms: 0 });
    const s = summarize([c('a', 'fail', 'passed', 0), c('b', 'warn', 'failed', 1), c('c d', 'fail', 'failed', 2), c('e', 'warn', 'error', null)]);
    expect(s).toMatchObject({ status: 'failed', total: 4, passed: 1, failed: 1, warnings: 1, errors: 1 });
    expect(summaryFailureMessage(s)).toBe('2 of 4 checks failed: "c d" (2 offending rows), e (could not run)');
    expect(summarize([c('b', 'warn', 'failed', 1)]).status).toBe('passed');
  });
});
