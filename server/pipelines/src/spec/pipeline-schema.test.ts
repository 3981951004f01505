/**
 * pipeline.schema.json, the schema published for editors, is
 * PIPELINE_JSON_SCHEMA as written: this test rewrites the file when it is
 * stale and fails, so a stale file never passes CI unnoticed.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv from 'ajv';
import { PATTERNS, PIPELINE_JSON_SCHEMA } from './pipeline-schema';

const FILE = join(__dirname, '..', '..', 'pipeline.schema.json');

describe('PIPELINE_JSON_SCHEMA', () => {
  it('is what server/pipelines/pipeline.schema.json holds', () => {
    const expected = `${JSON.stringify(PIPELINE_JSON_SCHEMA, null, 2)}\n`;
    const actual = existsSync(FILE) ? readFileSync(FILE, 'utf8') : undefined;
    if (actual !== expected) writeFileSync(FILE, expected);
    expect(actual === expected ? 'fresh' : 'pipeline.schema.json was stale and has been rewritten: commit it').toBe('fresh');
  });

  it('compiles under ajv strict mode, with every pattern a valid unicode regular expression', () => {
    expect(() => new Ajv({ strict: true, strictTypes: false, strictRequired: false }).compile(PIPELINE_JSON_SCHEMA)).not.toThrow();
    for (const p of Object.values(PATTERNS)) expect(() => new RegExp(p.pattern, 'u')).not.toThrow();
  });

  it('accepts a typical file and refuses an unknown key', () => {
    const validate = new Ajv({ strictTypes: false, strictRequired: false }).compile(PIPELINE_JSON_SCHEMA);
    expect(validate({ tasks: { a: { notebook: 'a.ipynb', timeout: '1h30m' } }, schedule: [{ cron: '0 6 * * *' }] })).toBe(true);
    expect(validate({ tasks: { a: { notebook: 'a.ipynb', timeout: 'soon' } } })).toBe(false);
    expect(validate({ tasks: { a: { notebook: 'a.ipynb' } }, owner: 'me' })).toBe(false);
  });
});
