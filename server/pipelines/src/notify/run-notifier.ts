/**
 * Run notifications: when a run ends, is past its SLA deadline, or (on
 * success) has produced the datasets its spec declares, each target of
 * the spec's `notify` entries for that event gets one email or one signed
 * webhook (README.md).
 *
 * Once only, across replicas: before sending, a row (run, event, channel,
 * target) is inserted into `pipeline_notifications` with status
 * 'sending'; the primary key makes a second insert fail, so whichever
 * process inserts first sends and the others skip. The row then becomes
 * 'sent' or 'failed' (with the error). This is at most once: a process
 * that dies mid-send leaves the row at 'sending' and nobody resends it.
 *
 * Events in the table: 'success', 'failure', 'sla_miss' and
 * 'data_ready:<dataset>'. Each email address gets its own message, so a
 * refused address is recorded alone and does not stop the others.
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { createTransport, type Transporter } from 'nodemailer';
import { AppError, describeError, raceSignal, silentLogger, systemClock, type Clock, type Logger } from '@workbench/core';
import { isUniqueViolation, type MetadataStore } from '@workbench/store';
import { RUN_DONE, type RunDetail } from '../runs/run-model';
import { EMAIL } from '../spec/check-pipeline';
import type { NotifyEvent } from '../spec/pipeline-spec';
import { isTemplate, renderTemplate } from '../spec/template';
import { dataReadyEmail, runEmail, type EmailContent } from './notification-email';
import { dataReadyPayload, runEventPayload, runWebhookEvent, type NotificationPayload, type WebhookEvent } from './notification-payload';
import { deliverWebhook, safeOrigin } from './webhook-delivery';

export interface SmtpSettings {
  host: string;
  port: number;
  /**
   * TLS from the first byte (usually port 465). When false, STARTTLS is
   * used if the server offers it, unless ignoreTLS; with a `user` it is
   * required (a password is not sent in clear unless ignoreTLS says so).
   */
  secure?: boolean;
  /** Never upgrade with STARTTLS (a local relay without TLS). */
  ignoreTLS?: boolean;
  user?: string;
  password?: string;
  /** The From address, e.g. `"Workbench" <workbench@example.com>`. */
  from: string;
  /** Check the server's certificate (default true). */
  rejectUnauthorized?: boolean;
}

export interface RunNotifierOptions {
  store: MetadataStore;
  /** Without it, email targets are recorded failed: no SMTP server configured. */
  smtp?: SmtpSettings;
  /** The HMAC key of outgoing webhooks' signatures; asked once per webhook notification. */
  signingSecret: () => Promise<string>;
  /** Workbench's public URL: notifications link to `${baseUrl}/lab?pipeline-run=<runId>`. Without it, no link. */
  baseUrl?: string;
  fetch?: typeof fetch;
  clock?: Clock;
  logger?: Logger;
  /** How long one webhook try waits for an answer. Default 10 s. */
  webhookTimeoutMs?: number;
  /** The wait between webhook tries (tests record it instead of waiting). Rejects when `signal` aborts. */
  delay?: (ms: number, signal: AbortSignal) => Promise<void>;
  /** Jitter of webhook retry waits. Default Math.random. */
  random?: () => number;
}

export type NotificationChannel = 'email' | 'webhook';

export interface NotificationRecord {
  event: string;
  channel: NotificationChannel;
  target: string;
  /** 'sending' | 'sent' | 'failed' */
  status: string;
  /** When it was claimed, then when it was sent or failed (ISO 8601). */
  at: string;
  error: string | null;
}

/** One notification to fan out to the targets of the spec's entries for `on`. */
interface Outgoing {
  /** The table's event column. */
  event: string;
  on: NotifyEvent;
  webhookEvent: WebhookEvent;
  payload: NotificationPayload;
  email: EmailContent;
}

const SMTP_TIMEOUTS = { connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 30_000 };

async function defaultDelay(ms: number, signal: AbortSignal): Promise<void> {
  await sleep(ms, undefined, { signal });
}

export class RunNotifier implements AsyncDisposable {
  private readonly store: MetadataStore;
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly fetch: typeof fetch;
  private readonly transport: Transporter | undefined;
  private readonly controller = new AbortController();
  private readonly inFlight = new Set<Promise<void>>();
  private disposing: Promise<void> | undefined;

