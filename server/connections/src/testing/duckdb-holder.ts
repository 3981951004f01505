/**
 * Another process that holds a DuckDB file open for writing, as a SQL
 * kernel holds the warehouse between cells: a Node child that opens it,
 * says "ready" when it holds the lock, and lets go when its stdin closes.
 */
import { spawn } from 'node:child_process';

export interface DuckDbHolder extends AsyncDisposable {
  pid: number;
}

const SCRIPT = `
const { DuckDBInstance } = require(process.env.WB_DUCKDB_API);
(async () => {
  const instance = await DuckDBInstance.create(process.env.WB_DUCKDB_FILE);
  const conn = await instance.connect();
  process.stdin.on('end', () => { conn.closeSync(); instance.closeSync(); process.exit(0); });
  process.stdin.resume();
  process.stdout.write('ready\\n');
})().catch((err) => { process.stderr.write(String(err && err.message)); process.exit(1); });
`;

export async function holdDuckDbFile(path: string): Promise<DuckDbHolder> {
  const child = spawn(process.execPath, ['-e', SCRIPT], {
    stdio: ['pipe', 'pipe', 'pipe'],
    env: { ...process.env, WB_DUCKDB_API: require.resolve('@duckdb/node-api'), WB_DUCKDB_FILE: path },
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let out = '';
  let err = '';
  child.stderr!.on('data', (b: Buffer) => (err += b.toString()));
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (b: Buffer) => {
      out += b.toString();
      if (out.includes('ready\n')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`Cannot hold DuckDB file ${path} (exit ${code}): ${err}`)));
  });
  let disposed: Promise<void> | undefined;
  return {
    pid: child.pid!,
    [Symbol.asyncDispose]() {
      disposed ??= (async () => {
        child.stdin!.end();
        await exited;
      })();
      return disposed;
    },
  };
}
