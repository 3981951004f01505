/**
 * A notebook run headlessly on a kernel of the server's KernelManager (so
 * its limits, sandbox, pool and launchers apply), with papermill's
 * semantics: parameters injected, cells in order, markdown and raw cells
 * and cells tagged `skip-execution` not run, the first failing cell stops
 * the run, the output notebook always returned with its record (see
 * papermill-metadata.ts). The kernel is shut down on every path.
 *
 * Stops, the first one wins: a cell timeout or the run's timeout
 * (`timed_out`), the caller's signal (`cancelled`) — these interrupt the
 * kernel and give the cell INTERRUPT_GRACE_MS to finish before the
 * shutdown — and the kernel dying or restarting under the run, or being
 * shut down by someone else (`kernel_died`: its state is gone).
 *
 * Cell indices (events, `error.cellIndex`) count the cells of the run
 * notebook: after parameter injection, before the error marker cells are
 * added to `result.notebook`.
 */
import { AppError, deferred, describeError, type DisposableLike } from '@workbench/core';
import type { Kernel, KernelManager, KernelSpec } from '@workbench/manager';
import { CellExecution, type CellReply, type DisplayIndex } from './cell-execution';
import { CheckCollector, type CheckResult } from './checks';
import { assertNotebook, hasTag, notebookKernelName, sourceText, type CodeCell, type NotebookDocument, type NotebookOutput } from './notebook';
import { cellDone, cellRunning, finishNotebook, markFailedCell, startNotebook } from './papermill-metadata';
import { injectParameters, parameterLanguage } from './parameters';
import { sqlRowCount, taskValuesIn } from './task-values';

export const SKIP_EXECUTION_TAG = 'skip-execution';
/**
 * How long an interrupted cell may take to finish before the kernel is shut
 * down anyway. ipykernel answers a SIGINT in about 0.1 s when the cell is
 * in its own code, but 0.3 to 1.2 s when it lands while the cell is
 * flushing output (print(..., flush=True) waits for ipykernel's IO thread),
 * measured on an idle 2-core machine; on a loaded one that is several
 * times more, so 5 s was once too short to keep the KeyboardInterrupt.
 */
export const INTERRUPT_GRACE_MS = 15_000;

export interface RunNotebookOptions {
  kernels: KernelManager;
  notebook: NotebookDocument;
  /** Workspace-relative notebook path: the kernel's folder and `metadata.papermill.input_path`. */
  path: string;
  /** The kernel's owner. */
  user: string;
  parameters?: Record<string, unknown>;
  /** Default: the notebook's kernelspec, else the manager's default. */
  kernelName?: string;
  /** Extra kernel environment set by the caller (the server: e.g. a pipeline run's ids); not subject to the request env policy, never secrets. */
  env?: Record<string, string>;
  cellTimeoutMs?: number;
  /** The whole run, kernel start included. */
  timeoutMs?: number;
  /** Cancels the run: interrupt, then shut the kernel down; status `cancelled`. */
  signal?: AbortSignal;
  /** Progress as it happens; errors it throws are ignored. */
  onEvent?: (e: ExecutorEvent) => void;
  /** Epoch ms, default Date.now. */
  clock?: () => number;
}

export type ExecutorEvent =
  | { type: 'kernel_started'; kernelId: string; at: number }
  | { type: 'cell_started'; index: number; at: number }
  | { type: 'output'; index: number; stream: 'stdout' | 'stderr' | 'display' | 'result' | 'error'; text: string; at: number }
  | { type: 'cell_finished'; index: number; status: 'ok' | 'error' | 'timed_out' | 'cancelled'; durationMs: number; at: number }
  | { type: 'progress'; done: number; total: number; at: number };

export type RunStatus = 'succeeded' | 'failed' | 'timed_out' | 'cancelled' | 'kernel_died';

export interface RunResult {
  status: RunStatus;
  /** The output notebook, also when the run failed. */
  notebook: NotebookDocument;
  error?: { cellIndex?: number; ename: string; evalue: string; message: string };
  /** Task values the notebook set (task-values.ts), plus `row_count` for SQL. */
  values: Record<string, unknown>;
  /** Data-quality check results the notebook emitted (checks.ts): the latest per name, in the order names first appeared; also when the run failed. */
  checks: CheckResult[];
  kernelId?: string;
  timings: { startedAt: number; kernelReadyAt?: number; firstCellAt?: number; finishedAt: number };
}

