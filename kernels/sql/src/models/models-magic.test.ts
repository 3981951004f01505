/**
 * `%build_models` in a real SqlKernel (in-memory DuckDB): the report shows,
 * the models are there for the next cell, a failing test fails the cell
 * (ModelsFailed, naming it), and bad lines or folders are the cell's
 * SqlError with the reason.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ExecuteContext } from '../kernel-server';
import { SqlKernel } from '../sql-kernel';

function context(shown: Record<string, unknown>[]): ExecuteContext {
  const ctx: Partial<ExecuteContext> = {
    executionCount: 1,
    signal: new AbortController().signal,
    silent: false,
    storeHistory: true,
    userExpressions: {},
    metadata: {},
    stream: () => undefined,
    display: (data) => void shown.push(data),
    updateDisplay: () => undefined,
    result: (data) => void shown.push(data),
    clearOutput: () => undefined,
  };
  return ctx as ExecuteContext;
}

describe('%build_models in the SQL kernel', () => {
  let dir: string;
  let kernel: SqlKernel;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'wb-models-magic-'));
    await writeFile(join(dir, 'stg_people.sql'), "SELECT * FROM (VALUES (1, 'a'), (2, 'b'), (2, 'c')) t(id, name)");
    await writeFile(join(dir, 'people.sql'), "SELECT id, max(name) AS name FROM {{ ref('stg_people') }} GROUP BY id");
    await writeFile(join(dir, 'schema.yml'), 'models:\n  - name: people\n    columns:\n      - name: id\n        tests: [unique, not_null]\n  - name: stg_people\n    columns:\n      - name: id\n        tests: [unique]\n');
    kernel = await SqlKernel.create({ connections: new Map(), maxRows: 1000, version: 'test' });
  });
  afterEach(async () => {
    await kernel[Symbol.asyncDispose]();
    await rm(dir, { recursive: true, force: true });
  });

  it('builds the folder, shows the report, and fails the cell on the seeded duplicate', async () => {
    const shown: Record<string, unknown>[] = [];
    await expect(kernel.execute(`%build_models ${dir} schema=marts`, context(shown))).rejects.toMatchObject({ ename: 'ModelsFailed', evalue: 'stg_people.id unique found 1' });
    expect(shown).toHaveLength(1);
    expect(String(shown[0]!['text/plain']).split('\n').map((l) => l.replace(/, \d+ ms\)/, ')'))).toEqual([
      'Models in marts: 2 of 2 built; tests: 2 of 3 passed',
      '  built   stg_people (table, 3 rows)',
      '  built   people (table, 2 rows)',
      '  pass    people.id unique',
      '  pass    people.id not_null',
      '  fail    stg_people.id unique: 1 failing',
    ]);
    expect(shown[0]!['application/vnd.workbench.models+json']).toMatchObject({ schema: 'marts', ok: false, tests: expect.arrayContaining([expect.objectContaining({ model: 'stg_people', status: 'fail', sample: [[2, 2]] })]) });
    const shownAgain: Record<string, unknown>[] = [];
    await kernel.execute('SELECT count(*) AS n FROM marts.people', context(shownAgain));
    expect(JSON.stringify(shownAgain[0])).toContain('"n"');
  });

  it('refuses a bad line and a missing folder with the reason', async () => {
    await expect(kernel.execute('%build_models', context([]))).rejects.toMatchObject({ ename: 'SqlError', evalue: expect.stringMatching(/takes a folder/) });
    await expect(kernel.execute(`%build_models ${dir} schema=bad-name`, context([]))).rejects.toMatchObject({ ename: 'SqlError', evalue: 'Cannot run %build_models: schema=bad-name is not a schema name' });
    await expect(kernel.execute(`%build_models ${join(dir, 'nope')}`, context([]))).rejects.toMatchObject({ ename: 'SqlError', evalue: expect.stringMatching(/^Cannot read the models: no folder /) });
  });
});
