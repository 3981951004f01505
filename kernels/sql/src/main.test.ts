import { duckDbLimits } from './main';

describe('DuckDB limits from the kernel environment', () => {
  it('gives DuckDB 75% of MEM_LIMIT and a thread per started core of CPU_LIMIT', () => {
    expect(duckDbLimits({ MEM_LIMIT: String(4 * 2 ** 30), CPU_LIMIT: '1.5' })).toEqual({ memory_limit: '3072MiB', threads: '2' });
  });

  it('leaves DuckDB its defaults when no limit is set or a value is not a number', () => {
    expect(duckDbLimits({})).toEqual({});
    expect(duckDbLimits({ MEM_LIMIT: 'lots', CPU_LIMIT: '-1' })).toEqual({});
  });

  it('never goes below 64 MiB', () => {
    expect(duckDbLimits({ MEM_LIMIT: String(2 ** 20) })).toEqual({ memory_limit: '64MiB' });
  });
});
