/**
 * Test support (not exported from the package): a real SMTP server
 * (smtp-server, STARTTLS with its built-in test certificate, optional
 * AUTH, recipients it refuses) that keeps the messages it accepted, a
 * real HTTP receiver for webhooks with scripted answers, and RunDetail
 * fixtures.
 */
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import type { RunDetail, TaskRun } from '../runs/run-model';
import type { PipelineSpec, TaskSpec } from '../spec/pipeline-spec';
import { pipelineSpec as baseSpec, task } from '../testing/spec-builder';

export interface ReceivedMail {
  envelopeTo: string[];
  /** The AUTH user of the session, if it logged in. */
  user: string | undefined;
  /** The session ran over TLS (STARTTLS). */
  secure: boolean;
  headers: Map<string, string>;
  subject: string;
  text: string;
  html: string;
}

export interface TestSmtpServer extends AsyncDisposable {
  readonly host: string;
  readonly port: number;
  readonly messages: ReceivedMail[];
  readonly errors: Error[];
}

/** Answers 550 to a recipient in `refuse`; requires AUTH as one of `users` when given; `starttls: false` offers no STARTTLS (and takes AUTH in clear). */
export async function startTestSmtpServer(options: { users?: Record<string, string>; refuse?: readonly string[]; starttls?: boolean } = {}): Promise<TestSmtpServer> {
  const messages: ReceivedMail[] = [];
  const errors: Error[] = [];
  const users = options.users;
  const server = new SMTPServer({
    logger: false,
    authOptional: users === undefined,
    authMethods: ['PLAIN', 'LOGIN'],
    ...(options.starttls === false ? { disabledCommands: ['STARTTLS'], allowInsecureAuth: true } : {}),
    onAuth(auth, _session, callback) {
      if (users !== undefined && auth.username !== undefined && users[auth.username] === auth.password) return callback(null, { user: auth.username });
      callback(Object.assign(new Error('Invalid username or password'), { responseCode: 535 }));
    },
    onRcptTo(address, _session, callback) {
      if (options.refuse?.includes(address.address)) return callback(Object.assign(new Error(`5.1.1 <${address.address}>: no such mailbox`), { responseCode: 550 }));
      callback();
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        messages.push({
          envelopeTo: session.envelope.rcptTo.map((r) => r.address),
          user: typeof session.user === 'string' ? session.user : undefined,
          secure: session.secure,
          ...parseMail(Buffer.concat(chunks).toString('utf8')),
        });
        callback();
      });
    },
  });
  server.on('error', (err: Error) => errors.push(err));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;
  let closing: Promise<void> | undefined;
  return {
    host: '127.0.0.1',
    port,
    messages,
    errors,
    [Symbol.asyncDispose]() {
      closing ??= new Promise<void>((resolve) => server.close(() => resolve()));
      return closing;
    },
  };
}

/** A scripted answer: a status (and headers), or `hang`: never answer. */
export type Answer = { status: number; headers?: Record<string, string> } | 'hang';

export interface ReceivedRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  /** The raw body, as the signature covers it. */
  body: Buffer;
}

export interface TestWebhookReceiver extends AsyncDisposable {
  readonly url: string;
  readonly requests: ReceivedRequest[];
  /** Answers for the next requests, in order; 200 once they run out. */
  script(...answers: Answer[]): void;
  /** Resolves when the `n`-th request (1-based, counting all so far) has arrived. */
  received(n: number): Promise<ReceivedRequest>;
}

export async function startTestWebhookReceiver(): Promise<TestWebhookReceiver> {
  const requests: ReceivedRequest[] = [];
  const answers: Answer[] = [];
  const waiting: { n: number; resolve: (r: ReceivedRequest) => void }[] = [];
  const hung = new Set<ServerResponse>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const request = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks) };
      requests.push(request);
      for (const w of waiting.filter((w) => w.n === requests.length)) {
        waiting.splice(waiting.indexOf(w), 1);
        w.resolve(request);
      }
      const answer = answers.shift() ?? { status: 200 };
      if (answer === 'hang') {
        hung.add(res);
        res.on('close', () => hung.delete(res));
        return;
      }
      res.writeHead(answer.status, { 'content-type': 'text/plain', ...answer.headers }).end(answer.status < 300 ? 'ok' : 'not now');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  let closing: Promise<void> | undefined;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    script(...more) {
      answers.push(...more);
    },
    received(n) {
      if (requests.length >= n) return Promise.resolve(requests[n - 1]!);
      return new Promise((resolve) => waiting.push({ n, resolve }));
    },
    [Symbol.asyncDispose]() {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closing;
    },
  };
}

/** Just enough MIME for nodemailer's output: unfolded headers, RFC 2047 subjects, multipart/alternative with QP or base64 parts. */
function parseMail(raw: string): { headers: Map<string, string>; subject: string; text: string; html: string } {
  const { headers, body } = splitPart(raw);
  const subject = decodeWords(headers.get('subject') ?? '');
  const boundary = /boundary="?([^";]+)"?/i.exec(headers.get('content-type') ?? '')?.[1];
  const parts = boundary === undefined ? [{ headers, body }] : body.split(`--${boundary}`).slice(1, -1).map((p) => splitPart(p.replace(/^\r\n/, '')));
  const find = (type: string) => {
    const part = parts.find((p) => (p.headers.get('content-type') ?? 'text/plain').startsWith(type));
    return part === undefined ? '' : decodeBody(part.body, part.headers.get('content-transfer-encoding') ?? '7bit');
  };
  return { headers, subject, text: find('text/plain'), html: find('text/html') };
}

