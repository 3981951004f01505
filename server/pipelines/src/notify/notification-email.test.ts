import { dataReadyPayload } from './notification-payload';
import { dataReadyEmail, escapeHtml, runEmail } from './notification-email';
import { pipelineSpec, runDetail, taskRun } from './test-harness';

const ID = '1a2b3c4d-0000-4000-8000-000000000001';

describe('run emails', () => {
  it.each([
    ['succeeded', 'Month-end close succeeded'],
    ['failed', 'Month-end close failed'],
    ['cancelled', 'Month-end close was cancelled'],
    ['timed_out', 'Month-end close timed out'],
  ] as const)('names a %s run in the subject', (status, what) => {
    expect(runEmail(runDetail(ID, status), false, {}).subject).toBe(`[Workbench] ${what} — 2026-11 (run 1a2b3c4d)`);
  });

  it('keeps the subject on one line whatever the pipeline is called', () => {
    const spec = pipelineSpec({ name: 'Close\r\nBcc: someone@example.com' });
    const email = runEmail(runDetail(ID, 'failed', { spec, pipelineName: spec.name }), false, {});
    expect(email.subject).toBe('[Workbench] Close Bcc: someone@example.com failed — 2026-11 (run 1a2b3c4d)');
  });

  it('escapes every user-controlled text in the HTML, and links the run page only with a base URL', () => {
    const spec = pipelineSpec({ name: '<img src=x onerror=alert(1)>' });
    const run = runDetail(ID, 'failed', {
      spec,
      pipelineName: spec.name,
      pipelinePath: 'x/"quoted".pipeline.yaml',
      triggeredBy: "o'brien",
      parameters: { '<k>': '& "v"' },
      error: '<error>',
      tasks: [taskRun('<task>', 'failed', { error: '</td><script>' })],
    });
    const { html, text } = runEmail(run, false, {});
    expect(html).not.toMatch(/<img|<script|<k>|<task>|<error>|"quoted"|o'brien/);
    for (const escaped of ['&lt;img src=x onerror=alert(1)&gt;', '&quot;quoted&quot;', 'o&#39;brien', '&lt;k&gt;', '&amp; \\&quot;v\\&quot;', '&lt;task&gt;', '&lt;/td&gt;&lt;script&gt;', '&lt;error&gt;']) {
      expect(html).toContain(escaped);
    }
    expect(html).not.toContain('<a href');
    expect(text).not.toContain('Run page');
    expect(runEmail(run, false, { baseUrl: 'https://wb.example.com/base/' }).html).toContain(`<a href="https://wb.example.com/base/lab?pipeline-run=${ID}">`);
  });

  it('tallies the checks, lists those that did not pass with their rows and impact, and shows the tasks\' figures', () => {
    const check = (name: string, severity: 'fail' | 'warn', status: 'passed' | 'failed' | 'error', violations: number, impact: string | null) => ({ taskId: 'checks', attempt: 1, at: '2026-12-01T06:05:00.000Z', name, severity, status, violations, impact, materiality: impact === null ? null : '0.01', impacts: null, sample: { columns: [], rows: [] }, message: status === 'error' ? 'IO Error: no file <x>' : null, sqlSha256: null });
    const impacts = [
      { currency: 'EUR', impact: '0.009', materiality: '0.01', exceeded: false },
      { currency: 'JPY', impact: '5', materiality: '1', exceeded: true },
      { currency: null, impact: '0.5', materiality: '0.05', exceeded: true },
    ];
    const run = runDetail('r1', 'failed', {
      checks: [
        check('unbalanced_moves', 'fail', 'failed', 2, '12.51'),
        check('trial_balance_zero', 'fail', 'passed', 0, null),
        check('open_bank_items', 'warn', 'failed', 7, null),
        check('missing_source', 'fail', 'error', 0, null),
        { ...check('fx_rounding', 'warn', 'failed', 4, '5'), materiality: '1', impacts },
      ],
      tasks: [taskRun('extract_gl', 'succeeded', { values: { row_count: 48213 } }), taskRun('validate', 'failed')],
    });
    const mail = runEmail(run, false, {});
    expect(mail.text).toContain('Checks: 1 passed, 1 failed, 2 warnings, 1 errors');
    // Per currency: those above their materiality.
    expect(mail.text).toContain('  x fx_rounding (warn): 4 offending row(s), impact JPY 5 against 1, null 0.5 against 0.05 (2 of 3 currencies above materiality)');
    expect(mail.text).toContain('  x unbalanced_moves (fail): 2 offending row(s), impact 12.51 against 0.01');
    expect(mail.text).toContain('  x open_bank_items (warn): 7 offending row(s)');
    expect(mail.text).toContain('  x missing_source (fail): could not run: IO Error: no file <x>');
    expect(mail.text).not.toContain('trial_balance_zero');
    expect(mail.text).toContain('Figures\n  extract_gl: {"row_count":48213}');
    expect(mail.html).toContain('<li>missing_source (fail): could not run: IO Error: no file &lt;x&gt;</li>');
    // With the server's address, each check that did not pass links to the run page opened at that check.
    const linked = runEmail(run, false, { baseUrl: 'https://wb.example.com' });
    expect(linked.text).toContain('  x unbalanced_moves (fail): 2 offending row(s), impact 12.51 against 0.01\n    https://wb.example.com/lab?pipeline-run=r1&check=unbalanced_moves\n');
    expect(linked.html).toContain('<li><a href="https://wb.example.com/lab?pipeline-run=r1&amp;check=missing_source">missing_source (fail): could not run: IO Error: no file &lt;x&gt;</a></li>');
  });

  it('escapes the five HTML metacharacters', () => {
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
  });
});

describe('data_ready emails', () => {
  it('say which dataset is ready, with its rows and schema version', () => {
    const spec = pipelineSpec({ datasets: [{ name: 'gl_transactions', task: 'extract_gl' }] });
    const run = runDetail(ID, 'succeeded', { spec });
    const payload = dataReadyPayload(run, spec.datasets[0]!, { now: 0, baseUrl: 'https://wb.example.com' })!;
    const email = dataReadyEmail(run, payload);
    expect(email.subject).toBe('[Workbench] gl_transactions is ready — 2026-11 (run 1a2b3c4d)');
    expect(email.text).toMatch(/^Rows +48,213$/m);
    expect(email.text).toMatch(/^Schema version +not declared$/m);
    expect(email.text).toContain(`Run page: https://wb.example.com/lab?pipeline-run=${ID}`);
  });
});
