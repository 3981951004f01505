/**
 * What a connection test answers: where it stopped and why, in the house
 * form "Cannot <action>: <state>", never with a credential in it.
 */

/**
 * Where a test stopped ('ok' when it did not):
 * dns (the host name), network (refused, unreachable, reset), timeout, tls
 * (no TLS, untrusted or wrong certificate), hostkey (SSH host key not the
 * pinned one), auth (login, key, token), file (DuckDB: missing, unreadable,
 * not a database, locked), database, schema, not_found (REST path, bucket,
 * SFTP path), permission, query (anything else the far side said).
 */
export type TestStage = 'dns' | 'network' | 'timeout' | 'tls' | 'hostkey' | 'auth' | 'file' | 'database' | 'schema' | 'not_found' | 'permission' | 'query' | 'ok';

export interface TestResult {
  ok: boolean;
  /** Where it stopped ('ok' when it did not). */
  stage: TestStage;
  message: string;
  elapsed_ms: number;
  /** The server's version or software, once connected (PostgreSQL, DuckDB, SSH server, HTTP `server` header). */
  server?: string;
  /** Per configured schema: whether it exists and the role may use it (PostgreSQL, DuckDB). */
  schemas?: { name: string; exists: boolean; usage: boolean }[];
  /** REST: the HTTP status of the health request. */
  status?: number;
  /** SFTP: the server's host key fingerprint ("SHA256:...", as `ssh-keygen -lf` prints it), to pin. */
  host_key_fingerprint?: string;
}

export interface TestOptions {
  signal?: AbortSignal;
  /** Milliseconds, for elapsed_ms (default performance.now). */
  now?: () => number;
}

export type Done = (stage: TestStage, message: string, extra?: Partial<TestResult>) => TestResult;

/** Start timing a test; `done` builds its result. */
export function startTest(options: TestOptions): Done {
  const now = options.now ?? (() => performance.now());
  const started = now();
  return (stage, message, extra = {}) => ({ ok: stage === 'ok', stage, message, elapsed_ms: Math.round(now() - started), ...extra });
}

/** `text` with every secret (at least 4 characters long) replaced by "***". */
export function redact(text: string, secrets: readonly (string | undefined)[]): string {
  let out = text;
  for (const s of secrets) if (s !== undefined && s.length >= 4) out = out.split(s).join('***');
  return out;
}
