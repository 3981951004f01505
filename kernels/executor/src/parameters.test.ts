import { execFileSync } from 'node:child_process';
import { runInNewContext } from 'node:vm';
import { AppError } from '@workbench/core';
import type { CodeCell, NotebookCell, NotebookDocument } from './notebook';
import { injectParameters, renderParameters } from './parameters';

const tricky = 'quote " apostrophe \' backslash \\ newline \n tab \t unicode é 中 \u2028 emoji 😀 end\\';

/** What Python makes of a rendered cell: the variables as JSON (NaN/inf spelled out). */
function evalPython(source: string, names: string[]): unknown {
  const script = `${source}\nimport json, math\ndef enc(v):\n    if isinstance(v, float) and not math.isfinite(v):\n        return repr(v)\n    if isinstance(v, dict):\n        return {k: enc(x) for k, x in v.items()}\n    if isinstance(v, list):\n        return [enc(x) for x in v]\n    return v\nprint(json.dumps({n: enc(globals()[n]) for n in ${JSON.stringify(names)}}))\n`;
  return JSON.parse(execFileSync('python3', ['-c', script], { encoding: 'utf8' }));
}

/** What JavaScript makes of a rendered TypeScript/JavaScript cell (it has no type annotations). */
function evalJs(source: string, names: string[]): Record<string, unknown> {
  return runInNewContext(`${source}\n({ ${names.join(', ')} })`) as Record<string, unknown>;
}

describe('renderParameters', () => {
  const params = {
    month: '2026-10',
    text: tricky,
    count: 42,
    ratio: 0.1,
    negative: -3.5,
    big: 1e21,
    flag: true,
    off: false,
    nothing: null,
    items: [1, 'two', [3], { four: 4 }, null],
    nested: { 'a key': { deep: [true, tricky] }, empty: {}, none: [] },
    day: new Date('2026-10-31T00:00:00.000Z'),
  };
  const asJson = JSON.parse(JSON.stringify(params));

  it('renders Python literals that evaluate to the values (None/True/False, escapes, nesting, dates as ISO strings)', () => {
    const src = renderParameters('python', params);
    expect(src.split('\n')[0]).toBe('# Parameters');
    expect(src).toContain('nothing = None\n');
    expect(src).toContain('flag = True\n');
    expect(src).toContain('off = False\n');
    expect(src).toContain('day = "2026-10-31T00:00:00.000Z"\n');
    expect(evalPython(src, Object.keys(params))).toEqual(asJson);
  });

  it('renders Python NaN, infinities and big integers exactly', () => {
    const src = renderParameters('python', { nan: NaN, inf: Infinity, ninf: -Infinity, huge: 12345678901234567890123n });
    expect(src).toBe("# Parameters\nnan = float('nan')\ninf = float('inf')\nninf = float('-inf')\nhuge = 12345678901234567890123\n");
    expect(evalPython(src, ['nan', 'inf', 'ninf'])).toEqual({ nan: 'nan', inf: 'inf', ninf: '-inf' });
    expect(execFileSync('python3', ['-c', `${src}\nprint(huge + 1)`], { encoding: 'utf8' }).trim()).toBe('12345678901234567890124');
  });

  it.each(['typescript', 'javascript'])('renders %s as const declarations that evaluate to the values', (lang) => {
    const src = renderParameters(lang, params);
    expect(src.split('\n')[0]).toBe('// Parameters');
    expect(src).toContain('const count = 42;\n');
    expect(src).toContain('const day = "2026-10-31T00:00:00.000Z";\n');
    expect(JSON.parse(JSON.stringify(evalJs(src, Object.keys(params))))).toEqual(asJson);
    const special = evalJs(renderParameters(lang, { nan: NaN, inf: -Infinity, huge: 2n ** 70n }), ['nan', 'inf', 'huge']);
    expect(special).toEqual({ nan: NaN, inf: -Infinity, huge: 2n ** 70n });
  });

  it('renders SQL as the kernel\'s %params magic holding a JSON object', () => {
    const src = renderParameters('sql', params);
    expect(src.startsWith('%params {')).toBe(true);
    expect(src.endsWith('\n')).toBe(true);
    expect(src.trim().split('\n')).toHaveLength(1); // the JSON escapes newlines
    expect(JSON.parse(src.slice('%params'.length))).toEqual(asJson);
    expect(renderParameters('sql', { id: 7n })).toBe('%params {"id":7}\n');
  });

  it('refuses what SQL parameters cannot carry exactly', () => {
    expect(() => renderParameters('sql', { x: NaN })).toThrow(/Cannot render parameter x for SQL: NaN has no JSON form/);
    expect(() => renderParameters('sql', { x: { y: [Infinity] } })).toThrow(/x\.y\[0\]/);
    expect(() => renderParameters('sql', { x: 2n ** 64n })).toThrow(/pass it as a string/);
  });

  it('leaves out undefined entries and makes undefined array items null, as JSON does', () => {
    expect(renderParameters('python', { a: undefined, b: [undefined], c: { d: undefined } })).toBe('# Parameters\nb = [None]\nc = {}\n');
  });

  it('refuses names that are not identifiers or are keywords, and values that are not JSON', () => {
    const bad = (lang: string, p: Record<string, unknown>) => {
      try {
        renderParameters(lang, p);
      } catch (err) {
        expect(err).toBeInstanceOf(AppError);
        expect((err as AppError).code).toBe('bad_request');
        return (err as Error).message;
      }
      throw new Error('expected a refusal');
    };
    expect(bad('python', { 'a b': 1 })).toMatch(/Cannot render parameter "a b": not a usable python name/);
    expect(bad('python', { 'x=1;import os;y': 1 })).toMatch(/not a usable python name/);
    expect(bad('python', { class: 1 })).toMatch(/keyword/);
    expect(bad('typescript', { const: 1 })).toMatch(/not a usable typescript name/);
    expect(bad('sql', { '1st': 1 })).toMatch(/not a usable sql name/);
    expect(bad('python', { m: new Map() })).toMatch(/Cannot render parameter m: a Map is not a JSON value/);
    expect(bad('python', { f: () => 1 })).toMatch(/a function is not a JSON value/);
    expect(bad('python', { d: new Date('nope') })).toMatch(/invalid date/);
    expect(bad('r', { a: 1 })).toMatch(/Cannot inject parameters: no parameter syntax for language "r"/);
  });

  it('accepts $ in JavaScript names and kernel language aliases', () => {
    expect(renderParameters('TypeScript', { $x: 1 })).toBe('// Parameters\nconst $x = 1;\n');
    expect(renderParameters('python3', {})).toBe('# Parameters\n');
  });
});

