/**
 * `contentsModelReader`: a model folder read through a Contents-API port
 * and parsed by the SQL kernel's own rules (file naming, `-- model:`,
 * `schema.yml`, refs and cycles); what the kernel would refuse is an
 * AppError with the kernel's message. (Over the real ContentsManager:
 * server/app/src/dependencies.e2e.test.ts.)
 */
import { AppError, isAppError } from '@workbench/core';
import { contentsModelReader, type ModelFolderContents } from './model-reader';

/** A workspace of text files, keyed by workspace path; folders are implied by the paths. */
function workspace(files: Record<string, string>): ModelFolderContents & { reads: string[] } {
  const reads: string[] = [];
  return {
    reads,
    async get(path, options) {
      if (options.type === 'file') {
        reads.push(path);
        const text = files[path];
        if (text === undefined) throw new AppError('not_found', `Cannot find ${path}: no such file or directory`);
        return { content: text };
      }
      const prefix = path ? `${path}/` : '';
      const names = new Map<string, { name: string; type: string; size: number | null }>();
      for (const [p, text] of Object.entries(files)) {
        if (!p.startsWith(prefix)) continue;
        const [name, ...rest] = p.slice(prefix.length).split('/');
        names.set(name!, rest.length ? { name: name!, type: 'directory', size: null } : { name: name!, type: 'file', size: Buffer.byteLength(text) });
      }
      if (names.size === 0) throw new AppError('not_found', `Cannot find ${path}: no such file or directory`);
      return { content: [...names.values()] };
    },
  };
}

async function failure(p: Promise<unknown>): Promise<{ code: string; message: string }> {
  const err = await p.then(() => undefined, (e: unknown) => e);
  if (!isAppError(err)) throw new Error(`expected an AppError, got ${String(err)}`);
  return { code: err.code, message: err.message };
}

describe('contentsModelReader', () => {
  it('reads the .sql models of the folder in build order, named as the kernel names them; other files are not read', async () => {
    const ws = workspace({
      'proj/models/orders_by_day.sql': "SELECT day, count(*) AS n FROM {{ ref('stg_orders') }} GROUP BY day",
      'proj/models/stg.sql': "-- model: stg_orders\n{{ config(materialized='view') }}\nSELECT * FROM raw_orders",
      'proj/models/schema.yml': 'models:\n  - name: orders_by_day\n    columns:\n      - name: day\n        tests: [unique]\n',
      'proj/models/README.md': '# notes',
      'proj/models/old/x.sql': 'SELECT 1',
    });
    const models = await contentsModelReader(ws)('proj/models');
    expect(models.map((m) => m.name)).toEqual(['stg_orders', 'orders_by_day']);
    expect(models[0]!.sql).toContain('FROM raw_orders');
    expect(ws.reads.sort()).toEqual(['proj/models/orders_by_day.sql', 'proj/models/schema.yml', 'proj/models/stg.sql']);
  });

  it('a missing folder is the Contents API\'s message; an empty one, a broken model or a cycle the kernel\'s', async () => {
    const ws = workspace({
      'a/readme.md': 'x',
      'b/m.sql': '-- only a comment',
      'c/x.sql': "SELECT * FROM ref('y')",
      'c/y.sql': "SELECT * FROM ref('x')",
      'd/x.sql': "SELECT * FROM ref('nope')",
      'e/x.sql': 'SELECT 1',
      'e/schema.yml': 'models:\n  - name: other\n    columns:\n      - name: id\n        tests: [not_null]\n',
    });
    const read = contentsModelReader(ws);
    expect(await failure(read('nowhere'))).toEqual({ code: 'not_found', message: 'Cannot find nowhere: no such file or directory' });
    expect(await failure(read('a'))).toEqual({ code: 'bad_request', message: 'Cannot build the models: a holds no .sql model' });
    expect(await failure(read('b'))).toEqual({ code: 'bad_request', message: 'Cannot read model m.sql: it has no SQL' });
    expect(await failure(read('c'))).toEqual({ code: 'bad_request', message: 'Cannot build the models: they refer to each other in a cycle: x -> y -> x' });
    expect(await failure(read('d'))).toEqual({ code: 'bad_request', message: "Cannot build the models: x.sql refers to ref('nope'), which no model defines" });
    expect(await failure(read('e'))).toEqual({ code: 'bad_request', message: 'Cannot build the models: schema.yml tests model other, which no .sql file defines' });
  });

  it('refuses a folder of too many model files, or a model too big, before reading it', async () => {
    const ws = workspace({ 'm/a.sql': 'SELECT 1', 'm/b.sql': 'SELECT 2', 'big/a.sql': `SELECT 1 ${' '.repeat(2000)}` });
    expect(await failure(contentsModelReader(ws, { maxFiles: 1 })('m'))).toEqual({ code: 'bad_request', message: 'Cannot read the models: m holds 2 model files, more than 1' });
    expect(await failure(contentsModelReader(ws, { maxFileBytes: 1000 })('big'))).toEqual({ code: 'bad_request', message: 'Cannot read model big/a.sql: it is 2009 bytes, more than 1000' });
    expect(ws.reads).toEqual([]);
  });
});
