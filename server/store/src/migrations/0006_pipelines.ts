/**
 * 0006_pipelines: pipelines (one row per `*.pipeline.yaml` in the
 * workspace: its parsed spec, pause state, who runs it, the next fire
 * time), their runs, each run's tasks (the queue: a task row is leased by
 * the worker that runs it), every attempt of a task, the tasks' logs, and
 * the notifications sent (so none is sent twice).
 *
 * A run keeps the spec it started with, so a repair or a retry after a
 * restart runs what was scheduled even if the YAML changed since.
 *
 * Append-only: once released, this file never changes.
 */
import type { Kysely } from '../kysely';
import type { StoreMigration } from './migration';

export const migration: StoreMigration = {
  async up(db: Kysely<any>): Promise<void> {
    await db.schema
      .createTable('pipelines')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('path', 'text', (c) => c.notNull().unique())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('spec_hash', 'text', (c) => c.notNull())
      // JSON PipelineSpec; null when the file does not parse (then `error` says why).
      .addColumn('spec', 'text')
      .addColumn('error', 'text')
      .addColumn('paused', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('run_as', 'text')
      .addColumn('webhook_secret', 'text')
      .addColumn('next_fire_at', 'bigint')
      // The last scheduled instant the scheduler has turned into runs (catch-up after downtime starts here).
      .addColumn('fired_until', 'bigint')
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .addColumn('updated_by', 'text')
      .execute();
    await db.schema.createIndex('pipelines_next_fire_idx').on('pipelines').column('next_fire_at').execute();

    await db.schema
      .createTable('pipeline_runs')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('pipeline_id', 'text', (c) => c.notNull())
      .addColumn('pipeline_path', 'text', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('trigger', 'text', (c) => c.notNull())
      .addColumn('triggered_by', 'text')
      .addColumn('run_as', 'text')
      // Unique: a scheduled fire, a webhook delivery or a backfill period makes one run, whichever replica sees it.
      .addColumn('idempotency_key', 'text', (c) => c.unique())
      .addColumn('logical_date', 'bigint', (c) => c.notNull())
      .addColumn('period', 'text', (c) => c.notNull())
      .addColumn('parameters', 'text', (c) => c.notNull())
      .addColumn('overrides', 'text', (c) => c.notNull())
      .addColumn('spec', 'text', (c) => c.notNull())
      .addColumn('parent_run_id', 'text')
      .addColumn('parent_task_id', 'text')
      .addColumn('backfill_id', 'text')
      // A sequential backfill's order: a run waits until every earlier run of its backfill ended (null: no waiting).
      .addColumn('backfill_seq', 'integer')
      .addColumn('priority', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('repair_count', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('cancel_requested', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('sla_deadline', 'bigint')
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('started_at', 'bigint')
      .addColumn('finished_at', 'bigint')
      .addColumn('error', 'text')
      .execute();
    await db.schema.createIndex('pipeline_runs_pipeline_idx').on('pipeline_runs').columns(['pipeline_id', 'created_at']).execute();
    await db.schema.createIndex('pipeline_runs_status_idx').on('pipeline_runs').columns(['status', 'created_at']).execute();

    await db.schema
      .createTable('pipeline_tasks')
      .addColumn('run_id', 'text', (c) => c.notNull())
      .addColumn('task_id', 'text', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('attempt', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('max_attempts', 'integer', (c) => c.notNull())
      .addColumn('priority', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('ready_at', 'bigint')
      .addColumn('lease_owner', 'text')
      .addColumn('lease_expires_at', 'bigint')
      .addColumn('cancel_requested', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('started_at', 'bigint')
      .addColumn('finished_at', 'bigint')
      .addColumn('task_values', 'text', (c) => c.notNull().defaultTo('{}'))
      .addColumn('error', 'text')
      .addColumn('error_kind', 'text')
      .addColumn('output_path', 'text')
      .addColumn('child_run_id', 'text')
      .addColumn('progress_done', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('progress_total', 'integer', (c) => c.notNull().defaultTo(0))
      .addPrimaryKeyConstraint('pipeline_tasks_pk', ['run_id', 'task_id'])
      .execute();
    await db.schema.createIndex('pipeline_tasks_queue_idx').on('pipeline_tasks').columns(['status', 'ready_at']).execute();

    await db.schema
      .createTable('pipeline_task_attempts')
      .addColumn('run_id', 'text', (c) => c.notNull())
      .addColumn('task_id', 'text', (c) => c.notNull())
      .addColumn('attempt', 'integer', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('worker', 'text')
      .addColumn('queued_at', 'bigint', (c) => c.notNull())
      .addColumn('delay_ms', 'bigint', (c) => c.notNull().defaultTo(0))
      .addColumn('started_at', 'bigint')
      .addColumn('kernel_ready_at', 'bigint')
      .addColumn('first_cell_at', 'bigint')
      .addColumn('finished_at', 'bigint')
      .addColumn('kernel_id', 'text')
      .addColumn('error', 'text')
      .addColumn('error_kind', 'text')
      .addPrimaryKeyConstraint('pipeline_task_attempts_pk', ['run_id', 'task_id', 'attempt'])
      .execute();

    await db.schema
      .createTable('pipeline_logs')
      .addColumn('run_id', 'text', (c) => c.notNull())
      .addColumn('task_id', 'text', (c) => c.notNull())
      .addColumn('attempt', 'integer', (c) => c.notNull())
      .addColumn('seq', 'integer', (c) => c.notNull())
      .addColumn('at', 'bigint', (c) => c.notNull())
      .addColumn('stream', 'text', (c) => c.notNull())
      .addColumn('cell', 'integer')
      .addColumn('text', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('pipeline_logs_pk', ['run_id', 'task_id', 'attempt', 'seq'])
      .execute();

    await db.schema
      .createTable('pipeline_notifications')
      .addColumn('run_id', 'text', (c) => c.notNull())
      .addColumn('event', 'text', (c) => c.notNull())
      .addColumn('channel', 'text', (c) => c.notNull())
      .addColumn('target', 'text', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('at', 'bigint', (c) => c.notNull())
      .addColumn('error', 'text')
      .addPrimaryKeyConstraint('pipeline_notifications_pk', ['run_id', 'event', 'channel', 'target'])
      .execute();
  },
};
