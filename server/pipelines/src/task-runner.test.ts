import type { CheckResult } from '@workbench/executor';
import { runCheckOf } from './task-runner';

const SHA = 'a'.repeat(64);

describe('checks of a task attempt', () => {
  it('keeps decimals as text and each currency of a check with currency=', () => {
    const kernel: CheckResult = {
      name: 'fx_rounding',
      severity: 'fail',
      status: 'failed',
      violations: 3,
      amount: 'difference',
      impact: 5,
      materiality: 1,
      currency: 'currency',
      impacts: [
        { currency: 'EUR', impact: 0.009, materiality: 0.01, exceeded: false },
        { currency: 'JPY', impact: 5, materiality: 1, exceeded: true },
        { currency: null, impact: '12345678901234567.10', materiality: 0, exceeded: true },
      ],
      sample: { columns: [{ name: 'currency', type: 'VARCHAR' }], rows: [['EUR']] },
      sql_sha256: SHA,
      elapsed_ms: 2,
    };
    expect(runCheckOf(kernel)).toEqual({
      name: 'fx_rounding',
      severity: 'fail',
      status: 'failed',
      violations: 3,
      impact: '5',
      materiality: '1',
      impacts: [
        { currency: 'EUR', impact: '0.009', materiality: '0.01', exceeded: false },
        { currency: 'JPY', impact: '5', materiality: '1', exceeded: true },
        { currency: null, impact: '12345678901234567.10', materiality: '0', exceeded: true },
      ],
      sample: { columns: [{ name: 'currency', type: 'VARCHAR' }], rows: [['EUR']] },
      message: null,
      sqlSha256: SHA,
    });
  });

  it('has no impacts for a check without currency=, nor for one that could not run', () => {
    const errored: CheckResult = { name: 'fx', severity: 'warn', status: 'error', violations: null, amount: 'd', materiality: 0, currency: 'c', sample: { columns: [], rows: [] }, sql_sha256: SHA, elapsed_ms: 0, error: { ename: 'BinderError', evalue: 'no c' } };
    expect(runCheckOf(errored)).toMatchObject({ violations: 0, impact: null, materiality: '0', impacts: null, message: 'BinderError: no c' });
    expect(runCheckOf({ ...errored, status: 'passed', violations: 0, currency: undefined, impact: 0, error: undefined })).toMatchObject({ impact: '0', impacts: null, message: null });
  });
});
