/**
 * Where a value of the parsed YAML came from: data paths (as ajv's
 * instancePath or our own checks name them) to 1-based line/column, and
 * source offsets (as the yaml library's errors give them) back to paths.
 */
import { isAlias, isMap, isPair, isScalar, isSeq, type Document, type LineCounter, type Node } from 'yaml';

export type PathSegment = string | number;
export type DataPath = readonly PathSegment[];

export interface Position {
  line: number;
  column: number;
}

const NAME = /^[A-Za-z_][A-Za-z0-9_-]*$/;

/** `['tasks', 'report', 'depends_on', 0]` -> `tasks.report.depends_on[0]`; odd keys as `["a b"]`. */
export function formatPath(path: DataPath): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else if (NAME.test(seg)) out += out === '' ? seg : `.${seg}`;
    else out += `[${JSON.stringify(seg)}]`;
  }
  return out;
}

/** ajv's JSON Pointer instancePath (`/tasks/report/depends_on/0`) as segments; digits under arrays become indexes. */
export function pointerToPath(pointer: string, data: unknown): PathSegment[] {
  if (pointer === '') return [];
  const out: PathSegment[] = [];
  let here: unknown = data;
  for (const raw of pointer.slice(1).split('/')) {
    const seg = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(here)) {
      out.push(Number(seg));
      here = here[Number(seg)];
    } else {
      out.push(seg);
      here = here !== null && typeof here === 'object' && Object.hasOwn(here, seg) ? (here as Record<string, unknown>)[seg] : undefined;
    }
  }
  return out;
}

export class SourceMap {
  constructor(
    private readonly doc: Document,
    private readonly lines: LineCounter,
  ) {}

  /** 1-based position of a source offset. */
  positionOf(offset: number): Position {
    const { line, col } = this.lines.linePos(offset);
    return { line, column: col };
  }

  /**
   * Position of the value at `path` (or of its key, with `key`), falling back
   * to the closest ancestor the YAML has, and to the key when the value is empty.
   */
  position(path: DataPath, opts: { key?: boolean } = {}): Position {
    let node: unknown = this.doc.contents;
    let offset = startOf(node) ?? 0;
    for (let i = 0; i < path.length; i++) {
      node = this.resolve(node);
      const seg = path[i]!;
      const last = i === path.length - 1;
      if (isMap(node)) {
        const pair = node.items.filter((p) => isPair(p) && keyText(p.key) === String(seg)).pop();
        if (!pair) break;
        const keyStart = startOf(pair.key);
        if (keyStart !== undefined) offset = keyStart;
        if (last && opts.key) break;
        const value = pair.value;
        if (isScalar(value) && value.value === null && value.range && value.range[0] === value.range[1]) break;
        node = value;
      } else if (isSeq(node) && typeof seg === 'number') {
        node = node.items[seg];
      } else {
        break;
      }
      const start = startOf(node);
      if (start === undefined) break;
      offset = start;
    }
    return this.positionOf(offset);
  }

  /** The data path of the deepest node holding `offset` (for the yaml library's errors). */
  pathAt(offset: number): PathSegment[] {
    const out: PathSegment[] = [];
    let node: unknown = this.doc.contents;
    for (;;) {
      if (isMap(node)) {
        const pair = node.items.find((p) => isPair(p) && (contains(p.key, offset) || contains(p.value, offset)));
        if (!pair) return out;
        out.push(keyText(pair.key) ?? '?');
        if (contains(pair.key, offset)) return out;
        node = pair.value;
      } else if (isSeq(node)) {
        const i = node.items.findIndex((item) => contains(item, offset));
        if (i < 0) return out;
        out.push(i);
        node = node.items[i];
      } else {
        return out;
      }
    }
  }

  private resolve(node: unknown): unknown {
    return isAlias(node) ? node.resolve(this.doc) : node;
  }
}

function keyText(key: unknown): string | undefined {
  if (isScalar(key)) return String(key.value);
  return undefined;
}

function startOf(node: unknown): number | undefined {
  return (node as Node | null | undefined)?.range?.[0] ?? undefined;
}

function contains(node: unknown, offset: number): boolean {
  const range = (node as Node | null | undefined)?.range;
  return !!range && offset >= range[0] && offset < range[2];
}
