/**
 * A task attempt's log: the executor's events as log lines, written to the
 * store in batches and announced as they come. stdout and stderr become
 * whole lines whatever way the kernel cut its output (a print may arrive as
 * its text and its newline in two messages); what a cell leaves without a
 * newline is written when the cell ends.
 */
import type { ExecutorEvent } from '@workbench/executor';
import type { LogLine } from './run-model';

/** Where the lines go: RunStore.appendLogs. */
export interface LogSink {
  appendLogs(lines: readonly { runId: string; taskId: string; attempt: number; seq: number; at: number; stream: string; cell: number | null; text: string }[]): Promise<void>;
}

export class LogWriter {
  private seq = 0;
  private pending: Parameters<LogSink['appendLogs']>[0][number][] = [];
  private flushing: Promise<void> = Promise.resolve();
  private timer: NodeJS.Timeout | undefined;
  /** stdout/stderr text since the last newline, per cell and stream: a log line is a whole line, however the kernel cut its output. */
  private readonly partial = new Map<string, { cell: number | null; stream: string; text: string; at: number }>();

  constructor(
    private readonly runs: LogSink,
    private readonly c: { runId: string; taskId: string; attempt: number },
    private readonly announce: (line: LogLine) => void,
  ) {}

  event(e: ExecutorEvent): void {
    const line = describe(e);
    if (!line) return;
    if (e.type === 'output' && (line.stream === 'stdout' || line.stream === 'stderr')) {
      const key = `${line.cell}:${line.stream}`;
      const text = (this.partial.get(key)?.text ?? '') + line.text;
      const cut = text.lastIndexOf('\n');
      if (cut < 0) {
        this.partial.set(key, { cell: line.cell, stream: line.stream, text, at: this.partial.get(key)?.at ?? e.at });
        return;
      }
      this.partial.delete(key);
      for (const whole of text.slice(0, cut).split('\n')) this.push(e.at, line.stream, line.cell, `${whole}\n`);
      if (cut < text.length - 1) this.partial.set(key, { cell: line.cell, stream: line.stream, text: text.slice(cut + 1), at: e.at });
      return;
    }
    // A cell's end (or any other event) first writes what its streams left without a newline.
    if (e.type === 'cell_finished') this.drain();
    this.push(e.at, line.stream, line.cell, line.text);
  }

  private drain(): void {
    for (const p of this.partial.values()) this.push(p.at, p.stream, p.cell, p.text);
    this.partial.clear();
  }

  private push(at: number, stream: string, cell: number | null, text: string): void {
    const row = { runId: this.c.runId, taskId: this.c.taskId, attempt: this.c.attempt, seq: ++this.seq, at, stream, cell, text };
    this.pending.push(row);
    this.announce({ taskId: row.taskId, attempt: row.attempt, seq: row.seq, at: new Date(at).toISOString(), stream: row.stream, cell: row.cell, text: row.text });
    if (this.pending.length >= 200) this.flush();
    else this.timer ??= setTimeout(() => this.flush(), 250);
  }

  private flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.pending;
    this.pending = [];
    if (batch.length === 0) return;
    this.flushing = this.flushing.then(() => this.runs.appendLogs(batch)).catch(() => undefined);
  }

  async close(): Promise<void> {
    this.drain();
    this.flush();
    await this.flushing;
  }
}

function describe(e: ExecutorEvent): { stream: string; cell: number | null; text: string } | undefined {
  switch (e.type) {
    case 'kernel_started':
      return { stream: 'system', cell: null, text: `kernel ${e.kernelId} started` };
    case 'cell_started':
      return { stream: 'system', cell: e.index, text: `cell ${e.index + 1} started` };
    case 'cell_finished':
      return { stream: 'system', cell: e.index, text: `cell ${e.index + 1} ${e.status} in ${e.durationMs} ms` };
    case 'output':
      return { stream: e.stream, cell: e.index, text: e.text };
    default:
      return undefined;
  }
}
