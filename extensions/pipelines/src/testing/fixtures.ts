/** Data shared by the tests (not built: see tsconfig.json), shaped as the server answers. */
import type { PipelineDetail, PipelineSpec, PipelineSummary, Run, RunDetail, RunRow, TaskCheck, TaskSpec } from '../types';

const retry = { retries: 0 };

const task = (id: string, dependsOn: string[], line: number, extra: Partial<TaskSpec> = {}): TaskSpec => ({
  id,
  target: { kind: 'notebook', path: `nb/${id}.ipynb` },
  dependsOn,
  triggerRule: 'all_succeeded',
  parameters: {},
  retry,
  line,
  ...extra,
});

/** extract -> [a, b] -> report (report runs when both are done, whatever they did). */
export const SPEC: PipelineSpec = {
  id: 'sales.pipeline.yaml',
  name: 'Sales report',
  description: 'Extracts, splits and reports.',
  triggers: [
    { kind: 'cron', cron: '0 6 * * 1-5', timezone: 'Europe/Paris' },
    { kind: 'calendar', rule: { type: 'business_days_after_month_end', n: 3 }, at: '07:00', timezone: 'Europe/Paris', holidays: { country: 'FR' } },
  ],
  webhook: false,
  period: 'current_day',
  parameters: {
    region: { type: 'string', default: 'EU', description: 'Sales region', required: false },
    rows: { type: 'integer', default: 3, required: false },
    fail: { type: 'boolean', default: false, required: false },
    until: { type: 'date', default: '{{ period.end }}', required: false },
  },
  tasks: [
    task('extract', [], 20, { parameters: { region: '{{ params.region }}' } }),
    task('a', ['extract'], 23),
    task('b', ['extract'], 26),
    task('report', ['a', 'b'], 29, { triggerRule: 'all_done' }),
  ],
  maxParallel: 4,
};

const base: Run = {
  id: 'run-1',
  pipelineId: 'p-1',
  pipelinePath: 'sales.pipeline.yaml',
  pipelineName: 'Sales report',
  status: 'succeeded',
  trigger: 'manual',
  triggeredBy: 'alice',
  logicalDate: '2026-03-02T06:00:00.000Z',
  period: { start: '2026-03-02', end: '2026-03-02', label: '2026-03-02' },
  parameters: { region: 'EU', rows: 3, fail: false, until: '2026-03-02' },
  overrides: {},
  backfillId: null,
  repairCount: 0,
  cancelRequested: false,
  slaDeadline: null,
  createdAt: '2026-03-02T06:00:00.000Z',
  startedAt: '2026-03-02T06:00:01.000Z',
  finishedAt: '2026-03-02T06:01:00.000Z',
  error: null,
};

export const RUN: Run = base;

/** Newest first: run-2 (a failed), run-1 (all succeeded). */
export const RUN_ROWS: RunRow[] = [
  {
    ...base,
    id: 'run-2',
    status: 'failed',
    createdAt: '2026-03-03T06:00:00.000Z',
    overrides: { fail: { old: false, new: true } },
    parameters: { ...base.parameters, fail: true },
    error: 'Task a failed',
    tasks: { extract: { status: 'succeeded', attempt: 1 }, a: { status: 'failed', attempt: 2 }, b: { status: 'succeeded', attempt: 1 }, report: { status: 'succeeded', attempt: 1 } },
  },
  {
    ...base,
    tasks: { extract: { status: 'succeeded', attempt: 1 }, a: { status: 'succeeded', attempt: 1 }, b: { status: 'succeeded', attempt: 1 }, report: { status: 'succeeded', attempt: 1 } },
  },
];

export const SUMMARY: PipelineSummary = {
  id: 'p-1',
  path: 'sales.pipeline.yaml',
  name: 'Sales report',
  spec: SPEC,
  issues: [],
  paused: false,
  runAs: 'alice',
  nextFireAt: '2026-03-04T05:00:00.000Z',
  updatedAt: '2026-03-01T10:00:00.000Z',
  lastRun: RUN,
};

export const BROKEN: PipelineSummary = {
  ...SUMMARY,
  id: 'p-2',
  path: 'broken.pipeline.yaml',
  name: 'broken.pipeline.yaml',
  spec: null,
  issues: [{ path: 'tasks.x.depends_on[0]', line: 7, column: 9, message: "depends on unknown task 'y'" }],
  nextFireAt: null,
  lastRun: null,
};

export const DETAIL: PipelineDetail = {
  ...SUMMARY,
  source: 'name: Sales report\ntasks:\n  extract:\n    notebook: nb/extract.ipynb\n',
  upcoming: [{ at: '2026-03-04T05:00:00.000Z', trigger: SPEC.triggers[0]! }],
};