  constructor(private readonly options: RunNotifierOptions) {
    this.store = options.store;
    this.clock = options.clock ?? systemClock;
    this.logger = (options.logger ?? silentLogger).child({ component: 'pipeline-notify' });
    this.fetch = options.fetch ?? fetch;
    const smtp = options.smtp;
    if (smtp !== undefined) {
      this.transport = createTransport({
        pool: true,
        maxConnections: 3,
        host: smtp.host,
        port: smtp.port,
        secure: smtp.secure ?? false,
        ignoreTLS: smtp.ignoreTLS ?? false,
        requireTLS: smtp.user !== undefined && !(smtp.secure ?? false) && !(smtp.ignoreTLS ?? false),
        auth: smtp.user !== undefined ? { user: smtp.user, pass: smtp.password ?? '' } : undefined,
        tls: { rejectUnauthorized: smtp.rejectUnauthorized ?? true },
        ...SMTP_TIMEOUTS,
      });
      // A pooled connection failing between messages: the next send reports its own error.
      this.transport.on('error', (err: unknown) => this.logger.warn({ err: describeError(err) }, 'SMTP connection failed'));
    }
  }

  /**
   * A run ended: 'success' or 'failure' (cancelled and timed out runs are
   * failures) notifications per the spec and, on success, one 'data_ready'
   * per dataset the spec declares whose task succeeded. Never throws
   * (logs); resolves when every notification is sent or recorded failed.
   */
  runEnded(run: RunDetail): Promise<void> {
    return this.track(run, async () => {
      if (!RUN_DONE.has(run.status)) {
        this.logger.warn({ run: run.id, status: run.status }, 'Cannot notify of a run end: the run has not ended');
        return;
      }
      const context = { baseUrl: this.options.baseUrl, now: this.clock.now() };
      const on = run.status === 'succeeded' ? 'success' : 'failure';
      const webhookEvent = runWebhookEvent(run);
      const jobs = [this.fanOut(run, { event: on, on, webhookEvent, payload: runEventPayload(run, webhookEvent, context), email: runEmail(run, false, context) })];
      if (run.status === 'succeeded' && wants(run, 'data_ready')) {
        for (const dataset of run.spec.datasets) {
          const payload = dataReadyPayload(run, dataset, context);
          if (payload === undefined) {
            this.logger.warn({ run: run.id, dataset: dataset.name, task: dataset.task }, 'No data_ready: the dataset\'s task did not succeed');
            continue;
          }
          jobs.push(this.fanOut(run, { event: `data_ready:${dataset.name}`, on: 'data_ready', webhookEvent: 'data_ready', payload, email: dataReadyEmail(run, payload) }));
        }
      }
      await Promise.all(jobs);
    });
  }

  /** A run still going past its SLA deadline: one 'sla_miss' notification per target and run, ever. Never throws. */
  slaMissed(run: RunDetail): Promise<void> {
    return this.track(run, async () => {
      const context = { baseUrl: this.options.baseUrl, now: this.clock.now() };
      await this.fanOut(run, { event: 'sla_miss', on: 'sla_miss', webhookEvent: 'run.sla_missed', payload: runEventPayload(run, 'run.sla_missed', context), email: runEmail(run, true, context) });
    });
  }

  /** The run's notifications as recorded (for the run page), oldest first. */
  async list(runId: string): Promise<NotificationRecord[]> {
    const rows = await this.store.db
      .selectFrom('pipeline_notifications')
      .select(['event', 'channel', 'target', 'status', 'at', 'error'])
      .where('run_id', '=', runId)
      .orderBy('at')
      .orderBy('event')
      .orderBy('channel')
      .orderBy('target')
      .execute();
    return rows.map((r) => ({ event: r.event, channel: r.channel as NotificationChannel, target: r.target, status: r.status, at: new Date(Number(r.at)).toISOString(), error: r.error }));
  }

  /** Stops webhook retries and SMTP sends under way (they are recorded failed), waits for them, closes the SMTP pool. Idempotent. */
  [Symbol.asyncDispose](): Promise<void> {
    this.disposing ??= (async () => {
      this.controller.abort(new AppError('unavailable', 'Cannot notify: the notifier shut down'));
      this.transport?.close({ force: true });
      while (this.inFlight.size > 0) await Promise.all([...this.inFlight]);
    })();
    return this.disposing;
  }

  private track(run: RunDetail, work: () => Promise<void>): Promise<void> {
    if (this.disposing !== undefined) {
      this.logger.warn({ run: run.id }, 'Cannot notify: the notifier shut down');
      return Promise.resolve();
    }
    const p = work().catch((err: unknown) => this.logger.error({ run: run.id, err: describeError(err) }, 'Cannot notify of a run'));
    this.inFlight.add(p);
    void p.finally(() => this.inFlight.delete(p));
    return p;
  }

  /** Every target of the spec's entries for `out.on`, each once (an address in two entries gets one message). */
  private async fanOut(run: RunDetail, out: Outgoing): Promise<void> {
    const targets = new Map<string, { channel: NotificationChannel; target: string }>();
    for (const entry of run.spec.notify) {
      if (!entry.on.includes(out.on)) continue;
      for (const address of (entry.email ?? []).flatMap((e) => this.addresses(run, e))) targets.set(`email\n${address}`, { channel: 'email', target: address });
      if (entry.webhook !== undefined) targets.set(`webhook\n${entry.webhook}`, { channel: 'webhook', target: entry.webhook });
    }
    const body = JSON.stringify(out.payload);
    await Promise.all(
      [...targets.values()].map(({ channel, target }) =>
        this.once(run.id, out.event, channel, target, () => (channel === 'email' ? this.sendEmail(target, out.email) : this.sendWebhook(target, out.webhookEvent, body))),
      ),
    );
  }

