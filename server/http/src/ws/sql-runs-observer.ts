/**
 * Tells the catalog about the SQL that ran in SQL kernels: once a cell's
 * execute_reply says "ok", its statements go to the catalog (usage
 * statistics tied to the cell's audit record, column-level lineage of what
 * it wrote). A cell that failed leaves nothing: a CTAS that did not run
 * made no table.
 *
 * The source a cell ran on: `-- connection: NAME` for that cell, `%connect
 * NAME` from then on in that kernel, else the warehouse. One observer per
 * server; its maps are bounded (a reply that never comes, from a kernel
 * that died, is forgotten after MAX_PENDING newer ones).
 */
import type { Catalog } from '@workbench/catalog';
import { WAREHOUSE_SOURCE } from '@workbench/catalog';
import type { Logger } from '@workbench/core';
import type { ParsedCell } from '@workbench/sql-kernel/magics';

const MAX_PENDING = 1000;

interface PendingRun {
  source: string;
  sql: string;
  actor: string;
  notebook: string | undefined;
  auditSeq: (() => Promise<number>) | null;
}

export class SqlRunsObserver {
  private readonly current = new Map<string, string>();
  private readonly pending = new Map<string, PendingRun>();

  constructor(
    private readonly catalog: Catalog,
    private readonly logger: Logger,
  ) {}

  /** An execute_request of a cell the SQL kernel accepts reached it; its statements are recorded once its reply says "ok". */
  started(input: { kernelId: string; msgId: string; cell: ParsedCell; actor: string; notebook: string | undefined }): void {
    const { cell } = input;
    if (cell.connect) this.current.set(input.kernelId, cell.connect);
    if (cell.statements.length === 0) return;
    const source = cell.connection ?? cell.connect ?? this.current.get(input.kernelId) ?? WAREHOUSE_SOURCE;
    this.pending.set(input.msgId, { source, sql: cell.statements.map((s) => s.sql).join(';\n'), actor: input.actor, notebook: input.notebook, auditSeq: null });
    if (this.pending.size > MAX_PENDING) this.pending.delete(this.pending.keys().next().value!);
  }

  /** The audit record of that execute (usage rows point at it): its sequence number, asked for once the statements are recorded. */
  audited(msgId: string, seq: () => Promise<number>): void {
    const p = this.pending.get(msgId);
    if (p) p.auditSeq = seq;
  }

  /** Whether a reply to `msgId` is awaited (cheap: the reply's content is parsed only then). */
  awaits(msgId: string): boolean {
    return this.pending.has(msgId);
  }

  replied(msgId: string, status: string): void {
    const p = this.pending.get(msgId);
    if (!p) return;
    this.pending.delete(msgId);
    if (status !== 'ok') return;
    void (async () => {
      const dialect = p.source === WAREHOUSE_SOURCE ? 'duckdb' : ((await this.catalog.kindOf(p.source).catch(() => 'postgres')) === 'duckdb' ? 'duckdb' : 'postgres');
      const auditSeq = p.auditSeq ? await p.auditSeq().catch(() => null) : null;
      await this.catalog.sql.record({ source: p.source, dialect, sql: p.sql, actor: p.actor, auditSeq, notebook: p.notebook });
    })().catch((err: unknown) => this.logger.warn({ err: err instanceof Error ? err.message : String(err) }, 'catalog: the usage and lineage of a SQL cell were not recorded'));
  }

  kernelGone(kernelId: string): void {
    this.current.delete(kernelId);
  }
}
