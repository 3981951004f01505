/**
 * DuckDB database files (the warehouse the SQL kernels share, and others):
 * a path, read-only or not, and the schemas the connection is for. No
 * credential: access is the file system's. The manager hands out these
 * settings and the catalog opens the file itself (server/catalog's
 * duckdb-file.ts follows the kernels' `.wait` protocol for that).
 *
 * `test` opens the file as asked (read-only or not) and says what stops
 * it: missing, a folder, not readable or writable by the server's user,
 * not a DuckDB database (or damaged), or held by another process; then
 * checks that the schemas exist. It never creates a file.
 */
import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { isAbsolute } from 'node:path';
import type { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { z } from 'zod';
import { startTest, type TestOptions, type TestResult } from '../test-result';
import type { KindDriver } from './driver';

export const duckdbSettingsSchema = z
  .object({
    /** Absolute path of the database file. */
    path: z.string().min(1).max(4096).refine(isAbsolute, 'must be an absolute path'),
    /** Open it read-only (shared with other readers; nothing written). Default true. */
    read_only: z.boolean().default(true),
    /** Schemas this connection is for (discovery; `test` checks they exist). */
    schemas: z.array(z.string().min(1).max(255)).max(100).default(['main']),
  })
  .strict();
export type DuckDbSettings = z.infer<typeof duckdbSettingsSchema>;

/** DuckDB reports failures to open only as text ("IO Error: ..."); these are the forms it uses. */
const NOT_A_DATABASE = /not a valid DuckDB database file/i;
const LOCKED = /Could not set lock on file/i;
const HOLDER = /Conflicting lock is held in (.+?) \(PID (\d+)\)/;

/** What `message` from DuckDB says about the file at `path`, in the house form. */
export function describeOpenFailure(path: string, message: string): string {
  const what = `Cannot open DuckDB file ${path}`;
  if (NOT_A_DATABASE.test(message)) return `${what}: it is not a DuckDB database, or it is damaged`;
  if (LOCKED.test(message)) {
    const holder = HOLDER.exec(message);
    return `${what}: another process holds it${holder ? ` (${holder[1]}, PID ${holder[2]})` : ''}; DuckDB lets one process write a file at a time (a SQL kernel keeps the warehouse open between cells)`;
  }
  return `${what}: ${message.replace(/^IO Error: /, '')}`;
}

/** DuckDB's native module, loaded on the first test of a duckdb connection, not by everything that imports the connections package. */
function duckdbApi(): typeof import('@duckdb/node-api') {
  return require('@duckdb/node-api') as typeof import('@duckdb/node-api');
}

export async function testDuckDb(s: DuckDbSettings, _credential: undefined, options: TestOptions = {}): Promise<TestResult> {
  const done = startTest(options);
  const what = `Cannot open DuckDB file ${s.path}`;
  try {
    const st = await stat(s.path);
    if (st.isDirectory()) return done('file', `${what}: it is a folder, not a file`);
    if (!st.isFile()) return done('file', `${what}: it is not a regular file`);
    await access(s.path, constants.R_OK | (s.read_only ? 0 : constants.W_OK));
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === 'ENOENT') return done('file', `${what}: it does not exist`);
    if (code === 'ENOTDIR') return done('file', `${what}: a part of the path is not a folder`);
    if (code === 'EACCES' || code === 'EPERM') return done('file', `${what}: the server's user may not ${s.read_only ? 'read it' : 'read and write it (or set read_only)'}`);
    if (code === 'EROFS') return done('file', `${what}: it is on a read-only file system (set read_only)`);
    return done('file', `${what}: ${code ?? String(err)}`);
  }
  if (options.signal?.aborted) return done('timeout', `${what}: the test was cancelled`);
  let instance: DuckDBInstance | undefined;
  let conn: DuckDBConnection | undefined;
  const interrupt = () => conn?.interrupt();
  options.signal?.addEventListener('abort', interrupt, { once: true });
  try {
    try {
      instance = await duckdbApi().DuckDBInstance.create(s.path, { access_mode: s.read_only ? 'READ_ONLY' : 'READ_WRITE', threads: '1' });
      conn = await instance.connect();
    } catch (err) {
      return done('file', describeOpenFailure(s.path, err instanceof Error ? err.message : String(err)));
    }
    const version = String((await conn.runAndReadAll('select version() as v')).getRowObjects()[0]?.v ?? '');
    const present = new Set(
      (await conn.runAndReadAll('select schema_name from duckdb_schemas() where database_name = current_database()')).getRowObjects().map((r) => String(r.schema_name)),
    );
    const schemas = s.schemas.map((name) => ({ name, exists: present.has(name), usage: present.has(name) }));
    const server = `DuckDB ${version}`;
    const missing = schemas.find((x) => !x.exists);
    if (missing) return done('schema', `Opened DuckDB file ${s.path}, but schema ${JSON.stringify(missing.name)} does not exist in it`, { server, schemas });
    return done('ok', `Opened DuckDB file ${s.path}${s.read_only ? ' read-only' : ' for reading and writing'}`, { server, schemas });
  } catch (err) {
    if (options.signal?.aborted) return done('timeout', `Cannot check DuckDB file ${s.path}: the test was cancelled`);
    return done('query', `Cannot check DuckDB file ${s.path}: ${err instanceof Error ? err.message : String(err)}`);
  } finally {
    options.signal?.removeEventListener('abort', interrupt);
    conn?.closeSync();
    instance?.closeSync();
  }
}

export const duckdbDriver: KindDriver<'duckdb', DuckDbSettings, never> = {
  kind: 'duckdb',
  settingsSchema: duckdbSettingsSchema,
  credentialSchema: undefined,
  test: (s, _c, options) => testDuckDb(s, undefined, options),
};
