/**
 * nbformat v4: validation against the official schemas (4.0-4.5), cell ids
 * as nbformat 4.5 adds them, and writing JSON the way Jupyter does (sorted
 * keys, 1-space indent, multi-line strings split into lists, trailing
 * newline) so git diffs stay minimal.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import Ajv, { ValidateFunction } from 'ajv';
import { sortKeys } from '@workbench/core';

export type NotebookJSON = {
  nbformat: number;
  nbformat_minor: number;
  metadata: Record<string, unknown>;
  cells: Record<string, unknown>[];
};

const SCHEMA_DIR = join(__dirname, '..', 'schemas');

/** Compiled validators, one per minor version; built once per NbFormat instance. */
export class NbFormat {
  private readonly validators = new Map<number, ValidateFunction>();
  private readonly ajv = new Ajv({ strict: false, allErrors: false });

  private validator(minor: number): ValidateFunction {
    const m = Math.max(0, Math.min(5, Math.floor(minor)));
    let v = this.validators.get(m);
    if (!v) {
      const schema = JSON.parse(readFileSync(join(SCHEMA_DIR, `nbformat.v4.${m}.schema.json`), 'utf8')) as Record<string, unknown>;
      delete schema.$schema; // draft-04 marker; the keywords used are draft-07 compatible
      delete schema.id;
      v = this.ajv.compile(schema);
      this.validators.set(m, v);
    }
    return v;
  }

  /** Undefined when valid, else a message like nbformat's ("Notebook validation failed: ..."). */
  validate(nb: unknown): string | undefined {
    if (typeof nb !== 'object' || nb === null || Array.isArray(nb)) return 'Notebook validation failed: the notebook is not a JSON object';
    const n = nb as Partial<NotebookJSON>;
    if (n.nbformat !== 4) return `Notebook validation failed: nbformat ${JSON.stringify(n.nbformat)} is not supported (only 4)`;
    const v = this.validator(typeof n.nbformat_minor === 'number' ? n.nbformat_minor : 5);
    if (v(nb)) return undefined;
    const e = v.errors![0]!;
    return `Notebook validation failed: ${e.instancePath || '(root)'} ${e.message ?? 'is invalid'}${e.params && 'additionalProperty' in e.params ? ` (${String((e.params as { additionalProperty: string }).additionalProperty)})` : ''}`;
  }
}

export function randomCellId(): string {
  return randomBytes(4).toString('hex');
}

/** Add missing cell ids, as nbformat does for 4.5+ notebooks. Mutates and returns nb. */
export function ensureCellIds(nb: NotebookJSON): NotebookJSON {
  if (nb.nbformat !== 4 || (nb.nbformat_minor ?? 0) < 5 || !Array.isArray(nb.cells)) return nb;
  const seen = new Set<string>();
  for (const cell of nb.cells) {
    if (typeof cell !== 'object' || cell === null) continue;
    let id = typeof cell.id === 'string' ? cell.id : '';
    if (id === '' || seen.has(id)) {
      do id = randomCellId();
      while (seen.has(id));
      cell.id = id;
    }
    seen.add(id);
  }
  return nb;
}

const joinLines = (v: unknown) => (Array.isArray(v) && v.every((x) => typeof x === 'string') ? v.join('') : v);
const splitLines = (v: unknown) => (typeof v === 'string' ? (v.match(/[^\n]*\n|[^\n]+$/g) ?? []) : v);
const isJsonMime = (k: string) => k === 'application/json' || (k.startsWith('application/') && k.endsWith('+json'));

function mapMultiline(nb: NotebookJSON, f: (v: unknown) => unknown): NotebookJSON {
  for (const cell of nb.cells ?? []) {
    if (typeof cell !== 'object' || cell === null) continue;
    if ('source' in cell) cell.source = f(cell.source);
    if (Array.isArray(cell.outputs)) {
      for (const out of cell.outputs as Record<string, unknown>[]) {
        if (typeof out !== 'object' || out === null) continue;
        if ('text' in out) out.text = f(out.text);
        const data = out.data as Record<string, unknown> | undefined;
        if (data && typeof data === 'object') for (const k of Object.keys(data)) if (!isJsonMime(k)) data[k] = f(data[k]);
      }
    }
    const att = cell.attachments as Record<string, Record<string, unknown>> | undefined;
    if (att && typeof att === 'object') for (const a of Object.values(att)) if (a && typeof a === 'object') for (const k of Object.keys(a)) if (!isJsonMime(k)) a[k] = f(a[k]);
  }
  return nb;
}

/** Parsed file -> API model content: multi-line lists joined into strings (as jupyter_server returns them). */
export function toApiNotebook(nb: NotebookJSON): NotebookJSON {
  return mapMultiline(nb, joinLines);
}

/**
 * The bytes Jupyter would write for this notebook. Does not mutate its
 * input: the sorted copy is made first (one deep copy, no structuredClone),
 * then multi-line strings are split in that copy.
 */
export function serializeNotebook(nb: NotebookJSON): string {
  const copy = mapMultiline(sortKeys(nb) as NotebookJSON, splitLines);
  return JSON.stringify(copy, null, 1) + '\n';
}

/** Remove outputs and execution counts (for "strip outputs on commit"). */
export function stripOutputs(nb: NotebookJSON): NotebookJSON {
  const copy = structuredClone(nb);
  for (const cell of copy.cells ?? []) {
    if (cell.cell_type === 'code') {
      cell.outputs = [];
      cell.execution_count = null;
    }
  }
  return copy;
}
