/**
 * The pipelines of the workspace, as rows of the store: one per
 * `*.pipeline.yaml` file, with its parsed spec (or why it does not parse),
 * whether it is paused, who its runs run as, its webhook secret and the
 * next time one of its schedules fires. `sync` brings the rows in line
 * with the files; `takeDueFires` turns due schedule fires into runs in the
 * same transaction that moves the pipeline's clock on, so a fire is never
 * lost or run twice, whichever replica takes it.
 */
import { createHash, randomUUID } from 'node:crypto';
import { AppError, type Clock } from '@workbench/core';
import type { Database, MetadataStore, PipelinesTable, Transaction } from '@workbench/store';
import { parsePipeline, PipelineSpecError, type SpecIssue } from './spec';
import type { PipelineSpec } from './spec/pipeline-spec';
import { fireTimesBetween, nextFireTime } from './triggers';
import type { TriggerSpec } from './triggers/trigger-spec';

export interface PipelineRecord {
  id: string;
  path: string;
  name: string;
  spec: PipelineSpec | null;
  issues: SpecIssue[];
  paused: boolean;
  runAs: string | null;
  hasWebhookSecret: boolean;
  nextFireAt: string | null;
  updatedAt: string;
  updatedBy: string | null;
}

export interface DueFire {
  pipeline: PipelineRecord;
  trigger: TriggerSpec;
  at: number;
}

const timed = (t: TriggerSpec): boolean => t.kind === 'cron' || t.kind === 'calendar';

export class PipelineRegistry {
  constructor(
    private readonly store: MetadataStore,
    private readonly clock: Clock,
    /** How many missed fires of one pipeline a catch-up after downtime runs (the latest ones). */
    private readonly catchUp: number = 1,
  ) {}

  /** Parses each file and updates its row (new files get a row, vanished files lose theirs). Answers the ids whose spec changed. */
  async sync(files: readonly { path: string; text: string }[], by: string | null = null, opts: { only?: boolean } = {}): Promise<string[]> {
    const now = this.clock.now();
    const rows = await this.store.db.selectFrom('pipelines').selectAll().execute();
    const byPath = new Map(rows.map((r) => [r.path, r]));
    const changed: string[] = [];
    for (const f of files) {
      const hash = createHash('sha256').update(f.text).digest('hex');
      const row = byPath.get(f.path);
      byPath.delete(f.path);
      if (row && row.spec_hash === hash) continue;
      const parsed = parseOrIssues(f.text, f.path);
      const values = {
        name: parsed.spec?.name ?? row?.name ?? f.path,
        spec_hash: hash,
        spec: parsed.spec ? JSON.stringify(parsed.spec) : null,
        error: parsed.issues.length > 0 ? JSON.stringify(parsed.issues) : null,
        next_fire_at: parsed.spec ? nextOf(parsed.spec, now) : null,
        updated_at: now,
        updated_by: by,
      };
      if (row) {
        // A changed schedule counts from now: fires of the old schedule that passed are not caught up.
        await this.store.db.updateTable('pipelines').set({ ...values, fired_until: now }).where('id', '=', row.id).execute();
        changed.push(row.id);
      } else {
        const id = randomUUID();
        await this.store.db
          .insertInto('pipelines')
          .values({ id, path: f.path, paused: 0, run_as: by, webhook_secret: null, fired_until: now, created_at: now, ...values })
          .onConflict((oc) => oc.column('path').doNothing())
          .execute();
        changed.push(id);
      }
    }
    if (!opts.only) for (const gone of byPath.values()) await this.forget(gone.id);
    return changed;
  }

  /** Drops a pipeline's row (its file is gone); its runs stay. */
  async forget(id: string): Promise<void> {
    await this.store.db.deleteFrom('pipelines').where('id', '=', id).execute();
  }

  async list(): Promise<PipelineRecord[]> {
    const rows = await this.store.db.selectFrom('pipelines').selectAll().orderBy('path').execute();
    return rows.map(toRecord);
  }