interface Stop {
  status: 'timed_out' | 'cancelled' | 'kernel_died';
  ename: string;
  evalue: string;
}

/** Run a notebook; resolves with the outcome. Throws AppError for a bad notebook, an unknown kernelspec, bad parameters or a kernel that cannot start. */
export async function runNotebook(o: RunNotebookOptions): Promise<RunResult> {
  const now = o.clock ?? Date.now;
  const startedAt = now();
  assertNotebook(o.notebook, o.path);
  const kernelName = o.kernelName ?? notebookKernelName(o.notebook) ?? (await o.kernels.specs.defaultName());
  const spec = await findSpec(o.kernels, kernelName, o.path);
  const language = spec.spec.language ?? '';
  const nb = o.parameters && Object.keys(o.parameters).length > 0 ? injectParameters(o.notebook, o.parameters, language) : structuredClone(o.notebook);
  startNotebook(nb, { path: o.path, at: startedAt });
  const run = new NotebookRun(o, nb, now, startedAt, parameterLanguageOrNone(language) === 'sql');
  return run.execute(kernelName);
}

async function findSpec(kernels: KernelManager, name: string, path: string): Promise<KernelSpec> {
  try {
    return await kernels.specs.get(name);
  } catch (err) {
    if (!(err instanceof AppError) || err.code !== 'not_found') throw err;
    const have = [...(await kernels.specs.list()).keys()].sort().join(', ');
    throw new AppError('not_found', `Cannot run notebook ${path}: no kernelspec named ${JSON.stringify(name)} (have ${have || 'none'})`, { cause: err });
  }
}

function parameterLanguageOrNone(language: string): string | undefined {
  try {
    return parameterLanguage(language);
  } catch {
    return undefined;
  }
}

class NotebookRun {
  private readonly stopped = deferred<Stop>();
  private stop: Stop | undefined;
  private readonly abort = new AbortController();
  private readonly subs: DisposableLike[] = [];
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly values: Record<string, unknown> = {};
  private readonly checks = new CheckCollector();
  private readonly displays: DisplayIndex = new Map();
  private rowCount: number | undefined;
  private kernel: Kernel | undefined;
  private kernelReadyAt: number | undefined;
  private firstCellAt: number | undefined;
  private failure: { index: number; executionCount: number | null; ename: string; evalue: string } | undefined;

  constructor(
    private readonly o: RunNotebookOptions,
    private readonly nb: NotebookDocument,
    private readonly now: () => number,
    private readonly startedAt: number,
    private readonly sql: boolean,
  ) {}

  private emit(e: ExecutorEvent): void {
    try {
      this.o.onEvent?.(e);
    } catch {
      /* a listener's error is not the run's */
    }
  }

  /** Stop the run (the first stop wins). */
  private halt(s: Stop): void {
    if (this.stop) return;
    this.stop = s;
    this.stopped.resolve(s);
    this.abort.abort(new AppError(s.status === 'timed_out' ? 'timeout' : 'unavailable', `Cannot run notebook ${this.o.path}: ${s.evalue}`));
  }

  async execute(kernelName: string): Promise<RunResult> {
    const { signal, timeoutMs } = this.o;
    const onAbort = () => this.halt({ status: 'cancelled', ename: 'RunCancelled', evalue: 'the run was cancelled' });
    if (signal?.aborted) onAbort();
    signal?.addEventListener('abort', onAbort, { once: true });
    if (timeoutMs !== undefined) this.timers.push(setTimeout(() => this.halt({ status: 'timed_out', ename: 'RunTimeoutError', evalue: `the run took longer than ${timeoutMs} ms` }), timeoutMs));
    try {
      if (!this.stop) await this.startKernel(kernelName);
      if (this.kernel && !this.stop) await this.runCells(this.kernel);
    } finally {
      signal?.removeEventListener('abort', onAbort);
      for (const t of this.timers) clearTimeout(t);
      await this.shutdown();
    }
    return this.result();
  }

