import { sqlRowCount, TASK_VALUES_MIME, taskValuesIn } from './task-values';

describe('task values', () => {
  it('reads an object, or a string holding one (tslab display.raw)', () => {
    expect(taskValuesIn({ [TASK_VALUES_MIME]: { total: 3, period: { month: '2026-10' } }, 'text/plain': 'x' })).toEqual({ total: 3, period: { month: '2026-10' } });
    expect(taskValuesIn({ [TASK_VALUES_MIME]: '{"total": 3}' })).toEqual({ total: 3 });
  });

  it('ignores bundles without task values or with something else than an object', () => {
    expect(taskValuesIn({ 'text/plain': '{"total": 3}' })).toBeUndefined();
    expect(taskValuesIn({ [TASK_VALUES_MIME]: [1, 2] })).toBeUndefined();
    expect(taskValuesIn({ [TASK_VALUES_MIME]: 'not json' })).toBeUndefined();
    expect(taskValuesIn({ [TASK_VALUES_MIME]: '3' })).toBeUndefined();
  });

  it('reads a SQL result row count from the kernel metadata, else from the data resource', () => {
    expect(sqlRowCount({}, { workbench: { connection: 'warehouse', rows: 1200, truncated: true } })).toBe(1200);
    expect(sqlRowCount({ 'application/vnd.dataresource+json': { schema: { fields: [] }, data: [{}, {}] } }, {})).toBe(2);
    expect(sqlRowCount({ 'application/vnd.dataresource+json': { schema: { fields: [] }, data: [{}] } }, { workbench: { rows: 50, counting: true } })).toBe(1);
    expect(sqlRowCount({ 'text/plain': 'ok' }, {})).toBeUndefined();
  });
});