  /**
   * A notify address as written, or what its template names (`{{ params.finance_list }}`: one
   * address or several, separated by commas, semicolons or blanks); none when the parameter is empty.
   * Rendered addresses that are not addresses are left out, with a warning.
   */
  private addresses(run: RunDetail, email: string): string[] {
    if (!isTemplate(email)) return [email];
    let rendered: unknown;
    try {
      rendered = renderTemplate(email, { run: { id: run.id, logical_date: run.logicalDate, trigger: run.trigger }, period: run.period, params: run.parameters, tasks: {}, pipeline: { id: run.pipelineId, name: run.spec.name } });
    } catch (err) {
      this.logger.warn({ run: run.id, err: describeError(err) }, 'Cannot read a notify address');
      return [];
    }
    const list = (Array.isArray(rendered) ? rendered : [rendered]).flatMap((v) => (typeof v === 'string' ? v.split(/[\s,;]+/) : [])).filter((a) => a !== '');
    const bad = list.filter((a) => !EMAIL.test(a));
    if (bad.length > 0) this.logger.warn({ run: run.id, addresses: bad }, 'Notify addresses that are not e-mail addresses were left out');
    return list.filter((a) => EMAIL.test(a));
  }

  /** Claims the row, sends, records the outcome. Never throws. */
  private async once(runId: string, event: string, channel: NotificationChannel, target: string, send: () => Promise<void>): Promise<void> {
    const where = { run: runId, event, channel, target: channel === 'webhook' ? safeOrigin(target) : target };
    try {
      if (!(await this.claim(runId, event, channel, target))) {
        this.logger.debug(where, 'Notification already claimed by another process');
        return;
      }
    } catch (err) {
      this.logger.error({ ...where, err: describeError(err) }, 'Cannot notify: the notification could not be recorded');
      return;
    }
    let error: string | null = null;
    try {
      await send();
      this.logger.info(where, 'Notification sent');
    } catch (err) {
      error = describeError(err);
      this.logger.warn({ ...where, err: error }, 'Notification failed');
    }
    try {
      await this.store.db
        .updateTable('pipeline_notifications')
        .set({ status: error === null ? 'sent' : 'failed', at: this.clock.now(), error })
        .where('run_id', '=', runId)
        .where('event', '=', event)
        .where('channel', '=', channel)
        .where('target', '=', target)
        .execute();
    } catch (err) {
      this.logger.error({ ...where, err: describeError(err) }, 'Cannot record a notification\'s outcome');
    }
  }

  /** Inserts the row as 'sending'; false when another process (or an earlier call) already did. */
  private async claim(runId: string, event: string, channel: NotificationChannel, target: string): Promise<boolean> {
    try {
      await this.store.db.insertInto('pipeline_notifications').values({ run_id: runId, event, channel, target, status: 'sending', at: this.clock.now(), error: null }).execute();
      return true;
    } catch (err) {
      if (isUniqueViolation(err)) return false;
      throw err;
    }
  }

  private async sendEmail(to: string, email: EmailContent): Promise<void> {
    const smtp = this.options.smtp;
    if (this.transport === undefined || smtp === undefined) throw new AppError('unavailable', 'Cannot send email: no SMTP server configured');
    try {
      await raceSignal(this.transport.sendMail({ from: smtp.from, to, subject: email.subject, text: email.text, html: email.html, textEncoding: 'quoted-printable' }), this.controller.signal, 'send email');
    } catch (err) {
      if (err instanceof AppError) throw err;
      // nodemailer's message says which step failed and quotes the server's reply ("... rejected: 550 5.1.1 ...").
      throw new AppError('unavailable', `Cannot send email: ${describeError(err)}`, { cause: err });
    }
  }

  private async sendWebhook(url: string, event: WebhookEvent, body: string): Promise<void> {
    let secret: string;
    try {
      secret = await this.options.signingSecret();
    } catch (err) {
      throw new AppError('unavailable', `Cannot deliver webhook: no signing secret (${describeError(err)})`, { cause: err });
    }
    await deliverWebhook(
      { url, event, deliveryId: randomUUID(), body, secret },
      {
        fetch: this.fetch,
        clock: this.clock,
        timeoutMs: this.options.webhookTimeoutMs ?? 10_000,
        delay: this.options.delay ?? defaultDelay,
        random: this.options.random ?? Math.random,
        signal: this.controller.signal,
        logger: this.logger,
      },
    );
  }
}

function wants(run: RunDetail, on: NotifyEvent): boolean {
  return run.spec.notify.some((n) => n.on.includes(on));
}
