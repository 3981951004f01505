import { CatalogError } from './catalog-api';
import { LINEAGE, PREVIEW, SEARCH, SOURCES, TABLE } from './testing/fixtures';
import { readAbilities, readClassifyResults, readLineage, readNote, readPreview, readSearchResult, readSources, readTable, readTableList, readUsage } from './validate';

function invalid(fn: () => unknown): CatalogError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(CatalogError);
    expect((err as CatalogError).kind).toBe('invalid_response');
    return err as CatalogError;
  }
  throw new Error('expected a CatalogError');
}

describe('reading the catalog API', () => {
  it('reads what the server sends', () => {
    expect(readSources(SOURCES)).toEqual(SOURCES);
    expect(readSearchResult(SEARCH)).toEqual(SEARCH);
    expect(readTable(TABLE)).toEqual(TABLE);
    const { description: _d, owner: _o, tags: _t, terms: _r, columns: _c, ...summary } = TABLE;
    expect(readTableList([summary])).toEqual([summary]);
    expect(readPreview(PREVIEW)).toEqual(PREVIEW);
    expect(readLineage(LINEAGE)).toEqual(LINEAGE);
    const usage = { queries: 2, last_used: '2026-03-10T11:00:00.000Z', users: [{ actor: 'alice', queries: 2, last_used: '2026-03-10T11:00:00.000Z' }], columns: [{ name: 'debit', queries: 1 }] };
    expect(readUsage(usage)).toEqual(usage);
    expect(readUsage({ ...usage, last_used: null, users: [], columns: [] }).last_used).toBeNull();
    expect(readNote({ description: 'x', owner: null })).toEqual({ description: 'x', owner: null });
    const classified = [{ column: 'email', suggestion: { tag: 'pii:email', confidence: 0.97, basis: 'values', reason: 'r', matched: 40, sampled: 40 }, stored: 'suggested' }];
    expect(readClassifyResults(classified)).toEqual(classified);
  });

  it('drops keys it does not know', () => {
    expect(readTable({ ...TABLE, secret: 1, columns: TABLE.columns.map((c) => ({ ...c, extra: true })) })).toEqual(TABLE);
  });

  it('names what is wrong', () => {
    expect(invalid(() => readSources({})).message).toBe('Cannot read the catalog sources: the server answered with unexpected JSON (the answer is not an array)');
    expect(invalid(() => readSources([{ ...SOURCES[0], kind: 'mysql' }])).message).toContain('([0].kind is not one of warehouse, postgres, duckdb)');
    expect(invalid(() => readSearchResult({ ...SEARCH, hits: [{ ...SEARCH.hits[0], match: 'close' }] })).message).toContain('hits[0].match is not one of exact, prefix, word, tag, description, fuzzy');
    expect(invalid(() => readTable({ ...TABLE, columns: [{ ...TABLE.columns[0], nullable: 'yes' }] })).message).toContain('columns[0].nullable is not true or false');
    expect(invalid(() => readTable({ ...TABLE, row_count: -1 })).message).toContain('row_count is not a non-negative number or null');
    expect(invalid(() => readPreview({ ...PREVIEW, rows: [[1]] })).message).toContain('rows[0] is not a row of 2 cells');
    expect(invalid(() => readLineage({ ...LINEAGE, edges: [{ ...LINEAGE.edges[0], from: { key: 'k' } }] })).message).toContain('edges[0].from.column is not a string');
  });

  it('reads what the user may do', () => {
    expect(readAbilities({ identity: {}, permissions: { catalog: ['read', 'execute', 'write'], pii: ['read'] } })).toEqual({ read: true, refresh: true, write: true, pii: true });
    expect(readAbilities({ permissions: { catalog: ['read'], pii: [] } })).toEqual({ read: true, refresh: false, write: false, pii: false });
    expect(readAbilities({})).toEqual({ read: false, refresh: false, write: false, pii: false });
  });
});