  private async startKernel(name: string): Promise<void> {
    const { kernels, path, env, user } = this.o;
    try {
      this.kernel = await kernels.start({ name, path, trustedEnv: env, user, signal: this.abort.signal });
    } catch (err) {
      if (this.stop) return; // cancelled or timed out while starting: the manager disposed the kernel
      throw err;
    }
    const k = this.kernel;
    const died = (why: string) => this.halt({ status: 'kernel_died', ename: 'DeadKernelError', evalue: why });
    this.subs.push(
      k.onServerStatus((e) => {
        if (e.state === 'restarting' || e.state === 'dead') died(e.reason ?? (e.state === 'dead' ? 'the kernel died' : 'the kernel was restarted; its state is gone'));
      }),
      k.onDead(({ reason }) => died(reason)),
      kernels.onKernelRemoved(({ id, reason }) => {
        if (id === k.id) died(`the kernel was removed: ${reason}`);
      }),
    );
    if (k.isDead) died('the kernel died');
    this.kernelReadyAt = this.now();
    this.emit({ type: 'kernel_started', kernelId: k.id, at: this.kernelReadyAt });
  }

  private runnable(cell: NotebookDocument['cells'][number]): cell is CodeCell {
    return cell.cell_type === 'code' && !hasTag(cell, SKIP_EXECUTION_TAG) && sourceText(cell.source).trim() !== '';
  }

  private async runCells(kernel: Kernel): Promise<void> {
    const total = this.nb.cells.filter((c) => this.runnable(c)).length;
    let done = 0;
    this.emit({ type: 'progress', done, total, at: this.now() });
    for (let i = 0; i < this.nb.cells.length && !this.stop; i++) {
      const cell = this.nb.cells[i]!;
      cellRunning(cell, this.now());
      if (!this.runnable(cell)) {
        cellDone(cell, this.now(), false);
        continue;
      }
      const ok = await this.runCell(kernel, i, cell);
      this.emit({ type: 'progress', done: ++done, total, at: this.now() });
      if (!ok) break;
    }
  }

  /** Run one code cell; false when the run stops here. */
  private async runCell(kernel: Kernel, index: number, cell: CodeCell): Promise<boolean> {
    const t0 = this.now();
    this.firstCellAt ??= t0;
    const { cellTimeoutMs } = this.o;
    const timer = cellTimeoutMs === undefined ? undefined : setTimeout(() => this.halt({ status: 'timed_out', ename: 'CellTimeoutError', evalue: `cell ${index} ran longer than ${cellTimeoutMs} ms` }), cellTimeoutMs);
    const exec = CellExecution.start(
      kernel,
      sourceText(cell.source),
      { onStarted: () => this.emit({ type: 'cell_started', index, at: this.now() }), onOutput: (out) => this.onOutput(index, out) },
      this.displays,
    );
    cell.outputs = exec.outputs;
    let reply: CellReply | undefined;
    try {
      reply = await Promise.race([exec.done, this.stopped.promise.then(() => undefined)]);
    } catch (err) {
      this.halt({ status: 'kernel_died', ename: 'DeadKernelError', evalue: `cannot send the cell to the kernel: ${describeError(err)}` });
    }
    clearTimeout(timer);
    const stop = reply ? undefined : this.stop;
    if (stop && stop.status !== 'kernel_died') reply = await this.interrupted(kernel, exec);
    exec[Symbol.dispose]();
    cell.execution_count = exec.executionCount ?? reply?.executionCount ?? null;
    const failed = stop !== undefined || reply?.status !== 'ok';
    const at = this.now();
    cellDone(cell, at, failed);
    this.emit({ type: 'cell_finished', index, status: !failed ? 'ok' : stop?.status === 'timed_out' || stop?.status === 'cancelled' ? stop.status : 'error', durationMs: at - t0, at });
    if (!failed) return true;
    if (stop) this.failure = { index, executionCount: cell.execution_count, ename: stop.ename, evalue: stop.evalue };
    else this.failure = { index, executionCount: cell.execution_count, ...describeFailure(exec.outputs, reply) };
    return false;
  }