const code = (source: string, tags?: string[], id?: string): CodeCell => ({ cell_type: 'code', execution_count: null, metadata: tags ? { tags } : {}, outputs: [], source, ...(id ? { id } : {}) });
const nbOf = (cells: NotebookCell[], minor = 5): NotebookDocument => ({ nbformat: 4, nbformat_minor: minor, metadata: { kernelspec: { name: 'python3' } }, cells });
const sources = (nb: NotebookDocument) => nb.cells.map((c) => c.source);

describe('injectParameters', () => {
  it('inserts the injected cell right after the parameters cell, keeping the defaults, and records the parameters', () => {
    const input = nbOf([code('import os', [], 'a'), code('month = "2026-01"', ['parameters'], 'b'), code('print(month)', undefined, 'c')]);
    const out = injectParameters(input, { month: '2026-10' }, 'python');
    expect(sources(out)).toEqual(['import os', 'month = "2026-01"', '# Parameters\nmonth = "2026-10"\n', 'print(month)']);
    expect(out.cells[2]!.metadata.tags).toEqual(['injected-parameters']);
    expect(out.cells[2]!.id).toBe('injected-parameters');
    expect(out.metadata.papermill).toEqual({ parameters: { month: '2026-10' } });
    expect(input.cells).toHaveLength(3); // the input is not changed
    expect(input.metadata.papermill).toBeUndefined();
  });

  it('inserts it first when there is no parameters cell', () => {
    const out = injectParameters(nbOf([code('print(x)')], 4), { x: 1 }, 'python');
    expect(sources(out)).toEqual(['# Parameters\nx = 1\n', 'print(x)']);
    expect(out.cells[0]!.id).toBeUndefined(); // nbformat 4.4 has no cell ids
  });

  it('replaces the injected cell of an earlier run in place (only one remains, its id kept)', () => {
    const first = injectParameters(nbOf([code('x = 0', ['parameters']), code('print(x)')]), { x: 1 }, 'python');
    const second = injectParameters(first, { x: 2, y: 'b' }, 'python');
    expect(sources(second)).toEqual(['x = 0', '# Parameters\nx = 2\ny = "b"\n', 'print(x)']);
    expect(second.cells.filter((c) => c.metadata.tags?.includes('injected-parameters'))).toHaveLength(1);
    expect(second.cells[1]!.id).toBe(first.cells[1]!.id);
    expect(second.metadata.papermill).toEqual({ parameters: { x: 2, y: 'b' } });
  });

  it('uses the first parameters cell when there are several, and picks an unused cell id', () => {
    const out = injectParameters(nbOf([code('a = 1', ['parameters'], 'injected-parameters'), code('b = 1', ['parameters'])]), { a: 2 }, 'python');
    expect(sources(out)).toEqual(['a = 1', '# Parameters\na = 2\n', 'b = 1']);
    expect(out.cells[1]!.id).toBe('injected-parameters-2');
  });

  it('writes the kernel language and records JSON-safe parameters (dates as strings, bigints as numbers)', () => {
    const out = injectParameters(nbOf([]), { day: new Date('2026-10-31T12:00:00Z'), n: 5n }, 'typescript');
    expect(out.cells[0]!.source).toBe('// Parameters\nconst day = "2026-10-31T12:00:00.000Z";\nconst n = 5n;\n');
    expect(out.metadata.papermill).toEqual({ parameters: { day: '2026-10-31T12:00:00.000Z', n: 5 } });
  });
});