  async get(id: string): Promise<PipelineRecord> {
    const row = await this.store.db.selectFrom('pipelines').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row) throw new AppError('not_found', `Cannot find pipeline ${id}: no such pipeline`);
    return toRecord(row);
  }

  async byPath(path: string): Promise<PipelineRecord | undefined> {
    const row = await this.store.db.selectFrom('pipelines').selectAll().where('path', '=', path).executeTakeFirst();
    return row ? toRecord(row) : undefined;
  }

  async update(id: string, change: { paused?: boolean; runAs?: string; webhookSecret?: string | null }, by: string): Promise<PipelineRecord> {
    await this.get(id);
    const set: Partial<PipelinesTable> = { updated_at: this.clock.now(), updated_by: by };
    if (change.paused !== undefined) set.paused = change.paused ? 1 : 0;
    if (change.runAs !== undefined) set.run_as = change.runAs;
    if (change.webhookSecret !== undefined) set.webhook_secret = change.webhookSecret;
    if (change.paused === false) {
      // Resuming does not run what was missed while paused.
      const row = await this.store.db.selectFrom('pipelines').select('spec').where('id', '=', id).executeTakeFirstOrThrow();
      set.fired_until = this.clock.now();
      set.next_fire_at = row.spec ? nextOf(JSON.parse(row.spec) as PipelineSpec, this.clock.now()) : null;
    }
    await this.store.db.updateTable('pipelines').set(set).where('id', '=', id).execute();
    return this.get(id);
  }

  async webhookSecretName(id: string): Promise<string | null> {
    const row = await this.store.db.selectFrom('pipelines').select('webhook_secret').where('id', '=', id).executeTakeFirst();
    return row?.webhook_secret ?? null;
  }

  /** The earliest next fire of any unpaused pipeline. */
  async nextFireAt(): Promise<number | undefined> {
    const r = await this.store.db.selectFrom('pipelines').select((eb) => eb.fn.min('next_fire_at').as('t')).where('paused', '=', 0).executeTakeFirst();
    return r?.t === null || r?.t === undefined ? undefined : Number(r.t);
  }

  /**
   * In `trx` (which holds the queue lock): the fires due by now, with each
   * pipeline's clock moved past them. `onFire` creates the run in the same
   * transaction.
   */
  async takeDueFires(trx: Transaction<Database>, onFire: (f: DueFire) => Promise<void>): Promise<number> {
    const now = this.clock.now();
    const rows = await trx.selectFrom('pipelines').selectAll().where('paused', '=', 0).where('next_fire_at', '<=', now).execute();
    let n = 0;
    for (const row of rows) {
      const rec = toRecord(row);
      const spec = rec.spec;
      if (!spec) continue;
      const from = new Date(Number(row.fired_until ?? now - 1));
      const fires: DueFire[] = [];
      for (const t of spec.triggers.filter(timed)) for (const at of fireTimesBetween(t, from, new Date(now), 1000)) fires.push({ pipeline: rec, trigger: t, at: at.getTime() });
      fires.sort((a, b) => a.at - b.at);
      for (const f of fires.slice(Math.max(0, fires.length - this.catchUp))) {
        await onFire(f);
        n++;
      }
      await trx.updateTable('pipelines').set({ fired_until: now, next_fire_at: nextOf(spec, now) }).where('id', '=', row.id).execute();
    }
    return n;
  }

  /** Pipelines that run after `pipelinePath` succeeds. */
  async followers(pipelinePath: string): Promise<PipelineRecord[]> {
    const all = await this.list();
    return all.filter((p) => !p.paused && p.spec?.triggers.some((t) => t.kind === 'after' && t.pipeline === pipelinePath));
  }
}

function nextOf(spec: PipelineSpec, now: number): number | null {
  let best: number | null = null;
  for (const t of spec.triggers) {
    if (!timed(t)) continue;
    const n = nextFireTime(t, new Date(now))?.getTime();
    if (n !== undefined && (best === null || n < best)) best = n;
  }
  return best;
}

function parseOrIssues(text: string, path: string): { spec?: PipelineSpec; issues: SpecIssue[] } {
  try {
    return { spec: parsePipeline(text, path), issues: [] };
  } catch (err) {
    if (err instanceof PipelineSpecError) return { issues: [...err.issues] };
    throw err;
  }
}

function toRecord(r: PipelinesTable): PipelineRecord {
  return {
    id: r.id,
    path: r.path,
    name: r.name,
    spec: r.spec ? (JSON.parse(r.spec) as PipelineSpec) : null,
    issues: r.error ? (JSON.parse(r.error) as SpecIssue[]) : [],
    paused: r.paused !== 0,
    runAs: r.run_as,
    hasWebhookSecret: r.webhook_secret !== null,
    nextFireAt: r.next_fire_at === null ? null : new Date(Number(r.next_fire_at)).toISOString(),
    updatedAt: new Date(Number(r.updated_at)).toISOString(),
    updatedBy: r.updated_by,
  };
}
