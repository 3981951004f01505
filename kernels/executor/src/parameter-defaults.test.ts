import { execFileSync } from 'node:child_process';
import { runInNewContext } from 'node:vm';
import type { NotebookDocument } from './notebook';
import { setParameterDefaults } from './parameter-defaults';

function notebook(language: string, parameters: string, other = 'print(1)\n'): NotebookDocument {
  return {
    nbformat: 4,
    nbformat_minor: 5,
    metadata: { kernelspec: { name: language, display_name: language, language } },
    cells: [
      { id: 'md', cell_type: 'markdown', metadata: {}, source: '# Title' },
      { id: 'p', cell_type: 'code', execution_count: null, metadata: { tags: ['parameters'] }, outputs: [], source: parameters },
      { id: 'c', cell_type: 'code', execution_count: null, metadata: {}, outputs: [], source: other },
    ],
  };
}

function sourceOf(nb: NotebookDocument, id: string): string {
  const c = nb.cells.find((x) => x.id === id)!;
  return Array.isArray(c.source) ? c.source.join('') : c.source;
}

describe('setParameterDefaults', () => {
  test('Python: the assignments it names get the new values; comments, other names and the rest of the notebook stay', () => {
    const before = notebook('python', '# Defaults\nconnection = "odoo"  # the Odoo database\nthreshold: float = 0.5\naccounts = [\n    "401",\n    "411",\n]\nrun_id = "manual"\n');
    const r = setParameterDefaults(before, { connection: 'odoo-prod "eu"', threshold: 0.25, accounts: ['512'], absent: 1 }, 'python');
    expect(r.set).toEqual(['connection', 'threshold', 'accounts']);
    expect(r.missing).toEqual(['absent']);
    const src = sourceOf(r.notebook, 'p');
    expect(src).toBe('# Defaults\nconnection = "odoo-prod \\"eu\\""\nthreshold = 0.25\naccounts = ["512"]\nrun_id = "manual"\n');
    const vars = JSON.parse(execFileSync('python3', ['-c', `${src}\nimport json\nprint(json.dumps([connection, threshold, accounts, run_id]))`], { encoding: 'utf8' })) as unknown;
    expect(vars).toEqual(['odoo-prod "eu"', 0.25, ['512'], 'manual']);
    expect(sourceOf(r.notebook, 'md')).toBe('# Title');
    expect(sourceOf(before, 'p')).toContain('"odoo"');
  });

  test('Python: an indented assignment (inside a block) and a comparison are not parameters', () => {
    const r = setParameterDefaults(notebook('python', 'if True:\n    x = 1\ny == 2\n'), { x: 5, y: 6 }, 'python');
    expect(r.set).toEqual([]);
    expect(sourceOf(r.notebook, 'p')).toBe('if True:\n    x = 1\ny == 2\n');
  });

  test('TypeScript: const/let with or without a type keep their indentation and read back as the values', () => {
    const r = setParameterDefaults(notebook('typescript', 'const month: string = "2026-10";\nlet limit = 10;\nconst other = 1;\n'), { month: '2026-11', limit: 20 }, 'typescript');
    expect(r.set).toEqual(['month', 'limit']);
    const src = sourceOf(r.notebook, 'p');
    expect(src).toBe('const month = "2026-11";\nconst limit = 20;\nconst other = 1;\n');
    expect(runInNewContext(`${src}\n({ month, limit, other })`)).toEqual({ month: '2026-11', limit: 20, other: 1 });
  });

  test('SQL: keys of the %params object are replaced in order; unknown keys are missing, the statement after it stays', () => {
    const r = setParameterDefaults(notebook('sql', '-- defaults\n%params {"month": "2026-10", "company": 1}\n', 'SELECT 1'), { company: 3, nope: true }, 'sql');
    expect(r.set).toEqual(['company']);
    expect(r.missing).toEqual(['nope']);
    expect(sourceOf(r.notebook, 'p')).toBe('-- defaults\n%params {"month":"2026-10","company":3}\n');
  });

  test('a notebook without a parameters cell: nothing changes and every name is missing', () => {
    const nb = notebook('python', 'x = 1\n');
    nb.cells[1]!.metadata = {};
    const r = setParameterDefaults(nb, { x: 2 }, 'python');
    expect(r).toEqual({ notebook: nb, set: [], missing: ['x'] });
  });

  test('bad input: a %params that is not JSON, a language without parameter syntax', () => {
    expect(() => setParameterDefaults(notebook('sql', '%params {"a": }\n'), { a: 1 }, 'sql')).toThrow(/%params is not JSON/);
    expect(() => setParameterDefaults(notebook('sql', '%params {"a": 1\n'), { a: 1 }, 'sql')).toThrow(/does not close/);
    expect(() => setParameterDefaults(notebook('r', 'a <- 1'), { a: 1 }, 'r')).toThrow(/no parameter syntax for language "r"/);
  });
});
