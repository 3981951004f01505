import { Emitter } from '@workbench/core';
import type { Kernel } from '@workbench/manager';
import { createMessage, fromRaw, headerInfo, toRaw, type RawMessage } from '@workbench/protocol';
import { CellExecution, type DisplayIndex } from './cell-execution';
import { CHECK_MIME, CHECK_SUMMARY_MIME, CheckCollector, checkResultIn, type CheckResult } from './checks';

const SHA = 'a'.repeat(64);
type KernelMessageEvent = Parameters<Parameters<Kernel['onMessage']>[0]>[0];

/** What the SQL kernel's `%%expect` cells emit (kernels/sql expectation.ts). */
const passed: CheckResult = { name: 'trial_balance_zero', severity: 'fail', status: 'passed', violations: 0, sample: { columns: [{ name: 'company', type: 'INTEGER' }], rows: [] }, sql_sha256: SHA, elapsed_ms: 3.2 };
const failed: CheckResult = {
  name: 'unbalanced_moves',
  severity: 'fail',
  status: 'failed',
  violations: 2,
  amount: 'difference',
  impact: 12.51,
  materiality: 0.01,
  sample: { columns: [{ name: 'move_id', type: 'INTEGER' }, { name: 'difference', type: 'DECIMAL(38,2)' }], rows: [[3, 12.5], [4, '0.01']] },
  sql_sha256: SHA,
  elapsed_ms: 12,
};
/** A check with `currency=`: each currency's impact against its materiality. */
const perCurrency: CheckResult = {
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
  sample: { columns: [{ name: 'currency', type: 'VARCHAR' }, { name: 'difference', type: 'DECIMAL(18,3)' }], rows: [['EUR', 0.005]] },
  sql_sha256: SHA,
  elapsed_ms: 2,
};
const errored: CheckResult = { name: 'Duplicate vendor bills', severity: 'warn', status: 'error', violations: null, sample: { columns: [], rows: [] }, sql_sha256: SHA, elapsed_ms: 0.4, error: { ename: 'CatalogError', evalue: 'Catalog Error: Table with name bills does not exist!' } };

const bundle = (check: unknown) => ({ [CHECK_MIME]: check, 'text/plain': 'readable', 'text/html': '<div>readable</div>' });

describe('check results in outputs', () => {
  it('reads a check result from a bundle, or from a string holding one, as a copy', () => {
    for (const c of [passed, failed, perCurrency, errored]) expect(checkResultIn(bundle(c))).toEqual(c);
    // A currency check that could not run: the column, no impacts.
    const { impact: _i, impacts: _is, ...couldNotRun } = perCurrency;
    const erroredCurrency = { ...couldNotRun, status: 'error' as const, violations: null, error: { ename: 'BinderError', evalue: 'Referenced column "currency" not found' } };
    expect(checkResultIn(bundle(erroredCurrency))).toEqual(erroredCurrency);
    // Fields beyond the documented ones are not carried over, in the impacts either.
    expect(checkResultIn(bundle({ ...perCurrency, impacts: perCurrency.impacts!.map((i) => ({ ...i, rate: 1.1 })) }))).toEqual(perCurrency);
    expect(checkResultIn({ [CHECK_MIME]: JSON.stringify(failed) })).toEqual(failed);
    const data = bundle(structuredClone(failed));
    const read = checkResultIn(data)!;
    read.sample.rows[0]![0] = 99;
    expect((data[CHECK_MIME] as CheckResult).sample.rows[0]![0]).toBe(3);
    // Fields beyond the documented ones are not carried over.
    expect(checkResultIn(bundle({ ...passed, extra: 'x' }))).toEqual(passed);
  });

  it.each<[string, unknown]>([
    ['no check', undefined],
    ['a string that is not JSON', '{'],
    ['an array', [passed]],
    ['an empty name', { ...passed, name: '' }],
    ['an unknown severity', { ...passed, severity: 'error' }],
    ['an unknown status', { ...passed, status: 'skipped' }],
    ['violations that are not a count', { ...passed, violations: 1.5 }],
    ['null violations on a check that ran', { ...passed, violations: null }],
    ['an impact that is not a decimal', { ...failed, impact: true }],
    ['a currency that is not a string', { ...perCurrency, currency: 7 }],
    ['a currency without amount', { ...perCurrency, amount: undefined }],
    ['impacts without a currency', { ...perCurrency, currency: undefined }],
    ['impacts that are not an array', { ...perCurrency, impacts: { EUR: 1 } }],
    ['an impact per currency without exceeded', { ...perCurrency, impacts: [{ currency: 'EUR', impact: 1, materiality: 0 }] }],
    ['an impact per currency of a number currency', { ...perCurrency, impacts: [{ currency: 978, impact: 1, materiality: 0, exceeded: true }] }],
    ['an impact per currency that is not a decimal', { ...perCurrency, impacts: [{ currency: 'EUR', impact: null, materiality: 0, exceeded: false }] }],
    ['a sample row of the wrong width', { ...failed, sample: { columns: failed.sample.columns, rows: [[3]] } }],
    ['a sample column without a type', { ...failed, sample: { columns: [{ name: 'move_id' }], rows: [] } }],
    ['a bad sql_sha256', { ...passed, sql_sha256: 'abc' }],
    ['a negative elapsed_ms', { ...passed, elapsed_ms: -1 }],
    ['an error without ename', { ...errored, error: { evalue: 'x' } }],
    ['status error without an error', { ...errored, error: undefined }],
    ['an error on a check that passed', { ...passed, error: { ename: 'E', evalue: 'x' } }],
  ])('ignores %s', (_what, value) => {
    expect(checkResultIn(value === undefined ? { 'text/plain': 'x' } : bundle(value))).toBeUndefined();
  });

  it('keeps the latest result per name, in the order names first appeared', () => {
    const c = new CheckCollector();
    expect(c.add(bundle(failed))).toBe(true);
    expect(c.add(bundle(passed))).toBe(true);
    expect(c.add({ [CHECK_SUMMARY_MIME]: { status: 'failed', total: 2 }, 'text/plain': 'summary' })).toBe(false);
    expect(c.add(bundle({ ...failed, status: 'bogus' }))).toBe(false);
    const fixed: CheckResult = { ...failed, status: 'passed', materiality: 20 };
    expect(c.add(bundle(fixed))).toBe(true);
    expect(c.add(bundle(errored))).toBe(true);
    expect(c.results).toEqual([fixed, passed, errored]);
  });
});

