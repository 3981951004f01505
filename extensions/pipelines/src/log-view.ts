/**
 * The log of one task of a run, as it streams in: a line per output
 * chunk with its time and cell, stdout plain, stderr in the error colour,
 * system lines (kernel started, cell N finished) muted. Follows the end
 * while the reader is at the end; once they scroll up it stays where they
 * are until they scroll back down. Keeps the last 5,000 lines of each
 * task (a note says when earlier ones were dropped).
 *
 * DOM hooks: `.wb-pipelines-log[data-task-id][data-lines]`, `.wb-pipelines-log-line[data-stream][data-attempt][data-seq]`,
 * `.wb-pipelines-log-empty`, `.wb-pipelines-log-dropped`.
 */
import { h, replaceChildren } from '@workbench/lab-common';
import type { LogLine, TaskRun } from './types';

export const MAX_LINES = 5000;

export class LogStore {
  private readonly byTask = new Map<string, LogLine[]>();
  private readonly dropped = new Map<string, number>();

  add(line: LogLine): void {
    const list = this.byTask.get(line.taskId) ?? [];
    list.push(line);
    if (list.length > MAX_LINES) {
      list.splice(0, list.length - MAX_LINES);
      this.dropped.set(line.taskId, (this.dropped.get(line.taskId) ?? 0) + 1);
    }
    this.byTask.set(line.taskId, list);
  }

  lines(taskId: string): readonly LogLine[] {
    return this.byTask.get(taskId) ?? [];
  }

  droppedOf(taskId: string): number {
    return this.dropped.get(taskId) ?? 0;
  }

  clear(): void {
    this.byTask.clear();
    this.dropped.clear();
  }
}

function timeOf(at: string): string {
  const t = new Date(at);
  return Number.isNaN(t.getTime()) ? '' : t.toTimeString().slice(0, 8);
}

export function logLineNode(l: LogLine): HTMLElement {
  return h('div', { className: 'wb-pipelines-log-line', attrs: { 'data-stream': l.stream, 'data-attempt': String(l.attempt), 'data-seq': String(l.seq) } }, [
    h('span', { className: 'wb-pipelines-log-meta', attrs: { 'aria-hidden': 'true' } }, [`${timeOf(l.at)}${l.cell === null ? '' : ` [${l.cell + 1}]`}`]),
    h('span', { className: 'wb-pipelines-log-text' }, [l.stream === 'stderr' ? h('span', { className: 'wb-sr-only' }, ['stderr: ']) : null, l.text.replace(/\n$/, '')]),
  ]);
}

export class LogView {
  readonly node: HTMLElement;
  private taskId: string | null = null;
  private count = 0;
  /** Following the end (the reader has not scrolled up). */
  private stick = true;

  constructor(private readonly store: LogStore) {
    this.node = h('div', { className: 'wb-pipelines-log', attrs: { role: 'log', 'aria-live': 'off', tabindex: '0' } });
    this.node.addEventListener('scroll', this.onScroll);
  }

  /** Shows `taskId`'s lines (all of them again). */
  show(taskId: string | null, label = ''): void {
    this.taskId = taskId;
    this.node.dataset.taskId = taskId ?? '';
    this.node.setAttribute('aria-label', label);
    const lines = taskId ? this.store.lines(taskId) : [];
    const dropped = taskId ? this.store.droppedOf(taskId) : 0;
    this.count = lines.length;
    replaceChildren(this.node, [
      dropped > 0 ? h('div', { className: 'wb-pipelines-log-dropped' }, [`Earlier lines are not shown (the last ${MAX_LINES} are).`]) : null,
      lines.length === 0 ? h('div', { className: 'wb-pipelines-log-empty' }, ['No output yet.']) : null,
      ...lines.map(logLineNode),
    ]);
    this.node.dataset.lines = String(this.count);
    this.stick = true;
    this.node.scrollTop = this.node.scrollHeight;
  }

  /** A line arrived (already in the store): drawn when it is the shown task's. */
  append(line: LogLine): void {
    if (line.taskId !== this.taskId) return;
    if (this.count >= MAX_LINES) return this.show(this.taskId, this.node.getAttribute('aria-label') ?? '');
    this.node.querySelector('.wb-pipelines-log-empty')?.remove();
    this.node.append(logLineNode(line));
    this.count++;
    this.node.dataset.lines = String(this.count);
    if (this.stick) this.node.scrollTop = this.node.scrollHeight;
  }

  private readonly onScroll = (): void => {
    this.stick = this.node.scrollHeight - this.node.scrollTop - this.node.clientHeight < 24;
  };

  dispose(): void {
    this.node.removeEventListener('scroll', this.onScroll);
  }
}

/** The task whose log is worth seeing first: one running, else one that failed, else the first. */
export function defaultTask(tasks: readonly Pick<TaskRun, 'taskId' | 'status'>[]): string | null {
  return (tasks.find((t) => t.status === 'running') ?? tasks.find((t) => t.status === 'failed' || t.status === 'timed_out') ?? tasks[0])?.taskId ?? null;
}
