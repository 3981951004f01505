import { duckDbSettings } from './main';

describe('DuckDB limits from the kernel environment', () => {
  it('gives DuckDB 75% of MEM_LIMIT and a thread per started core of CPU_LIMIT', () => {
    expect(duckDbSettings({ MEM_LIMIT: String(4 * 2 ** 30), CPU_LIMIT: '1.5' })).toEqual({ memory_limit: '3072MiB', threads: '2' });
  });

  it('leaves DuckDB its defaults when no limit is set or a value is not a number', () => {
    expect(duckDbSettings({})).toEqual({});
    expect(duckDbSettings({ MEM_LIMIT: 'lots', CPU_LIMIT: '-1' })).toEqual({});
  });

  it('spills beside the connection file, not into the working folder', () => {
    expect(duckDbSettings({}, '/run/workbench/kernel-abc.json')).toEqual({ temp_directory: '/run/workbench/kernel-abc.duckdb-tmp' });
  });

  it('leaves the process itself at least 192 MiB, and never goes below 64 MiB', () => {
    expect(duckDbSettings({ MEM_LIMIT: String(512 * 2 ** 20) })).toEqual({ memory_limit: '320MiB' });
    expect(duckDbSettings({ MEM_LIMIT: String(2 ** 20) })).toEqual({ memory_limit: '64MiB' });
  });
});
