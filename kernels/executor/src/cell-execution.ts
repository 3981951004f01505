/**
 * One code cell on a Kernel, straight over its ZeroMQ messages (as
 * kernel-pool.ts handOver does): an execute_request on shell, its iopub
 * messages gathered into nbformat outputs (as nbclient does: consecutive
 * stream text joined, clear_output with wait, update_display_data by
 * display id), done when both the execute_reply and the iopub `idle` for
 * the request have arrived (jupyter_client messaging.rst, "Execute").
 */
import { deferred } from '@workbench/core';
import { createMessage, parseJsonPart, toRaw } from '@workbench/protocol';
import type { Kernel } from '@workbench/manager';
import type { DisplayDataOutput, ExecuteResultOutput, NotebookOutput } from './notebook';

export interface CellReply {
  status: 'ok' | 'error' | 'aborted';
  executionCount: number | null;
  ename?: string;
  evalue?: string;
}

export interface CellHooks {
  /** The kernel took up the request (its first message about it). */
  onStarted(): void;
  /** An output as it arrives; `updated` for an update_display_data (the output it changed). */
  onOutput(output: NotebookOutput, updated: boolean): void;
}

/** Outputs by display id, over the whole run (a later cell may update an earlier cell's display). */
export type DisplayIndex = Map<string, (DisplayDataOutput | ExecuteResultOutput)[]>;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string => (typeof v === 'string' ? v : Array.isArray(v) ? v.join('') : '');

export class CellExecution implements Disposable {
  readonly outputs: NotebookOutput[] = [];
  executionCount: number | null = null;
  private readonly reply = deferred<CellReply>();
  /** Resolves once the reply and the idle status have both arrived; rejects if the request cannot be sent. */
  readonly done: Promise<CellReply>;
  private started = false;
  private clearOnNext = false;
  private readonly sub: Disposable;

  private constructor(
    kernel: Kernel,
    code: string,
    private readonly hooks: CellHooks,
    private readonly displays: DisplayIndex,
  ) {
    const req = createMessage({ msgType: 'execute_request', session: kernel.session, content: { code, silent: false, store_history: true, user_expressions: {}, allow_stdin: false, stop_on_error: true } });
    const msgId = req.header.msg_id;
    let replied: CellReply | undefined;
    let idle = false;
    const idleSeen = deferred<void>();
    this.sub = kernel.onMessage((e) => {
      if (e.parent.msgId !== msgId) return;
      let content: Record<string, unknown>;
      try {
        content = parseJsonPart(e.raw.content, 'content');
      } catch {
        return; // a malformed message is dropped, as the relay does
      }
      this.markStarted();
      if (e.channel === 'shell' && e.header.msgType === 'execute_reply') {
        // tslab says "abort" for a request dropped after an earlier error.
        const status = content.status === 'ok' ? 'ok' : content.status === 'aborted' || content.status === 'abort' ? 'aborted' : 'error';
        if (typeof content.execution_count === 'number') this.executionCount ??= content.execution_count;
        replied = { status, executionCount: this.executionCount, ename: typeof content.ename === 'string' ? content.ename : undefined, evalue: typeof content.evalue === 'string' ? content.evalue : undefined };
        this.reply.resolve(replied);
      } else if (e.channel === 'iopub') {
        if (e.header.msgType === 'status' && content.execution_state === 'idle') {
          idle = true;
          idleSeen.resolve();
        } else this.handleIopub(e.header.msgType, content);
      }
    });
    this.done = Promise.all([this.reply.promise, idleSeen.promise]).then(([r]) => r);
    this.done.catch(() => undefined);
    kernel.send('shell', toRaw(req)).catch((err: unknown) => {
      if (!replied || !idle) this.reply.reject(err);
    });
  }

  /** Send `code` to `kernel` and gather what it does. */
  static start(kernel: Kernel, code: string, hooks: CellHooks, displays: DisplayIndex): CellExecution {
    return new CellExecution(kernel, code, hooks, displays);
  }

  private markStarted(): void {
    if (this.started) return;
    this.started = true;
    this.hooks.onStarted();
  }

  private push(out: NotebookOutput): void {
    if (this.clearOnNext) {
      this.outputs.length = 0;
      this.clearOnNext = false;
    }
    this.outputs.push(out);
    this.hooks.onOutput(out, false);
  }

  private handleIopub(type: string, c: Record<string, unknown>): void {
    switch (type) {
      case 'execute_input':
        if (typeof c.execution_count === 'number') this.executionCount = c.execution_count;
        return;
      case 'stream': {
        const name = c.name === 'stderr' ? 'stderr' : 'stdout';
        const text = str(c.text);
        const last = this.outputs[this.outputs.length - 1];
        if (!this.clearOnNext && last?.output_type === 'stream' && last.name === name) {
          last.text = str(last.text) + text;
          this.hooks.onOutput({ output_type: 'stream', name, text }, false);
        } else this.push({ output_type: 'stream', name, text });
        return;
      }
      case 'display_data':
      case 'execute_result': {
        const data = isObject(c.data) ? c.data : {};
        const metadata = isObject(c.metadata) ? c.metadata : {};
        const out: DisplayDataOutput | ExecuteResultOutput =
          type === 'display_data' ? { output_type: 'display_data', data, metadata } : { output_type: 'execute_result', execution_count: typeof c.execution_count === 'number' ? c.execution_count : this.executionCount, data, metadata };
        const id = isObject(c.transient) && typeof c.transient.display_id === 'string' ? c.transient.display_id : undefined;
        if (id) this.displays.set(id, [...(this.displays.get(id) ?? []), out]);
        this.push(out);
        return;
      }
      case 'update_display_data': {
        const id = isObject(c.transient) && typeof c.transient.display_id === 'string' ? c.transient.display_id : undefined;
        const data = isObject(c.data) ? c.data : {};
        const metadata = isObject(c.metadata) ? c.metadata : {};
        for (const out of (id && this.displays.get(id)) || []) {
          out.data = data;
          out.metadata = metadata;
        }
        this.hooks.onOutput({ output_type: 'display_data', data, metadata }, true);
        return;
      }
      case 'error': {
        const traceback = Array.isArray(c.traceback) ? c.traceback.filter((t): t is string => typeof t === 'string') : [];
        this.push({ output_type: 'error', ename: str(c.ename), evalue: str(c.evalue), traceback });
        return;
      }
      case 'clear_output':
        if (c.wait === true) this.clearOnNext = true;
        else this.outputs.length = 0;
        return;
      default:
        return; // comm messages, debug events: not outputs
    }
  }

  [Symbol.dispose](): void {
    this.sub[Symbol.dispose]();
  }
}
