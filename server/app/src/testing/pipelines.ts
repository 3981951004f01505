/**
 * Test support for pipelines on a real server: notebooks written to the
 * workspace, waiting for a run to end (on the service's own event, after
 * subscribing, so an end that already happened is seen too), and JSON
 * requests.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { waitForEvent } from '@workbench/core';
import { RUN_DONE, type Run, type RunDetail } from '@workbench/pipelines';
import { api, type TestServer } from './harness';

export function notebookJson(kernel: 'python3' | 'tslab', cells: { source: string; tags?: string[] }[]): string {
  const language = kernel === 'tslab' ? 'typescript' : 'python';
  return JSON.stringify({
    nbformat: 4,
    nbformat_minor: 5,
    metadata: { kernelspec: { name: kernel, display_name: kernel, language } },
    cells: cells.map((c, i) => ({ id: `c${i}`, cell_type: 'code', execution_count: null, metadata: c.tags ? { tags: c.tags } : {}, outputs: [], source: c.source })),
  });
}

export async function writeWorkspace(ts: TestServer, files: Record<string, string>): Promise<void> {
  for (const [path, text] of Object.entries(files)) {
    await mkdir(dirname(join(ts.rootDir, path)), { recursive: true });
    await writeFile(join(ts.rootDir, path), text);
  }
}

/** Resolves with the run once it has ended. */
export async function runEnded(ts: TestServer, runId: string): Promise<RunDetail> {
  const stop = new AbortController();
  const ended = waitForEvent(ts.wb.pipelines.onRunChanged, (r: Run) => r.id === runId && RUN_DONE.has(r.status), stop.signal).catch(() => undefined);
  const now = await ts.wb.pipelines.runs.get(runId);
  if (RUN_DONE.has(now.status)) stop.abort();
  await ended;
  return ts.wb.pipelines.runs.get(runId);
}

export async function jsonRequest<T = unknown>(ts: TestServer, method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
  const res = await api(ts, path, { method, headers: body === undefined ? {} : { 'Content-Type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T };
}

/** Registers the workspace's pipeline files now (the server also does on its own when files are saved through it). */
export async function pipelineId(ts: TestServer, path: string): Promise<string> {
  await ts.wb.pipelines.sync();
  const p = await ts.wb.pipelines.registry.byPath(path);
  if (!p) throw new Error(`no pipeline ${path}`);
  if (p.issues.length > 0) throw new Error(`${path}: ${JSON.stringify(p.issues)}`);
  return p.id;
}
