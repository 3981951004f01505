/**
 * Paths a pipeline file names (notebooks, SQL files, other pipelines) are
 * workspace-relative: they cannot leave the workspace, and whether they
 * exist is the scheduler's check, not the parser's.
 */
import { posix } from 'node:path';

/** True for `*.pipeline.yaml` and `*.pipeline.yml`. */
export function isPipelineFile(path: string): boolean {
  return /\.pipeline\.ya?ml$/i.test(path) && !/(^|\/)\.pipeline\.ya?ml$/i.test(path);
}

export type PathKind = 'notebook' | 'sql' | 'pipeline';

const EXTENSION: Record<PathKind, { test: (p: string) => boolean; words: string }> = {
  notebook: { test: (p) => /\.ipynb$/i.test(p), words: 'a notebook (.ipynb)' },
  sql: { test: (p) => /\.sql$/i.test(p), words: 'a SQL file (.sql)' },
  pipeline: { test: isPipelineFile, words: 'a pipeline file (.pipeline.yaml)' },
};

/** Why `path` cannot name a `kind` file of the workspace, or undefined when it can. */
export function workspacePathProblem(path: string, kind: PathKind): string | undefined {
  if (path.includes('\\')) return `'${path}' must use / as separator`;
  if (path.startsWith('/') || /^[A-Za-z]:/.test(path) || /^[a-z][a-z0-9+.-]*:\/\//i.test(path)) {
    return `'${path}' must be relative to the workspace, not absolute`;
  }
  if (path.split('/').includes('..')) return `'${path}' must not contain '..'`;
  if (path.includes('{{')) return `'${path}' cannot hold a template: only parameters are rendered`;
  if (!EXTENSION[kind].test(path)) return `'${path}' is not ${EXTENSION[kind].words}`;
  return undefined;
}

/** `./a//b.ipynb` -> `a/b.ipynb`; call after workspacePathProblem passed. */
export function normalizeWorkspacePath(path: string): string {
  return posix.normalize(path).replace(/^(\.\/)+/, '');
}
