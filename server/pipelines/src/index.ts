/**
 * @workbench/pipelines: pipelines as YAML in the workspace (spec/), their
 * triggers (triggers/: cron, close calendar, webhook, after another
 * pipeline), the run queue and runs in the metadata store (runs/), the
 * service that works the queue (pipeline-service.ts) and notifications
 * (notify/). See README.md for the YAML reference.
 */
export * from './spec';
export * from './triggers';
export * from './runs/run-model';
export { RunStore, type NewRun, type ClaimedTask, type AttemptOutcome, type FinishResult, type RunQuery, type NewLogLine, type RunningTask } from './runs/run-store';
export { retryDelayMs, isRetryable } from './runs/retry';
export { PipelineRegistry, type PipelineRecord, type DueFire } from './pipeline-registry';
export { PipelineService, type PipelineServiceOptions, type TaskEvent } from './pipeline-service';
export { NotebookTaskRunner, type PipelineWorkspace, type TaskRunner, type TaskRunInput, type TaskAuditInfo } from './task-runner';
export * from './notify';
export { gitBlobId } from './git-blob';
export { buildRunReport, reportMarkdown, runAuditRecords, type RunReport, type ReportAuditRecord } from './run-report';
export { startRollback } from './runs/rollback';
