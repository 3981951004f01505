/**
 * What runs one attempt of a notebook or SQL task: the headless executor
 * on the server's kernel manager (so sandbox limits, the warm pool and
 * Kubernetes pods apply), with the notebook read from the workspace and
 * its output notebook saved under the run's folder (versioned like any
 * file). A retried attempt overwrites the same output file: one output
 * per task of a run.
 */
import { createHash } from 'node:crypto';
import { describeError } from '@workbench/core';
import type { KernelManager } from '@workbench/manager';
import { runNotebook, sqlFileNotebook, type CheckResult as KernelCheckResult, type ExecutorEvent, type NotebookDocument, type RunResult } from '@workbench/executor';
import type { CheckResult } from './runs/run-model';
import type { ClaimedTask, AttemptOutcome } from './runs/run-store';

/** A check as the executor read it from the kernel's output, as the run store keeps it: decimals as text, the sample as it came. */
export function runCheckOf(c: KernelCheckResult): CheckResult {
  return {
    name: c.name,
    severity: c.severity,
    status: c.status,
    violations: c.violations ?? 0,
    impact: c.impact === undefined ? null : String(c.impact),
    materiality: c.materiality === undefined ? null : String(c.materiality),
    impacts: c.impacts === undefined ? null : c.impacts.map((i) => ({ currency: i.currency, impact: String(i.impact), materiality: String(i.materiality), exceeded: i.exceeded })),
    sample: c.sample,
    message: c.error ? `${c.error.ename}: ${c.error.evalue}` : null,
    sqlSha256: c.sql_sha256,
  };
}

/** The workspace as the pipelines see it (server/app implements it over contents). */
export interface PipelineWorkspace {
  /** Workspace paths of every `*.pipeline.yaml` / `*.pipeline.yml`. */
  listPipelineFiles(): Promise<string[]>;
  /** A file's text; undefined when it does not exist. */
  readText(path: string): Promise<string | undefined>;
  writeText(path: string, text: string, author: string): Promise<void>;
  /** Saves an output notebook (versioned). */
  saveNotebook(path: string, nb: NotebookDocument, author: string): Promise<void>;
  deleteFile(path: string, author: string): Promise<void>;
}

export interface TaskRunInput {
  claimed: ClaimedTask;
  /** The task's parameters, rendered. */
  parameters: Record<string, unknown>;
  /** The notebook or SQL file's text as read when the parameters were rendered (they may name its version): run exactly this. */
  source?: string;
  /** Where the output notebook goes. */
  outputPath: string;
  env: Record<string, string>;
  signal: AbortSignal;
  onEvent: (e: ExecutorEvent) => void;
}

export interface TaskRunner {
  run(input: TaskRunInput): Promise<AttemptOutcome>;
}

/** What is about to run, for the audit log: written (durably) before the kernel starts, or the attempt fails closed. */
export interface TaskAuditInfo {
  runId: string;
  pipelinePath: string;
  taskId: string;
  attempt: number;
  path: string;
  /** SHA-256 of the notebook or SQL file as read. */
  codeSha256: string;
  user: string;
  parameters: Record<string, unknown>;
}

export class NotebookTaskRunner implements TaskRunner {
  constructor(
    private readonly kernels: KernelManager,
    private readonly workspace: PipelineWorkspace,
    /** The kernel owner when a run has no run_as. */
    private readonly defaultUser: string,
    private readonly audit?: (info: TaskAuditInfo) => Promise<void>,
  ) {}

  async run(input: TaskRunInput): Promise<AttemptOutcome> {
    const { task, run } = input.claimed;
    const target = task.target;
    if (target.kind === 'pipeline') return { status: 'failed', errorKind: 'bad_input', error: `Cannot run task ${task.id} here: a pipeline task runs as a child run` };
    const text = input.source ?? (await this.workspace.readText(target.path));
    if (text === undefined) return { status: 'failed', errorKind: 'bad_input', error: `Cannot run task ${task.id}: ${target.kind === 'sql' ? 'SQL file' : 'notebook'} ${target.path} does not exist (pipeline line ${task.line})` };
    let notebook: NotebookDocument;
    if (target.kind === 'sql') {
      notebook = sqlFileNotebook(text, task.kernel ? { kernelName: task.kernel } : undefined);
    } else {
      try {
        notebook = JSON.parse(text) as NotebookDocument;
      } catch (err) {
        return { status: 'failed', errorKind: 'bad_input', error: `Cannot run task ${task.id}: ${target.path} is not a notebook (${describeError(err)})` };
      }
    }
    const user = run.runAs ?? this.defaultUser;
    if (this.audit) {
      try {
        await this.audit({ runId: run.id, pipelinePath: run.pipelinePath, taskId: task.id, attempt: input.claimed.attempt, path: target.path, codeSha256: createHash('sha256').update(text).digest('hex'), user, parameters: input.parameters });
      } catch (err) {
        return { status: 'failed', errorKind: 'error', error: `Cannot run task ${task.id}: its audit record could not be written (${describeError(err)})` };
      }
    }
    let result: RunResult;
    try {
      result = await runNotebook({
        kernels: this.kernels,
        notebook,
        path: target.path,
        user,
        parameters: input.parameters,
        kernelName: task.kernel,
        env: input.env,
        cellTimeoutMs: task.cellTimeoutMs,
        timeoutMs: task.timeoutMs,
        signal: input.signal,
        onEvent: input.onEvent,
      });
    } catch (err) {
      // The run could not start (bad notebook, unknown kernel, no capacity): nothing to save.
      return { status: input.signal.aborted ? 'cancelled' : 'failed', errorKind: input.signal.aborted ? 'cancelled' : 'error', error: describeError(err) };
    }
    await this.workspace.saveNotebook(input.outputPath, result.notebook, user);
    const checks = result.checks.map(runCheckOf);
    const common = { outputPath: input.outputPath, kernelId: result.kernelId, kernelReadyAt: result.timings.kernelReadyAt, firstCellAt: result.timings.firstCellAt, values: result.values, checks };
    const error = result.error ? `${result.error.cellIndex !== undefined ? `Cell ${result.error.cellIndex + 1}: ` : ''}${result.error.ename}: ${result.error.evalue}` : undefined;
    switch (result.status) {
      case 'succeeded':
        return { ...common, status: 'succeeded' };
      case 'timed_out':
        return { ...common, status: 'timed_out', errorKind: 'timeout', error: error ?? 'The task timed out' };
      case 'cancelled':
        return { ...common, status: 'cancelled', errorKind: 'cancelled', error: error ?? 'Cancelled' };
      case 'kernel_died':
        return { ...common, status: 'failed', errorKind: 'kernel_death', error: error ?? 'The kernel died' };
      default:
        return { ...common, status: 'failed', errorKind: 'error', error: error ?? 'The task failed' };
    }
  }
}