function splitPart(raw: string): { headers: Map<string, string>; body: string } {
  const end = raw.indexOf('\r\n\r\n');
  const head = end < 0 ? raw : raw.slice(0, end);
  const headers = new Map<string, string>();
  for (const line of head.replace(/\r\n[ \t]+/g, ' ').split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon > 0) headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  return { headers, body: end < 0 ? '' : raw.slice(end + 4) };
}

function decodeWords(value: string): string {
  return value
    .replace(/(=\?[^?]+\?[BbQq]\?[^?]*\?=)\s+(?==\?)/g, '$1')
    .replace(/=\?([^?]+)\?([BbQq])\?([^?]*)\?=/g, (_m, _charset: string, enc: string, data: string) =>
      enc.toUpperCase() === 'B' ? Buffer.from(data, 'base64').toString('utf8') : qpBytes(data.replace(/_/g, ' ')).toString('utf8'),
    );
}

function decodeBody(body: string, encoding: string): string {
  const trimmed = body.replace(/\r\n$/, '');
  switch (encoding.toLowerCase()) {
    case 'quoted-printable':
      return qpBytes(trimmed.replace(/=\r\n/g, '')).toString('utf8').replace(/\r\n/g, '\n');
    case 'base64':
      return Buffer.from(trimmed, 'base64').toString('utf8').replace(/\r\n/g, '\n');
    default:
      return trimmed.replace(/\r\n/g, '\n');
  }
}

function qpBytes(text: string): Buffer {
  const bytes: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const hex = text.slice(i + 1, i + 3);
    if (text[i] === '=' && /^[0-9A-Fa-f]{2}$/.test(hex)) {
      bytes.push(parseInt(hex, 16));
      i += 2;
    } else {
      bytes.push(...Buffer.from(text[i]!, 'utf8'));
    }
  }
  return Buffer.from(bytes);
}

export function taskSpec(id: string, dependsOn: string[] = []): TaskSpec {
  return task(id, { deps: dependsOn, path: `close/${id}.ipynb`, retry: { retries: 2, retryOn: ['error'] } });
}

export function taskRun(taskId: string, status: TaskRun['status'], extra: Partial<TaskRun> = {}): TaskRun {
  const done = status === 'succeeded' || status === 'failed' || status === 'timed_out';
  return {
    taskId,
    status,
    attempt: 1,
    maxAttempts: 3,
    readyAt: '2026-12-01T06:00:00.000Z',
    startedAt: '2026-12-01T06:00:01.000Z',
    finishedAt: done ? '2026-12-01T06:10:00.000Z' : null,
    values: {},
    error: null,
    errorKind: null,
    outputPath: null,
    childRunId: null,
    progress: { done: 0, total: 0 },
    attempts: [],
    ...extra,
  };
}

export function pipelineSpec(extra: Partial<PipelineSpec> = {}): PipelineSpec {
  return baseSpec([taskSpec('extract_gl'), taskSpec('validate', ['extract_gl'])], {
    id: 'finance/month-end-close.pipeline.yaml',
    name: 'Month-end close',
    description: 'GL, AP/AR and bank reconciliation for the month',
    period: 'previous_month',
    maxParallel: 2,
    ...extra,
  });
}

/** A month-end run of 2026-11 in `status`: extract_gl succeeded (48213 rows), validate succeeded, failed after 3 attempts, or is running. */
export function runDetail(id: string, status: RunDetail['status'], extra: Partial<RunDetail> = {}): RunDetail {
  const ended = status !== 'queued' && status !== 'running';
  const spec = extra.spec ?? pipelineSpec();
  return {
    id,
    pipelineId: spec.id,
    pipelinePath: spec.id,
    pipelineName: spec.name,
    status,
    trigger: 'calendar',
    triggeredBy: null,
    runAs: 'alice',
    logicalDate: '2026-12-01',
    period: { start: '2026-11-01', end: '2026-11-30', label: '2026-11' },
    parameters: { entity: 'PH01' },
    overrides: {},
    parentRunId: null,
    parentTaskId: null,
    backfillId: null,
    repairCount: 0,
    cancelRequested: false,
    slaDeadline: '2026-12-01T08:00:00.000Z',
    createdAt: '2026-12-01T06:00:00.000Z',
    startedAt: '2026-12-01T06:00:00.500Z',
    finishedAt: ended ? '2026-12-01T06:30:00.000Z' : null,
    error: status === 'failed' ? 'Task validate failed' : null,
    spec,
    checks: [],
    tasks: [
      taskRun('extract_gl', 'succeeded', { values: { row_count: 48213 } }),
      status === 'succeeded' ? taskRun('validate', 'succeeded') : ended ? taskRun('validate', 'failed', { attempt: 3, error: 'Debits <> credits by 12.50', errorKind: 'error' }) : taskRun('validate', 'running'),
    ],
    ...extra,
  };
}