const check = (name: string, extra: Partial<TaskCheck>): TaskCheck => ({
  taskId: 'a',
  attempt: 2,
  at: '2026-03-03T06:00:44.000Z',
  name,
  severity: 'fail',
  status: 'passed',
  violations: 0,
  impact: null,
  materiality: null,
  impacts: null,
  sample: { columns: [], rows: [] },
  message: null,
  sqlSha256: 'a'.repeat(64),
  ...extra,
});

/** Task a's checks in the order they ran: one of each outcome. */
export const CHECKS: TaskCheck[] = [
  check('trial_balance_zero', { impact: '0.00', materiality: '0.01' }),
  check('unbalanced_moves', {
    status: 'failed',
    violations: 3,
    impact: '12.51',
    materiality: '0.01',
    sample: {
      columns: [
        { name: 'move_id', type: 'INTEGER' },
        { name: 'difference', type: 'DECIMAL(38,2)' },
        { name: 'note', type: 'VARCHAR' },
      ],
      rows: [
        [3, 12.5, null],
        [4, '0.01', 'rounding'],
      ],
    },
  }),
  check('stale_rates', { severity: 'warn', status: 'failed', violations: 1, sample: { columns: [{ name: 'currency', type: 'VARCHAR' }], rows: [['CHF']] } }),
  check('missing_source', { status: 'error', message: 'CatalogError: Table with name nowhere does not exist!' }),
];

/** A check weighed per currency (`currency=`): EUR within its materiality, JPY above it, rows without a currency within the default. */
export const FX_CHECK: TaskCheck = check('fx_rounding', {
  status: 'failed',
  violations: 4,
  impact: '5',
  materiality: '1',
  impacts: [
    { currency: 'EUR', impact: '0.009', materiality: '0.01', exceeded: false },
    { currency: 'JPY', impact: '5', materiality: '1', exceeded: true },
    { currency: null, impact: '0.02', materiality: '0.05', exceeded: false },
  ],
  sample: { columns: [{ name: 'currency', type: 'VARCHAR' }, { name: 'difference', type: 'DECIMAL(18,3)' }], rows: [['JPY', 5]] },
});

export const RUN_DETAIL: RunDetail = {
  ...base,
  id: 'run-2',
  status: 'failed',
  spec: SPEC,
  tasks: [
    {
      taskId: 'extract',
      status: 'succeeded',
      attempt: 1,
      maxAttempts: 1,
      startedAt: '2026-03-03T06:00:01.000Z',
      finishedAt: '2026-03-03T06:00:10.000Z',
      values: { rows: 3 },
      error: null,
      errorKind: null,
      outputPath: 'pipeline-runs/sales/2026-03-03_run-2/extract.ipynb',
      childRunId: null,
      progress: { done: 3, total: 3 },
      attempts: [{ attempt: 1, status: 'succeeded', queuedAt: '2026-03-03T06:00:00.000Z', delayMs: 0, startedAt: '2026-03-03T06:00:01.000Z', finishedAt: '2026-03-03T06:00:10.000Z', error: null, errorKind: null }],
    },
    {
      taskId: 'a',
      status: 'failed',
      attempt: 2,
      maxAttempts: 2,
      startedAt: '2026-03-03T06:00:41.000Z',
      finishedAt: '2026-03-03T06:00:45.000Z',
      values: {},
      error: 'Cell 2: ValueError: asked to fail',
      errorKind: 'error',
      outputPath: 'pipeline-runs/sales/2026-03-03_run-2/a.ipynb',
      childRunId: null,
      progress: { done: 1, total: 2 },
      attempts: [
        { attempt: 1, status: 'failed', queuedAt: '2026-03-03T06:00:10.000Z', delayMs: 0, startedAt: '2026-03-03T06:00:11.000Z', finishedAt: '2026-03-03T06:00:12.000Z', error: 'Cell 2: ValueError: asked to fail', errorKind: 'error' },
        { attempt: 2, status: 'failed', queuedAt: '2026-03-03T06:00:12.000Z', delayMs: 30000, startedAt: '2026-03-03T06:00:41.000Z', finishedAt: '2026-03-03T06:00:45.000Z', error: 'Cell 2: ValueError: asked to fail', errorKind: 'error' },
      ],
    },
    { taskId: 'b', status: 'succeeded', attempt: 1, maxAttempts: 1, startedAt: null, finishedAt: null, values: {}, error: null, errorKind: null, outputPath: null, childRunId: null, progress: { done: 0, total: 0 }, attempts: [] },
    { taskId: 'report', status: 'succeeded', attempt: 1, maxAttempts: 1, startedAt: null, finishedAt: null, values: {}, error: null, errorKind: null, outputPath: null, childRunId: null, progress: { done: 0, total: 0 }, attempts: [] },
  ],
  checks: CHECKS,
};
