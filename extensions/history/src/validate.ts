/**
 * Trust boundary: the History API's JSON is checked here once, so the models
 * and widgets can trust the types in `./types`. A mismatch (an older or newer
 * server, a proxy's page) becomes a HistoryError('invalid_response').
 */
import { JsonReader } from '@workbench/lab-common';
import { HistoryError } from './history-api';
import type {
  CellDiff,
  DiffResponse,
  LineDiff,
  MetadataChange,
  NotebookDiff,
  OutputSummary,
  RestoredModel,
  VersionContent,
  VersionInfo,
  VersionList,
} from './types';

const CHANGES = new Set(['added', 'modified', 'renamed', 'deleted']);
const STATUSES = new Set(['added', 'removed', 'modified', 'moved', 'unchanged']);
const OPS = new Set(['equal', 'insert', 'delete']);
const KINDS = new Set(['added', 'removed', 'changed']);

class Reader extends JsonReader {
  constructor(what: string) {
    super(what, HistoryError);
  }
  line(v: unknown, where: string): number | null {
    if (v === null) return null;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) this.fail(where, 'a line number or null');
    return v;
  }
}

export function readVersionList(json: unknown): VersionList {
  const r = new Reader('the version list');
  const o = r.object(json, 'the answer');
  const versions = r.array(o.versions, 'versions').map((v, i): VersionInfo => {
    const at = `versions[${i}]`;
    const x = r.object(v, at);
    const author = r.object(x.author, `${at}.author`);
    const id = r.string(x.id, `${at}.id`);
    return {
      id,
      short: typeof x.short === 'string' ? x.short : id.slice(0, 7),
      author: { name: r.string(author.name, `${at}.author.name`), email: typeof author.email === 'string' ? author.email : '' },
      time: r.string(x.time, `${at}.time`),
      message: typeof x.message === 'string' ? x.message : '',
      path: r.string(x.path, `${at}.path`),
      change: r.oneOf(x.change, CHANGES, `${at}.change`),
    };
  });
  return { path: r.string(o.path, 'path'), versions };
}

function readLines(r: Reader, v: unknown, where: string): LineDiff[] {
  return r.array(v, where).map((l, i) => {
    const x = r.object(l, `${where}[${i}]`);
    return {
      op: r.oneOf(x.op, OPS, `${where}[${i}].op`),
      oldLine: r.line(x.oldLine, `${where}[${i}].oldLine`),
      newLine: r.line(x.newLine, `${where}[${i}].newLine`),
      text: r.string(x.text, `${where}[${i}].text`),
    };
  });
}

function readChanges(r: Reader, v: unknown, where: string): MetadataChange[] {
  return r.array(v, where).map((c, i) => {
    const x = r.object(c, `${where}[${i}]`);
    const change: MetadataChange = { path: r.string(x.path, `${where}[${i}].path`), kind: r.oneOf(x.kind, KINDS, `${where}[${i}].kind`) };
    if ('old' in x) change.old = x.old;
    if ('new' in x) change.new = x.new;
    return change;
  });
}

function readOutputs(r: Reader, v: unknown, where: string): OutputSummary[] {
  return r.array(v, where).map((o, i) => {
    const x = r.object(o, `${where}[${i}]`);
    const s: OutputSummary = { outputType: r.string(x.outputType, `${where}[${i}].outputType`) };
    if (typeof x.name === 'string') s.name = x.name;
    if (Array.isArray(x.mimeTypes)) s.mimeTypes = x.mimeTypes.filter((m): m is string => typeof m === 'string');
    if (typeof x.text === 'string') s.text = x.text;
    return s;
  });
}

function optionalCount(r: Reader, v: unknown, where: string): number | null {
  if (v === null) return null;
  if (typeof v !== 'number') r.fail(where, 'a number or null');
  return v;
}

function readCell(r: Reader, v: unknown, i: number): CellDiff {
  const at = `diff.cells[${i}]`;
  const x = r.object(v, at);
  const cell: CellDiff = {
    status: r.oneOf(x.status, STATUSES, `${at}.status`),
    id: x.id === null || x.id === undefined ? null : r.string(x.id, `${at}.id`),
    cellType: r.string(x.cellType, `${at}.cellType`),
    oldIndex: r.line(x.oldIndex, `${at}.oldIndex`),
    newIndex: r.line(x.newIndex, `${at}.newIndex`),
  };
  if (x.moved === true) cell.moved = true;
  if (x.source !== undefined) cell.source = readLines(r, x.source, `${at}.source`);
  if (x.outputs !== undefined) {
    const o = r.object(x.outputs, `${at}.outputs`);
    cell.outputs = { old: readOutputs(r, o.old, `${at}.outputs.old`), new: readOutputs(r, o.new, `${at}.outputs.new`) };
  }
  if (x.metadata !== undefined) cell.metadata = readChanges(r, x.metadata, `${at}.metadata`);
  if (x.attachments !== undefined) cell.attachments = readChanges(r, x.attachments, `${at}.attachments`);
  if (x.executionCount !== undefined) {
    const e = r.object(x.executionCount, `${at}.executionCount`);
    cell.executionCount = { old: optionalCount(r, e.old, `${at}.executionCount.old`), new: optionalCount(r, e.new, `${at}.executionCount.new`) };
  }
  if (x.cellTypeChange !== undefined) {
    const t = r.object(x.cellTypeChange, `${at}.cellTypeChange`);
    cell.cellTypeChange = { old: r.string(t.old, `${at}.cellTypeChange.old`), new: r.string(t.new, `${at}.cellTypeChange.new`) };
  }
  return cell;
}

function readNotebookDiff(r: Reader, v: unknown): NotebookDiff {
  const d = r.object(v, 'diff');
  const cells = r.array(d.cells, 'diff.cells').map((c, i) => readCell(r, c, i));
  const summary = { added: 0, removed: 0, modified: 0, moved: 0, unchanged: 0 };
  for (const c of cells) summary[c.status]++; // recomputed: always consistent with `cells`
  return { cells, metadata: d.metadata === undefined ? [] : readChanges(r, d.metadata, 'diff.metadata'), summary };
}

export function readDiffResponse(json: unknown): DiffResponse {
  const r = new Reader('the diff');
  const o = r.object(json, 'the answer');
  const head = { path: r.string(o.path, 'path'), from: r.string(o.from, 'from'), to: r.string(o.to, 'to') };
  if (o.type === 'notebook') return { ...head, type: 'notebook', diff: readNotebookDiff(r, o.diff) };
  if (o.type === 'file') return { ...head, type: 'file', diff: readLines(r, o.diff, 'diff') };
  return r.fail('type', '"notebook" or "file"');
}

export function readRestoredModel(json: unknown): RestoredModel {
  const r = new Reader('the restored file');
  const o = r.object(json, 'the answer');
  return { ...o, path: r.string(o.path, 'path'), name: typeof o.name === 'string' ? o.name : '', last_modified: typeof o.last_modified === 'string' ? o.last_modified : '' };
}

export function readVersionContent(json: unknown): VersionContent {
  const r = new Reader('the version content');
  const o = r.object(json, 'the answer');
  const head = { path: r.string(o.path, 'path'), version: r.string(o.version, 'version') };
  if (o.type === 'notebook') return { ...head, type: 'notebook', format: 'json', content: o.content };
  if (o.type === 'file') {
    return { ...head, type: 'file', format: o.format === 'base64' ? 'base64' : 'text', content: r.string(o.content, 'content') };
  }
  return r.fail('type', '"notebook" or "file"');
}
