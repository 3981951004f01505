/**
 * RunNotifier against a real SMTP server (STARTTLS, AUTH, a refused
 * recipient), a real HTTP receiver on port 0, and the metadata store on
 * SQLite and PostgreSQL. Waits between webhook tries are recorded by an
 * injected delay, not waited; every test waits on the promise of the call
 * it makes (or on the receiver seeing a request), never on time.
 */
import { silentLogger, type Logger } from '@workbench/core';
import { openStore, type MetadataStore } from '@workbench/store';
import { STORE_DIALECTS, testDatabases } from '@workbench/store/testing';
import type { NotifySpec } from '../spec/pipeline-spec';
import { RunNotifier, type RunNotifierOptions } from './run-notifier';
import { pipelineSpec, runDetail, startTestSmtpServer, startTestWebhookReceiver, taskRun, type ReceivedRequest, type TestSmtpServer, type TestWebhookReceiver } from './test-harness';
import { verifyWebhookSignature } from '@workbench/core';

const SECRET = 'whsec-test-3f9a1c';
const NOW = Date.parse('2026-12-01T06:30:05.000Z');
const NOW_ISO = new Date(NOW).toISOString();
const NOW_S = Math.floor(NOW / 1000);
const TEAM = 'close-team@example.com';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** Run ids all start 1a2b3c4d (the subject shows 8 characters); `n` keeps them apart within one store. */
const runId = (n: number) => `1a2b3c4d-0000-4000-8000-${String(n).padStart(12, '0')}`;

function tcpHandles(): number {
  return process.getActiveResourcesInfo().filter((r) => r === 'TCPSocketWrap' || r === 'TCPServerWrap').length;
}

interface LogEntry {
  level: string;
  msg: string;
  fields: object;
}

