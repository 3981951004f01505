/**
 * Named database connections for the SQL kernel. The connections file names
 * hosts, databases and users; passwords come from an environment variable
 * or a secrets file (JSON, readable by its owner only) and never appear in
 * a notebook.
 *
 *   { "connections": {
 *       "odoo": { "kind": "postgres", "host": "db", "port": 5432, "database": "odoo",
 *                 "user": "reader", "password": { "env": "ODOO_PG_PASSWORD" } },
 *       "finance": { "kind": "postgres", "database": "finance", "password": { "secret": "finance_pg" } } } }
 */
import { readFileSync, statSync } from 'node:fs';

export interface PostgresConnection {
  name: string;
  kind: 'postgres';
  host: string;
  port: number;
  database: string;
  user: string;
  password: string | undefined;
  /** libpq-style extra options: application_name, statement_timeout (ms), ssl. */
  applicationName: string;
  statementTimeoutMs: number | undefined;
  ssl: boolean;
}

export type Connection = PostgresConnection;

export class ConnectionConfigError extends Error {
  override readonly name = 'ConnectionConfigError';
}

function readJson(path: string, what: string): unknown {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new ConnectionConfigError(`Cannot read ${what} ${path}: ${(err as Error).message}`);
  }
}

/** Load and validate the connections file; secrets are resolved now, so errors show up at start. */
export function loadConnections(opts: { file?: string; secretsFile?: string; env: Readonly<Record<string, string | undefined>> }): Map<string, Connection> {
  const out = new Map<string, Connection>();
  if (!opts.file) return out;
  const doc = readJson(opts.file, 'connections file') as { connections?: unknown };
  if (typeof doc !== 'object' || doc === null || typeof doc.connections !== 'object' || doc.connections === null) {
    throw new ConnectionConfigError(`Cannot use connections file ${opts.file}: it must be {"connections": {name: {...}}}`);
  }
  let secrets: Record<string, unknown> | undefined;
  const secret = (key: string, conn: string): string => {
    if (!opts.secretsFile) throw new ConnectionConfigError(`Cannot resolve the password of connection ${conn}: it names secret "${key}" but no secrets file is configured`);
    if (!secrets) {
      const mode = statSync(opts.secretsFile).mode & 0o077;
      if (mode !== 0) throw new ConnectionConfigError(`Cannot use secrets file ${opts.secretsFile}: it is readable by group or others (chmod 600 it)`);
      secrets = readJson(opts.secretsFile, 'secrets file') as Record<string, unknown>;
    }
    const v = secrets[key];
    if (typeof v !== 'string') throw new ConnectionConfigError(`Cannot resolve the password of connection ${conn}: secret "${key}" is missing from the secrets file`);
    return v;
  };
  for (const [name, raw] of Object.entries(doc.connections as Record<string, unknown>)) {
    if (!/^[A-Za-z_][A-Za-z0-9_-]*$/.test(name)) throw new ConnectionConfigError(`Cannot use connection name ${JSON.stringify(name)}: use letters, digits, _ and -`);
    const c = raw as Record<string, unknown>;
    if (typeof c !== 'object' || c === null) throw new ConnectionConfigError(`Cannot use connection ${name}: not an object`);
    if (c.kind !== 'postgres') throw new ConnectionConfigError(`Cannot use connection ${name}: kind must be "postgres" (DuckDB is the built-in warehouse)`);
    if ('password' in c && typeof c.password === 'string') throw new ConnectionConfigError(`Cannot use connection ${name}: put the password in an environment variable ({"env": "NAME"}) or the secrets file ({"secret": "key"}), not in the connections file`);
    let password: string | undefined;
    const p = c.password as { env?: unknown; secret?: unknown } | undefined;
    if (p && typeof p.env === 'string') {
      password = opts.env[p.env];
      if (password === undefined) throw new ConnectionConfigError(`Cannot resolve the password of connection ${name}: environment variable ${p.env} is not set`);
    } else if (p && typeof p.secret === 'string') {
      password = secret(p.secret, name);
    }
    const str = (k: string, d: string) => {
      const v = c[k];
      if (v === undefined) return d;
      if (typeof v !== 'string' || v === '') throw new ConnectionConfigError(`Cannot use connection ${name}: ${k} must be a non-empty string`);
      return v;
    };
    const port = c.port === undefined ? 5432 : Number(c.port);
    if (!Number.isInteger(port) || port <= 0 || port > 65535) throw new ConnectionConfigError(`Cannot use connection ${name}: port must be 1-65535`);
    out.set(name, {
      name,
      kind: 'postgres',
      host: str('host', '127.0.0.1'),
      port,
      database: str('database', name),
      user: str('user', 'postgres'),
      password,
      applicationName: str('application_name', 'workbench-sql-kernel'),
      statementTimeoutMs: typeof c.statement_timeout_ms === 'number' ? c.statement_timeout_ms : undefined,
      ssl: c.ssl === true,
    });
  }
  return out;
}
