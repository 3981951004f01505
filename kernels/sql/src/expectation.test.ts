import { DuckDBDecimalValue } from '@duckdb/node-api';
import type { ExpectSpec } from './expect-magic';
import { checkQuery, compareDecimal, decimalJson, decimalText, evaluateCheck, rowsToKeep, summarize, summaryFailureMessage, type CheckResult } from './expectation';

const spec = (over: Partial<ExpectSpec> = {}): ExpectSpec => ({ name: 'c', severity: 'fail', sample: 20, continueOnFailure: false, ...over });

describe('check evaluation', () => {
  it('wraps the check in one query, adding the impact window only with amount=', () => {
    expect(checkQuery(spec(), 'SELECT 1 AS x')).toEqual({ sql: 'SELECT * FROM (\nSELECT 1 AS x\n) AS wb_offending', prefixLength: 'SELECT * FROM (\n'.length });
    const q = checkQuery(spec({ amount: 'Net "amount"' }), 'SELECT 1');
    expect(q.sql).toBe('SELECT *, sum(abs("Net ""amount""")) OVER () AS wb_check_impact FROM (\nSELECT 1\n) AS wb_offending');
    expect(rowsToKeep(spec({ sample: 0 }))).toBe(0);
    expect(rowsToKeep(spec({ sample: 0, amount: 'a' }))).toBe(1);
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
