/**
 * The JSON the History API answers with, as the client sees it. Mirrors
 * `server/git/src/version-info.ts`, `server/git/src/notebook-diff.ts`,
 * `server/git/src/line-diff.ts` and `server/http/src/routes/history.ts`
 * (this package runs in the browser, so it does not import them).
 */

export type VersionChange = 'added' | 'modified' | 'renamed' | 'deleted';

/** One commit that touched a file (`GET api/history`). */
export interface VersionInfo {
  /** Full commit id. */
  id: string;
  /** First 7 hex digits of the id. */
  short: string;
  author: { name: string; email: string };
  /** Author date, ISO 8601 with offset. */
  time: string;
  /** Commit subject. */
  message: string;
  /** The file's path in that commit (differs from the requested path before a rename). */
  path: string;
  change: VersionChange;
}

export interface VersionList {
  path: string;
  /** Newest first. */
  versions: VersionInfo[];
}

export interface LineDiff {
  op: 'equal' | 'insert' | 'delete';
  /** 1-based; null for inserted lines. */
  oldLine: number | null;
  /** 1-based; null for deleted lines. */
  newLine: number | null;
  text: string;
}

export interface MetadataChange {
  /** Dotted path of object keys, e.g. "kernelspec.name". */
  path: string;
  old?: unknown;
  new?: unknown;
  kind: 'added' | 'removed' | 'changed';
}

export interface OutputSummary {
  outputType: string;
  name?: string;
  mimeTypes?: string[];
  /** First 200 characters of stream text, text/plain, or "ename: evalue". */
  text?: string;
}

export type CellStatus = 'added' | 'removed' | 'modified' | 'moved' | 'unchanged';

export interface CellDiff {
  status: CellStatus;
  /** A moved and edited cell is 'modified' with `moved: true`. */
  moved?: boolean;
  id: string | null;
  cellType: string;
  /** 0-based cell positions. */
  oldIndex: number | null;
  newIndex: number | null;
  source?: LineDiff[];
  outputs?: { old: OutputSummary[]; new: OutputSummary[] };
  metadata?: MetadataChange[];
  executionCount?: { old: number | null; new: number | null };
  cellTypeChange?: { old: string; new: string };
  attachments?: MetadataChange[];
}

export interface NotebookDiff {
  cells: CellDiff[];
  metadata: MetadataChange[];
  summary: Record<CellStatus, number>;
}

/** `GET api/history/diff`: a notebook-aware diff for `.ipynb`, a line diff (every line) otherwise. */
export type DiffResponse =
  | { path: string; from: string; to: string; type: 'notebook'; diff: NotebookDiff }
  | { path: string; from: string; to: string; type: 'file'; diff: LineDiff[] };

/** `GET api/history/content`. */
export type VersionContent =
  | { path: string; version: string; type: 'notebook'; format: 'json'; content: unknown }
  | { path: string; version: string; type: 'file'; format: 'text' | 'base64'; content: string };

/** `POST api/history/restore` answers with the file's contents model (without content). */
export interface RestoredModel {
  path: string;
  name: string;
  last_modified: string;
  [key: string]: unknown;
}

/** The diff target meaning "the file on disk now". */
export const WORKING = 'working';
