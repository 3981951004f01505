import { buildRunReport, reportMarkdown } from './run-report';
import { runDetail } from './notify/test-harness';
import type { TaskCheck } from './runs/run-model';

const check = (name: string, extra: Partial<TaskCheck>): TaskCheck => ({
  taskId: 'checks',
  attempt: 1,
  at: '2026-12-01T06:05:00.000Z',
  name,
  severity: 'fail',
  status: 'passed',
  violations: 0,
  impact: null,
  materiality: null,
  impacts: null,
  sample: { columns: [], rows: [] },
  message: null,
  sqlSha256: null,
  ...extra,
});

describe('run report', () => {
  it('shows each check with its impact against materiality, per currency for a check with currency=', () => {
    const impacts = [
      { currency: 'EUR', impact: '0.009', materiality: '0.01', exceeded: false },
      { currency: 'JPY|X', impact: '5', materiality: '1', exceeded: true },
      { currency: null, impact: '0', materiality: '0.05', exceeded: false },
    ];
    const run = runDetail('r1', 'failed', {
      checks: [
        check('unbalanced_moves', { status: 'failed', violations: 2, impact: '12.51', materiality: '0.01', sample: { columns: [{ name: 'move_id', type: 'INTEGER' }], rows: [[3], [4]] } }),
        check('fx_rounding', { status: 'failed', violations: 4, impact: '5', materiality: '1', impacts }),
        check('fx_none', { impact: '0', materiality: '0.05', impacts: [] }),
        check('stale_rates', { severity: 'warn' }),
      ],
    });
    const report = buildRunReport(run, [], new Date(Date.UTC(2026, 11, 2)));
    expect(report.checks.summary).toEqual({ passed: 2, failed: 2, warnings: 0, errors: 0 });
    // The JSON report carries the currencies as the run detail has them.
    expect(report.checks.results[1]!.impacts).toEqual(impacts);
    const lines = reportMarkdown(report).split('\n');
    expect(lines).toContain('| unbalanced_moves | fail | failed | 2 | 12.51 / 0.01 | [[3],[4]] |');
    expect(lines).toContain('| fx_rounding | fail | failed | 4 | EUR 0.009 / 0.01<br>JPY\\|X 5 / 1 (exceeded)<br>null 0 / 0.05 | [] |');
    // No offending rows, no currencies: the check's own impact and materiality.
    expect(lines).toContain('| fx_none | fail | passed | 0 | 0 / 0.05 | [] |');
    expect(lines).toContain('| stale_rates | warn | passed | 0 |  | [] |');
  });
});