  /** After a stop mid-cell: interrupt, and let the cell finish (its KeyboardInterrupt recorded) within the grace. */
  private async interrupted(kernel: Kernel, exec: CellExecution): Promise<CellReply | undefined> {
    const gone = deferred<undefined>();
    // Not awaited on its own: an interrupt that hangs must not hold the run past the grace.
    kernel.interrupt().catch(() => undefined);
    const subs = [kernel.onDead(() => gone.resolve(undefined)), kernel.onServerStatus(() => gone.resolve(undefined))];
    const timer = setTimeout(() => gone.resolve(undefined), INTERRUPT_GRACE_MS);
    try {
      return await Promise.race([exec.done.catch(() => undefined), gone.promise]);
    } finally {
      clearTimeout(timer);
      for (const s of subs) s[Symbol.dispose]();
    }
  }

  private onOutput(index: number, out: NotebookOutput): void {
    const at = this.now();
    if (out.output_type === 'stream') {
      this.emit({ type: 'output', index, stream: out.name, text: sourceText(out.text), at });
      return;
    }
    if (out.output_type === 'error') {
      this.emit({ type: 'output', index, stream: 'error', text: `${out.ename}: ${out.evalue}`, at });
      return;
    }
    const tv = taskValuesIn(out.data);
    if (tv) Object.assign(this.values, tv);
    this.checks.add(out.data);
    if (out.output_type === 'execute_result' && this.sql) this.rowCount = sqlRowCount(out.data, out.metadata) ?? this.rowCount;
    const plain = out.data['text/plain'];
    const text = typeof plain === 'string' || Array.isArray(plain) ? sourceText(plain as string | string[]) : `[${Object.keys(out.data).join(', ')}]`;
    this.emit({ type: 'output', index, stream: out.output_type === 'execute_result' ? 'result' : 'display', text, at });
  }

  private async shutdown(): Promise<void> {
    for (const s of this.subs) s[Symbol.dispose]();
    this.subs.length = 0;
    const k = this.kernel;
    if (k && this.o.kernels.has(k.id)) await this.o.kernels.shutdown(k.id).catch(() => undefined);
  }

  private result(): RunResult {
    const finishedAt = this.now();
    const f = this.failure;
    const status: RunStatus = this.stop?.status ?? (f ? 'failed' : 'succeeded');
    if (f) markFailedCell(this.nb, f.index, f.executionCount, f.evalue ? `${f.ename}: ${f.evalue}` : f.ename);
    finishNotebook(this.nb, { startedAt: this.startedAt, at: finishedAt, failed: f !== undefined });
    if (this.rowCount !== undefined) this.values.row_count = this.rowCount;
    const where = f ? `cell ${f.index}` : undefined;
    const e = f ?? this.stop;
    return {
      status,
      notebook: this.nb,
      error: e ? { cellIndex: f?.index, ename: e.ename, evalue: e.evalue, message: `Cannot run notebook ${this.o.path}${where ? ` (${where})` : ''}: ${e.ename}${e.evalue ? `: ${e.evalue}` : ''}` } : undefined,
      values: this.values,
      checks: this.checks.results,
      kernelId: this.kernel?.id,
      timings: { startedAt: this.startedAt, kernelReadyAt: this.kernelReadyAt, firstCellAt: this.firstCellAt, finishedAt },
    };
  }
}

/**
 * What went wrong in a failed cell: its error output, else the reply's
 * ename/evalue, else (kernels such as tslab print errors to stderr and
 * reply without them) the last `SomethingError: message` line on stderr,
 * else stderr's last line.
 */
function describeFailure(outputs: readonly NotebookOutput[], reply: CellReply | undefined): { ename: string; evalue: string } {
  const shown = [...outputs].reverse().find((out): out is Extract<NotebookOutput, { output_type: 'error' }> => out.output_type === 'error');
  if (shown) return { ename: shown.ename, evalue: shown.evalue };
  if (reply?.ename) return { ename: reply.ename, evalue: reply.evalue ?? '' };
  const stderr = outputs.map((o) => (o.output_type === 'stream' && o.name === 'stderr' ? sourceText(o.text) : '')).join('');
  const named = [...stderr.matchAll(/^([A-Za-z_$][\w$.]*(?:Error|Exception)):[ \t]*(.*)$/gm)].pop();
  if (named) return { ename: named[1]!, evalue: named[2]!.trim() };
  const last = stderr.trim().split('\n').pop()?.trim() ?? '';
  return { ename: reply?.status === 'aborted' ? 'ExecutionAborted' : 'Error', evalue: last.slice(0, 500) };
}
