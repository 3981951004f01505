/**
 * `COPY <table> (<columns>) FROM STDIN` over a pg Client, with no extra
 * package: pg accepts any object with `submit` (its "Submittable"
 * interface, the one pg-cursor and pg-copy-streams use) and hands it the
 * protocol messages of its query. Rows are PostgreSQL's COPY text format
 * (tab-separated, `\N` for NULL, backslash escapes); writes wait for the
 * socket to drain so memory stays flat however many rows go through.
 *
 * PostgreSQL protocol: https://www.postgresql.org/docs/current/protocol-flow.html#PROTOCOL-COPY
 */
import { once } from 'node:events';
import type { Client } from 'pg';

interface PgConnection {
  query(text: string): void;
  sendCopyFromChunk(chunk: Buffer): void;
  endCopyFrom(): void;
  sendCopyFail(message: string): void;
  stream: NodeJS.WritableStream & { writableNeedDrain?: boolean; destroyed?: boolean };
}

/** Escape a value for the COPY text format. */
export function copyText(v: string): string {
  return /[\\\t\n\r]/.test(v) ? v.replace(/[\\\t\n\r]/g, (c) => (c === '\\' ? '\\\\' : c === '\t' ? '\\t' : c === '\n' ? '\\n' : '\\r')) : v;
}

const FLUSH_BYTES = 1 << 20;

export class CopyIn {
  private connection: PgConnection | undefined;
  private error: Error | undefined;
  private readonly started: Promise<void>;
  private readonly finished: Promise<number>;
  private startResolve!: () => void;
  private startReject!: (e: Error) => void;
  private finishResolve!: (rows: number) => void;
  private finishReject!: (e: Error) => void;
  private rows = 0;
  private pending: string[] = [];
  private pendingBytes = 0;
  private ended = false;

  private constructor(private readonly text: string) {
    this.started = new Promise((resolve, reject) => {
      this.startResolve = resolve;
      this.startReject = reject;
    });
    this.finished = new Promise((resolve, reject) => {
      this.finishResolve = resolve;
      this.finishReject = reject;
    });
    // Both are awaited by `end`; keep an early failure from being an unhandled rejection meanwhile.
    this.started.catch(() => undefined);
    this.finished.catch(() => undefined);
  }

  /**
   * Start `COPY table (columns) FROM STDIN` on `client`; resolves once the server accepts data.
   * `freeze`: for a table nobody else uses yet, load it frozen inside `BEGIN; TRUNCATE` (COPY
   * FREEZE), so the index builds and checks that follow do not rewrite every page to set hint
   * bits; `end` commits.
   */
  static async start(client: Client, table: string, columns: readonly string[], opts: { freeze?: boolean } = {}): Promise<CopyIn> {
    if (opts.freeze) await client.query(`BEGIN; TRUNCATE ${table}`);
    const copy = new CopyIn(`COPY ${table} (${columns.join(', ')}) FROM STDIN${opts.freeze ? ' WITH (FREEZE)' : ''}`);
    copy.client = opts.freeze ? client : undefined;
    (client as unknown as { query(q: object): unknown }).query(copy);
    try {
      await copy.started;
    } catch (err) {
      if (opts.freeze) await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    }
    return copy;
  }

  /** Set when the COPY runs in a transaction this object commits. */
  private client: Client | undefined;

  // --- pg Submittable ---------------------------------------------------------
  submit(connection: PgConnection): void {
    connection.query(this.text);
  }
  handleCopyInResponse(connection: PgConnection): void {
    this.connection = connection;
    this.startResolve();
  }
  handleCommandComplete(msg: { text?: string }): void {
    const n = /^COPY (\d+)$/.exec(msg.text ?? '');
    if (n) this.rows = Number(n[1]);
  }
  handleError(err: Error): void {
    this.error ??= err;
    this.startReject(err);
  }
  handleReadyForQuery(): void {
    if (this.error) this.finishReject(this.error);
    else this.finishResolve(this.rows);
  }
  handleEmptyQuery(): void {}
  handleRowDescription(): void {}
  handleDataRow(): void {}
  handleCopyData(): void {}
  // ---------------------------------------------------------------------------

  /** Queue one row (already in COPY text format, without the newline). */
  row(line: string): void {
    this.pending.push(line);
    this.pendingBytes += line.length + 1;
  }

  /** Send what is queued once it is worth a write; wait while the socket is full. */
  async maybeFlush(): Promise<void> {
    if (this.pendingBytes >= FLUSH_BYTES) await this.flush();
  }

  async flush(): Promise<void> {
    if (this.error) throw this.error;
    const c = this.connection!;
    if (this.pending.length) {
      c.sendCopyFromChunk(Buffer.from(this.pending.join('\n') + '\n', 'utf8'));
      this.pending = [];
      this.pendingBytes = 0;
    }
    if (c.stream.writableNeedDrain && !c.stream.destroyed) await once(c.stream, 'drain');
  }

  /** Finish the COPY; resolves with the number of rows the server stored. */
  async end(): Promise<number> {
    if (this.ended) return this.finished;
    await this.flush();
    this.ended = true;
    this.connection!.endCopyFrom();
    const rows = await this.finished;
    if (this.client) await this.client.query('COMMIT');
    return rows;
  }

  /** Abandon the COPY (the server rolls it back). */
  async fail(reason: string): Promise<void> {
    if (!this.ended && this.connection) {
      this.ended = true;
      this.connection.sendCopyFail(reason);
    }
    await this.finished.catch(() => 0);
    if (this.client) await this.client.query('ROLLBACK').catch(() => undefined);
  }
}