/**
 * A Kernel as CellExecution sees it (session, onMessage, send) that answers
 * an execute_request with scripted iopub messages and its reply.
 */
function scriptedKernel(script: (parent: RawMessage) => { channel: 'iopub' | 'shell'; msgType: string; content: unknown }[]): Kernel {
  const messages = new Emitter<KernelMessageEvent>();
  const session = 'kernel-session';
  return {
    session,
    onMessage: messages.event,
    async send(_channel: string, raw: RawMessage) {
      const req = fromRaw(raw);
      for (const m of script(raw)) {
        const msg = createMessage({ msgType: m.msgType, session, content: m.content, parent: req.header });
        messages.fire({ channel: m.channel, raw: toRaw(msg), header: headerInfo(msg.header as unknown as Record<string, unknown>), parent: headerInfo(req.header as unknown as Record<string, unknown>) });
      }
    },
  } as unknown as Kernel;
}

describe('check results from a cell run', () => {
  it('collects check outputs as the run sees them: display_data, execute_result and display updates', async () => {
    const kernel = scriptedKernel(() => [
      { channel: 'iopub', msgType: 'status', content: { execution_state: 'busy' } },
      { channel: 'iopub', msgType: 'display_data', content: { data: bundle(errored), metadata: {}, transient: { display_id: 'dup' } } },
      { channel: 'iopub', msgType: 'display_data', content: { data: bundle(failed), metadata: { workbench: { connection: 'warehouse', check: failed.name } } } },
      { channel: 'iopub', msgType: 'update_display_data', content: { data: bundle({ ...errored, status: 'failed', violations: 1, error: undefined }), metadata: {}, transient: { display_id: 'dup' } } },
      { channel: 'iopub', msgType: 'execute_result', content: { execution_count: 1, data: bundle(JSON.stringify(passed)), metadata: {} } },
      { channel: 'iopub', msgType: 'error', content: { ename: 'ExpectationFailed', evalue: 'Check unbalanced_moves failed: 2 offending rows', traceback: [] } },
      { channel: 'shell', msgType: 'execute_reply', content: { status: 'error', execution_count: 1, ename: 'ExpectationFailed', evalue: 'Check unbalanced_moves failed: 2 offending rows' } },
      { channel: 'iopub', msgType: 'status', content: { execution_state: 'idle' } },
    ]);
    const checks = new CheckCollector();
    const displays: DisplayIndex = new Map();
    const exec = CellExecution.start(kernel, '%%expect ...', { onStarted() {}, onOutput: (out) => out.output_type !== 'stream' && out.output_type !== 'error' && checks.add(out.data) }, displays);
    try {
      expect(await exec.done).toMatchObject({ status: 'error', ename: 'ExpectationFailed' });
    } finally {
      exec[Symbol.dispose]();
    }
    expect(checks.results).toEqual([
      { ...errored, status: 'failed', violations: 1, error: undefined },
      failed,
      passed,
    ].map((c) => JSON.parse(JSON.stringify(c)) as CheckResult));
    expect(exec.outputs.map((o) => o.output_type)).toEqual(['display_data', 'display_data', 'execute_result', 'error']);
  });
});