function recordingLogger(into: LogEntry[]): Logger {
  const at =
    (level: string) =>
    (fields: object, msg: string): void => {
      into.push({ level, msg, fields });
    };
  const logger: Logger = { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error'), child: () => logger };
  return logger;
}

function json(request: ReceivedRequest): Record<string, unknown> {
  return JSON.parse(request.body.toString('utf8')) as Record<string, unknown>;
}

function signatureOf(request: ReceivedRequest): string | undefined {
  const header = request.headers['x-workbench-signature'];
  return Array.isArray(header) ? header[0] : header;
}

let smtp: TestSmtpServer;
let receiver: TestWebhookReceiver;
let baseline: number;

beforeAll(async () => {
  baseline = tcpHandles();
  smtp = await startTestSmtpServer({ users: { workbench: 'mail-pw' }, refuse: ['nobody@example.com'] });
  receiver = await startTestWebhookReceiver();
});

afterAll(async () => {
  await receiver?.[Symbol.asyncDispose]();
  await smtp?.[Symbol.asyncDispose]();
  expect(smtp.errors).toEqual([]);
  // Both servers closed every connection; the client ends of those sockets notice on a later turn of the event loop.
  for (let turn = 0; turn < 1000 && tcpHandles() > baseline; turn++) await new Promise((r) => setImmediate(r));
  expect(tcpHandles()).toBe(baseline);
});

describe.each(STORE_DIALECTS)('RunNotifier on %s', (dialect) => {
  const databases = testDatabases(dialect);
  let store: MetadataStore;
  let notifiers: RunNotifier[] = [];
  let delays: number[];
  let logs: LogEntry[];

  const hook = () => `${receiver.url}/hooks/close?token=t0k3n`;
  const smtpSettings = () => ({ host: smtp.host, port: smtp.port, user: 'workbench', password: 'mail-pw', from: '"Workbench" <workbench@example.com>', rejectUnauthorized: false });
  const withNotify = (...notify: NotifySpec[]) => pipelineSpec({ notify });

  function notifier(extra: Partial<RunNotifierOptions> = {}): RunNotifier {
    const n = new RunNotifier({
      store,
      smtp: smtpSettings(),
      signingSecret: async () => SECRET,
      baseUrl: 'https://workbench.example.com/',
      clock: { now: () => NOW },
      logger: recordingLogger(logs),
      random: () => 0.5,
      delay: async (ms) => {
        delays.push(ms);
      },
      ...extra,
    });
    notifiers.push(n);
    return n;
  }

  beforeAll(async () => {
    store = await openStore({ ...(await databases.create()), logger: silentLogger });
  });

  afterAll(async () => {
    await store?.[Symbol.asyncDispose]();
    await databases[Symbol.asyncDispose]();
  });

  beforeEach(() => {
    smtp.messages.length = 0;
    receiver.requests.length = 0;
    delays = [];
    logs = [];
  });

  afterEach(async () => {
    for (const n of notifiers.splice(0)) await n[Symbol.asyncDispose]();
    expect(logs.filter((l) => l.level === 'error')).toEqual([]);
  });

  it('emails a failure with the run summary (STARTTLS, AUTH) and posts a signed run.failed webhook', async () => {
    const id = runId(1);
    const run = runDetail(id, 'failed', {
      spec: withNotify({ on: ['failure'], email: [TEAM], webhook: hook() }),
      trigger: 'manual',
      triggeredBy: 'alice',
      parameters: { entity: 'PH01', note: '<b>bold</b>' },
      tasks: [
        taskRun('extract_gl', 'succeeded', { values: { row_count: 48213 } }),
        taskRun('validate', 'failed', { attempt: 3, error: 'Debits <> credits by 12.50 <script>alert(1)</script>', errorKind: 'error' }),
      ],
    });
    await notifier().runEnded(run);

    expect(smtp.messages).toHaveLength(1);
    const mail = smtp.messages[0]!;
    expect(mail).toMatchObject({ envelopeTo: [TEAM], user: 'workbench', secure: true, subject: '[Workbench] Month-end close failed — 2026-11 (run 1a2b3c4d)' });
    expect(mail.headers.get('from')).toContain('workbench@example.com');
    expect(mail.text).toContain('Month-end close failed.');
    expect(mail.text).toMatch(/^Status +failed$/m);
    expect(mail.text).toMatch(/^Period +2026-11 \(2026-11-01 to 2026-11-30\)$/m);
    expect(mail.text).toMatch(/^Trigger +manual, by alice$/m);
    expect(mail.text).toContain('  entity = "PH01"');
    expect(mail.text).toMatch(/^ {2}extract_gl +succeeded +1 of 3 attempts$/m);
    expect(mail.text).toMatch(/^ {2}validate +failed +3 of 3 attempts$/m);
    expect(mail.text).toContain('    error: Debits <> credits by 12.50 <script>alert(1)</script>');
    expect(mail.text).toContain(`Run page: https://workbench.example.com/lab?pipeline-run=${id}`);
    expect(mail.html).toContain('Debits &lt;&gt; credits by 12.50 &lt;script&gt;alert(1)&lt;/script&gt;');
    expect(mail.html).toContain('&quot;&lt;b&gt;bold&lt;/b&gt;&quot;');
    expect(mail.html).not.toMatch(/<script|<b>/);
    expect(mail.html).toContain(`<a href="https://workbench.example.com/lab?pipeline-run=${id}">`);

    expect(receiver.requests).toHaveLength(1);
    const request = receiver.requests[0]!;
    expect(request.method).toBe('POST');
    expect(request.url).toBe('/hooks/close?token=t0k3n');
    expect(request.headers['content-type']).toBe('application/json');
    expect(request.headers['x-workbench-event']).toBe('run.failed');
    expect(request.headers['x-workbench-delivery']).toMatch(UUID);
    expect(verifyWebhookSignature(SECRET, signatureOf(request), request.body, NOW_S)).toEqual({ ok: true });
    expect(json(request)).toEqual({
      event: 'run.failed',
      created_at: NOW_ISO,
      pipeline: { id: 'finance/month-end-close.pipeline.yaml', path: 'finance/month-end-close.pipeline.yaml', name: 'Month-end close' },
      run: {
        id,
        status: 'failed',
        trigger: 'manual',
        triggered_by: 'alice',
        logical_date: '2026-12-01',
        period: { start: '2026-11-01', end: '2026-11-30', label: '2026-11' },
        parameters: { entity: 'PH01', note: '<b>bold</b>' },
        started_at: '2026-12-01T06:00:00.500Z',
        finished_at: '2026-12-01T06:30:00.000Z',
        sla_deadline: '2026-12-01T08:00:00.000Z',
        error: 'Task validate failed',
        url: `https://workbench.example.com/lab?pipeline-run=${id}`,
      },
      failed_tasks: [{ task_id: 'validate', status: 'failed', attempts: 3, max_attempts: 3, error: 'Debits <> credits by 12.50 <script>alert(1)</script>', error_kind: 'error' }],
    });

    expect(await notifiers[0]!.list(id)).toEqual([
      { event: 'failure', channel: 'email', target: TEAM, status: 'sent', at: NOW_ISO, error: null },
      { event: 'failure', channel: 'webhook', target: hook(), status: 'sent', at: NOW_ISO, error: null },
    ]);
  });

  it('sends no success notification when the spec lists only failure; a cancelled run counts as a failure', async () => {
    const spec = withNotify({ on: ['failure'], email: [TEAM], webhook: hook() });
    const n = notifier();
    await n.runEnded(runDetail(runId(2), 'succeeded', { spec }));
    expect(smtp.messages).toEqual([]);
    expect(receiver.requests).toEqual([]);
    expect(await n.list(runId(2))).toEqual([]);

    await n.runEnded(runDetail(runId(3), 'cancelled', { spec, error: null, tasks: [taskRun('extract_gl', 'succeeded'), taskRun('validate', 'cancelled')] }));
    expect(smtp.messages.map((m) => m.subject)).toEqual(['[Workbench] Month-end close was cancelled — 2026-11 (run 1a2b3c4d)']);
    expect(receiver.requests.map((r) => r.headers['x-workbench-event'])).toEqual(['run.failed']);
    expect(json(receiver.requests[0]!)).toMatchObject({ event: 'run.failed', run: { status: 'cancelled' }, failed_tasks: [] });
  });

  it('reads addresses from a parameter the notify entry names: several, one, or none when it is empty', async () => {
    const spec = withNotify({ on: ['failure'], email: ['{{ params.finance_list }}'] });
    const n = notifier();
    await n.runEnded(runDetail(runId(40), 'failed', { spec, parameters: { finance_list: `${TEAM}, controller@example.com;not an address` } }));
    expect(smtp.messages.map((m) => m.envelopeTo).sort()).toEqual([[TEAM], ['controller@example.com']]);
    expect((await n.list(runId(40))).map((r) => [r.target, r.status])).toEqual([
      ['close-team@example.com', 'sent'],
      ['controller@example.com', 'sent'],
    ]);
    smtp.messages.length = 0;
    await n.runEnded(runDetail(runId(41), 'failed', { spec, parameters: { finance_list: '' } }));
    expect(smtp.messages).toEqual([]);
    expect(await n.list(runId(41))).toEqual([]);
  });

  it('announces data_ready for each dataset whose task succeeded, with row count, schema version, period and run id', async () => {
    const id = runId(4);
    const spec = pipelineSpec({
      notify: [{ on: ['success', 'data_ready'], webhook: hook() }],
      datasets: [
        { name: 'gl_transactions', task: 'extract_gl', schemaVersion: '3' },
        { name: 'ar_aging', task: 'extract_ar' },
        { name: 'bank_recon', task: 'reconcile' },
      ],
    });
    const run = runDetail(id, 'succeeded', {
      spec,
      tasks: [
        taskRun('extract_gl', 'succeeded', { values: { row_count: 48213 }, finishedAt: '2026-12-01T06:12:00.000Z' }),
        taskRun('extract_ar', 'succeeded', { values: { row_count: '1200', schema_version: 2 }, finishedAt: '2026-12-01T06:14:00.000Z' }),
        taskRun('reconcile', 'skipped', { finishedAt: null }),
      ],
    });
    await notifier().runEnded(run);

    expect(receiver.requests.map((r) => r.headers['x-workbench-event']).sort()).toEqual(['data_ready', 'data_ready', 'run.succeeded']);
    for (const r of receiver.requests) expect(verifyWebhookSignature(SECRET, signatureOf(r), r.body, NOW_S)).toEqual({ ok: true });
    const ready = receiver.requests.filter((r) => r.headers['x-workbench-event'] === 'data_ready').map(json);
    const common = {
      event: 'data_ready',
      created_at: NOW_ISO,
      period: { start: '2026-11-01', end: '2026-11-30', label: '2026-11' },
      run_id: id,
      pipeline: { id: spec.id, path: spec.id, name: 'Month-end close' },
      url: `https://workbench.example.com/lab?pipeline-run=${id}`,
    };
    expect(ready.sort((a, b) => String(a['dataset']).localeCompare(String(b['dataset'])))).toEqual([
      { ...common, dataset: 'ar_aging', row_count: 1200, schema_version: '2', produced_at: '2026-12-01T06:14:00.000Z', task_id: 'extract_ar' },
      { ...common, dataset: 'gl_transactions', row_count: 48213, schema_version: '3', produced_at: '2026-12-01T06:12:00.000Z', task_id: 'extract_gl' },
    ]);
    expect(json(receiver.requests.find((r) => r.headers['x-workbench-event'] === 'run.succeeded')!)).toMatchObject({ event: 'run.succeeded', run: { id, status: 'succeeded' }, failed_tasks: [] });

    // One byte changed in a signed body: the signature no longer verifies.
    const gl = receiver.requests.find((r) => r.body.includes('gl_transactions'))!;
    const tampered = Buffer.from(gl.body.toString('utf8').replace('48213', '48214'));
    expect(verifyWebhookSignature(SECRET, signatureOf(gl), tampered, NOW_S)).toEqual({ ok: false, reason: 'signature does not match' });

    expect((await notifiers[0]!.list(id)).map((r) => [r.event, r.status])).toEqual([
      ['data_ready:ar_aging', 'sent'],
      ['data_ready:gl_transactions', 'sent'],
      ['success', 'sent'],
    ]);
    expect(logs).toContainEqual(expect.objectContaining({ level: 'warn', fields: expect.objectContaining({ dataset: 'bank_recon' }) }));
  });

  it('retries a webhook answered 500 until a 200, waiting longer each time, under one delivery id', async () => {
    receiver.script({ status: 500 }, { status: 500 });
    const n = notifier();
    await n.runEnded(runDetail(runId(5), 'failed', { spec: withNotify({ on: ['failure'], webhook: hook() }) }));
    expect(receiver.requests).toHaveLength(3);
    expect(delays).toEqual([1125, 2250]);
    expect(new Set(receiver.requests.map((r) => r.headers['x-workbench-delivery'])).size).toBe(1);
    expect(new Set(receiver.requests.map((r) => r.body.toString())).size).toBe(1);
    for (const r of receiver.requests) expect(verifyWebhookSignature(SECRET, signatureOf(r), r.body, NOW_S)).toEqual({ ok: true });
    expect(await n.list(runId(5))).toEqual([{ event: 'failure', channel: 'webhook', target: hook(), status: 'sent', at: NOW_ISO, error: null }]);
  });

  it('records a webhook failed after 1 + 3 tries, and honours Retry-After unless it asks for too long', async () => {
    const spec = withNotify({ on: ['failure'], webhook: hook() });
    const n = notifier();
    receiver.script({ status: 500 }, { status: 500 }, { status: 500 }, { status: 500 });
    await n.runEnded(runDetail(runId(6), 'failed', { spec }));
    expect(receiver.requests).toHaveLength(4);
    expect(delays).toEqual([1125, 2250, 4500]);
    expect(await n.list(runId(6))).toMatchObject([{ status: 'failed', error: 'Cannot deliver webhook: HTTP 500 (4 attempts)' }]);

    receiver.requests.length = 0;
    delays.length = 0;
    receiver.script({ status: 503, headers: { 'retry-after': '7' } });
    await n.runEnded(runDetail(runId(7), 'failed', { spec }));
    expect(receiver.requests).toHaveLength(2);
    expect(delays).toEqual([7000]);
    expect(await n.list(runId(7))).toMatchObject([{ status: 'sent', error: null }]);

    receiver.requests.length = 0;
    delays.length = 0;
    receiver.script({ status: 429, headers: { 'retry-after': '120' } });
    await n.runEnded(runDetail(runId(8), 'failed', { spec }));
    expect(receiver.requests).toHaveLength(1);
    expect(delays).toEqual([]);
    expect(await n.list(runId(8))).toMatchObject([{ status: 'failed', error: 'Cannot deliver webhook: HTTP 429, asked to retry after 120 s (1 attempt)' }]);
  });

  it('records a receiver that never answers as failed after each try timed out', async () => {
    receiver.script('hang', 'hang', 'hang', 'hang');
    const n = notifier({ webhookTimeoutMs: 100 });
    await n.runEnded(runDetail(runId(9), 'failed', { spec: withNotify({ on: ['failure'], webhook: hook() }) }));
    expect(receiver.requests).toHaveLength(4);
    expect(delays).toHaveLength(3);
    expect(await n.list(runId(9))).toMatchObject([{ status: 'failed', error: 'Cannot deliver webhook: no answer within 100 ms (4 attempts)' }]);
  });

  it('records a recipient the SMTP server refuses as failed; the other recipient and the webhook still get theirs', async () => {
    const id = runId(10);
    const n = notifier();
    await n.runEnded(runDetail(id, 'failed', { spec: withNotify({ on: ['failure'], email: [TEAM, 'nobody@example.com'], webhook: hook() }) }));
    expect(smtp.messages.map((m) => m.envelopeTo)).toEqual([[TEAM]]);
    expect(receiver.requests).toHaveLength(1);
    const records = await n.list(id);
    expect(records.map((r) => [r.channel, r.target, r.status])).toEqual([
      ['email', TEAM, 'sent'],
      ['email', 'nobody@example.com', 'failed'],
      ['webhook', hook(), 'sent'],
    ]);
    expect(records[1]!.error).toMatch(/^Cannot send email: .*550 5\.1\.1 <nobody@example\.com>: no such mailbox/);
  });

  it('records email failed without an SMTP server, or with a wrong password; webhooks are unaffected', async () => {
    const spec = withNotify({ on: ['failure'], email: [TEAM], webhook: hook() });
    const bare = notifier({ smtp: undefined });
    await bare.runEnded(runDetail(runId(11), 'failed', { spec }));
    expect(await bare.list(runId(11))).toMatchObject([
      { channel: 'email', status: 'failed', error: 'Cannot send email: no SMTP server configured' },
      { channel: 'webhook', status: 'sent', error: null },
    ]);

    const wrong = notifier({ smtp: { ...smtpSettings(), password: 'not-it' } });
    await wrong.runEnded(runDetail(runId(12), 'failed', { spec }));
    expect(await wrong.list(runId(12))).toMatchObject([
      { channel: 'email', status: 'failed', error: expect.stringMatching(/^Cannot send email: .*535 Invalid username or password/) },
      { channel: 'webhook', status: 'sent' },
    ]);
    expect(smtp.messages).toEqual([]);
  });

  it('does not send a password to a server that offers no STARTTLS, unless ignoreTLS says so', async () => {
    const plain = await startTestSmtpServer({ users: { workbench: 'mail-pw' }, starttls: false });
    try {
      const spec = withNotify({ on: ['failure'], email: [TEAM] });
      const strict = notifier({ smtp: { ...smtpSettings(), port: plain.port } });
      await strict.runEnded(runDetail(runId(17), 'failed', { spec }));
      expect(await strict.list(runId(17))).toMatchObject([{ status: 'failed', error: expect.stringMatching(/^Cannot send email: .*STARTTLS/) }]);
      expect(plain.messages).toEqual([]);

      const relay = notifier({ smtp: { ...smtpSettings(), port: plain.port, ignoreTLS: true } });
      await relay.runEnded(runDetail(runId(18), 'failed', { spec }));
      expect(await relay.list(runId(18))).toMatchObject([{ status: 'sent' }]);
      expect(plain.messages).toMatchObject([{ user: 'workbench', secure: false, envelopeTo: [TEAM] }]);
    } finally {
      for (const n of notifiers.splice(0)) await n[Symbol.asyncDispose]();
      await plain[Symbol.asyncDispose]();
    }
  });

  it('sends each notification once: one run ended three times through two notifiers on one store', async () => {
    const id = runId(13);
    const run = runDetail(id, 'failed', { spec: withNotify({ on: ['failure'], email: [TEAM], webhook: hook() }, { on: ['failure', 'sla_miss'], email: [TEAM] }) });
    const a = notifier();
    const b = notifier();
    await Promise.all([a.runEnded(run), b.runEnded(run), a.runEnded(run)]);
    await b.runEnded(run);
    expect(smtp.messages).toHaveLength(1);
    expect(receiver.requests).toHaveLength(1);
    expect((await b.list(id)).map((r) => [r.channel, r.status])).toEqual([
      ['email', 'sent'],
      ['webhook', 'sent'],
    ]);
  });

  it('sends an SLA miss once per run, for a run still going', async () => {
    const id = runId(14);
    const run = runDetail(id, 'running', { spec: withNotify({ on: ['sla_miss'], email: [TEAM], webhook: hook() }, { on: ['failure'], email: ['other@example.com'] }) });
    const a = notifier();
    await Promise.all([a.slaMissed(run), notifier().slaMissed(run)]);
    await a.slaMissed(run);
    expect(smtp.messages).toHaveLength(1);
    const mail = smtp.messages[0]!;
    expect(mail.subject).toBe('[Workbench] Month-end close missed its SLA — 2026-11 (run 1a2b3c4d)');
    expect(mail.envelopeTo).toEqual([TEAM]);
    expect(mail.text).toContain('Month-end close missed its SLA: the run was not done by 2026-12-01T08:00:00.000Z.');
    expect(mail.text).toMatch(/^ {2}validate +running +1 of 3 attempts$/m);
    expect(receiver.requests).toHaveLength(1);
    expect(receiver.requests[0]!.headers['x-workbench-event']).toBe('run.sla_missed');
    expect(json(receiver.requests[0]!)).toMatchObject({ event: 'run.sla_missed', run: { id, status: 'running', finished_at: null, sla_deadline: '2026-12-01T08:00:00.000Z' } });
    expect((await a.list(id)).map((r) => [r.event, r.channel, r.status])).toEqual([
      ['sla_miss', 'email', 'sent'],
      ['sla_miss', 'webhook', 'sent'],
    ]);
  });

  it('on dispose, stops a delivery under way and records it failed; later calls do nothing', async () => {
    receiver.script('hang');
    const n = notifier({ webhookTimeoutMs: 60_000 });
    const spec = withNotify({ on: ['failure'], webhook: hook() });
    const ended = n.runEnded(runDetail(runId(15), 'failed', { spec }));
    await receiver.received(1);
    await n[Symbol.asyncDispose]();
    await ended;
    expect(receiver.requests).toHaveLength(1);
    expect(await n.list(runId(15))).toMatchObject([{ status: 'failed', error: 'Cannot deliver webhook: the notifier shut down' }]);

    await n.runEnded(runDetail(runId(16), 'failed', { spec }));
    expect(await n.list(runId(16))).toEqual([]);
    await n[Symbol.asyncDispose](); // idempotent
  });
});
