/** Log lines are whole lines, however the kernel cut its output; what is left without a newline is written when the cell ends. */
import type { ExecutorEvent } from '@workbench/executor';
import { LogWriter, type LogSink } from './log-writer';

describe('LogWriter', () => {
  it('joins and splits stream output into whole lines, per cell and stream, and flushes the rest at the cell\'s end', async () => {
    const stored: { seq: number; stream: string; cell: number | null; text: string }[] = [];
    const sink: LogSink = { appendLogs: async (lines) => void stored.push(...lines.map((l) => ({ seq: l.seq, stream: l.stream, cell: l.cell, text: l.text }))) };
    const announced: string[] = [];
    const w = new LogWriter(sink, { runId: 'r', taskId: 't', attempt: 1 }, (l) => announced.push(`${l.stream}:${l.text}`));
    const out = (text: string, stream: 'stdout' | 'stderr' = 'stdout'): ExecutorEvent => ({ type: 'output', index: 0, stream, text, at: 1 });
    for (const e of [out('row 1'), out('\n'), out('row 2\nrow'), out(' 3\n'), out('warn', 'stderr'), out('no newline'), { type: 'cell_finished', index: 0, status: 'ok', durationMs: 5, at: 2 } as ExecutorEvent]) w.event(e);
    await w.close();
    expect(stored.map((l) => [l.seq, l.stream, l.text])).toEqual([
      [1, 'stdout', 'row 1\n'],
      [2, 'stdout', 'row 2\n'],
      [3, 'stdout', 'row 3\n'],
      [4, 'stderr', 'warn'],
      [5, 'stdout', 'no newline'],
      [6, 'system', 'cell 1 ok in 5 ms'],
    ]);
    expect(announced).toHaveLength(6);
  });
});
