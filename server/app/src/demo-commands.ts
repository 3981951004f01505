/**
 * `workbench demo odoo`: create a PostgreSQL database holding a year of
 * Odoo 17 accounting (@workbench/odoo's generateOdooDemo), print what is
 * in it and the settings to add it as a Workbench connection.
 *
 *   workbench demo odoo --lines 1000000 [--database NAME] [--url postgres://…]
 *                       [--seed N] [--faults a,b,…] [--companies N] [--year YYYY] [--replace]
 *
 * The server is --url's (its database part is the default name), else
 * libpq's environment (PGHOST, PGPORT, PGUSER, PGPASSWORD; default
 * 127.0.0.1:5432 as postgres). An existing database is used only if it has
 * no tables; --replace drops and recreates it. A run that fails drops the
 * database it created.
 */
import { parseArgs } from 'node:util';
import { Client, type ClientConfig } from 'pg';
import { FAULT_KINDS, generateOdooDemo, isFaultKind, type DemoSummary, type FaultKind } from '@workbench/odoo';

export const DEMO_USAGE = `Usage:
  workbench demo odoo --lines N [--database NAME] [--url postgres://USER@HOST:PORT/NAME] [--seed N]
                      [--faults ${FAULT_KINDS.join(',')}] [--companies N] [--year YYYY] [--replace]
`;

interface Io {
  out: (s: string) => void;
  err: (s: string) => void;
}

class UsageError extends Error {}

interface DemoArgs {
  lines: number;
  seed: number;
  companies: number;
  year: number | undefined;
  faults: FaultKind[];
  replace: boolean;
  server: ClientConfig;
  database: string;
}

const DATABASE_NAME = /^[A-Za-z_][A-Za-z0-9_$-]{0,62}$/;

function integer(v: string | undefined, name: string, min: number, max: number): number | undefined {
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v) || Number(v) < min || Number(v) > max) throw new UsageError(`--${name} must be an integer from ${min} to ${max}, not ${JSON.stringify(v)}`);
  return Number(v);
}

function parse(rest: readonly string[], env: NodeJS.ProcessEnv): DemoArgs {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: [...rest],
      options: {
        lines: { type: 'string' },
        database: { type: 'string' },
        url: { type: 'string' },
        seed: { type: 'string' },
        faults: { type: 'string' },
        companies: { type: 'string' },
        year: { type: 'string' },
        replace: { type: 'boolean' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const lines = integer(values.lines as string | undefined, 'lines', 1000, 50_000_000);
  if (lines === undefined) throw new UsageError('--lines is required (how many journal items to generate, e.g. --lines 1000000)');
  const faults = ((values.faults as string | undefined) ?? '').split(',').map((f) => f.trim()).filter(Boolean);
  for (const f of faults) if (!isFaultKind(f)) throw new UsageError(`--faults: unknown fault ${JSON.stringify(f)} (known: ${FAULT_KINDS.join(', ')})`);
  let server: ClientConfig;
  let urlDatabase: string | undefined;
  if (typeof values.url === 'string') {
    let u: URL;
    try {
      u = new URL(values.url);
    } catch {
      throw new UsageError(`--url ${JSON.stringify(values.url)} is not a URL`);
    }
    if (u.protocol !== 'postgres:' && u.protocol !== 'postgresql:') throw new UsageError('--url must be a postgres:// URL');
    urlDatabase = decodeURIComponent(u.pathname.replace(/^\//, '')) || undefined;
    server = {
      host: decodeURIComponent(u.hostname) || (u.searchParams.get('host') ?? undefined),
      port: u.port ? Number(u.port) : Number(u.searchParams.get('port') ?? 5432),
      user: decodeURIComponent(u.username) || undefined,
      password: u.password ? decodeURIComponent(u.password) : undefined,
      ssl: u.searchParams.get('sslmode') === 'require' ? { rejectUnauthorized: false } : undefined,
    };
  } else {
    server = { host: env.PGHOST ?? '127.0.0.1', port: Number(env.PGPORT ?? 5432), user: env.PGUSER ?? 'postgres', password: env.PGPASSWORD };
  }
  const database = (values.database as string | undefined) ?? urlDatabase ?? 'odoo_demo';
  if (!DATABASE_NAME.test(database)) throw new UsageError(`--database ${JSON.stringify(database)}: use 1-63 letters, digits, _, $ or -, starting with a letter or _`);
  return {
    lines,
    seed: integer(values.seed as string | undefined, 'seed', 0, 0xffffffff) ?? 1,
    companies: integer(values.companies as string | undefined, 'companies', 1, 10) ?? 2,
    year: integer(values.year as string | undefined, 'year', 1971, 9998),
    faults: faults as FaultKind[],
    replace: values.replace === true,
    server,
    database,
  };
}

/** Runs `workbench demo …`; resolves with the exit code (2: bad arguments, 1: failure). */
export async function runDemoCommand(argv: readonly string[], env: NodeJS.ProcessEnv, io: Io, signal?: AbortSignal): Promise<number> {
  const [, what, ...rest] = argv;
  if (what !== 'odoo') {
    io.err(`workbench: unknown command ${JSON.stringify(`demo ${what ?? ''}`.trim())}\n\n${DEMO_USAGE}`);
    return 2;
  }
  let args: DemoArgs;
  try {
    args = parse(rest, env);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    io.err(`workbench: ${err.message}\n\n${DEMO_USAGE}`);
    return 2;
  }
  const quoted = `"${args.database.replace(/"/g, '""')}"`;
  const admin = new Client({ ...args.server, database: 'postgres' });
  admin.on('error', () => undefined);
  let created = false;
  try {
    await admin.connect();
    const exists = (await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [args.database])).rows.length > 0;
    if (exists) {
      const tables = await countTables({ ...args.server, database: args.database });
      if (tables > 0 && !args.replace) {
        io.err(`workbench: Cannot create the demo database: "${args.database}" exists and has ${tables} table(s); pass --replace to drop and recreate it\n`);
        return 1;
      }
      if (tables > 0) {
        await admin.query(`DROP DATABASE ${quoted} WITH (FORCE)`);
        await admin.query(`CREATE DATABASE ${quoted}`);
        created = true;
      }
    } else {
      await admin.query(`CREATE DATABASE ${quoted}`);
      created = true;
    }
    io.out(`Generating about ${args.lines} journal items in "${args.database}" on ${args.server.host}:${args.server.port}…\n`);
    const summary = await generateOdooDemo({ connection: { ...args.server, database: args.database }, lines: args.lines, seed: args.seed, companies: args.companies, year: args.year, faults: args.faults, signal });
    io.out(report(summary, args));
    return 0;
  } catch (err) {
    io.err(`workbench: Cannot create the Odoo demo database: ${err instanceof Error ? err.message : String(err)}\n`);
    if (created) await admin.query(`DROP DATABASE IF EXISTS ${quoted} WITH (FORCE)`).catch(() => undefined);
    return 1;
  } finally {
    await admin.end().catch(() => undefined);
  }
}

async function countTables(config: ClientConfig): Promise<number> {
  const c = new Client(config);
  c.on('error', () => undefined);
  await c.connect();
  try {
    const { rows } = await c.query<{ n: number }>("SELECT count(*)::int AS n FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema')");
    return rows[0]!.n;
  } finally {
    await c.end();
  }
}

function report(s: DemoSummary, a: DemoArgs): string {
  const n = (x: number) => x.toLocaleString('en-US');
  const out: string[] = [];
  out.push(`Odoo 17 demo database "${s.database}": ${s.period.from} to ${s.period.to}, seed ${s.seed}, ${n(s.counts.account_move_line ?? 0)} journal items, generated in ${(s.elapsedMs / 1000).toFixed(1)} s`);
  for (const c of s.companies) {
    out.push(`  company ${c.id} ${c.name} (${c.currency}): period locked to ${c.lockDates.period_lock_date}, fiscal year to ${c.lockDates.fiscalyear_lock_date}, taxes to ${c.lockDates.tax_lock_date}; last lock change ${c.lockSetAt} UTC`);
  }
  out.push(`  rows: ${Object.entries(s.counts).filter(([, v]) => v > 0).sort((x, y) => y[1] - x[1]).map(([t, v]) => `${t} ${n(v)}`).join(', ')}`);
  if (s.faults.length) {
    out.push(`  seeded faults (${s.faults.length}):`);
    for (const f of s.faults) out.push(`    ${JSON.stringify(f)}`);
  } else out.push('  seeded faults: none');
  const settings = { host: a.server.host, port: a.server.port, database: s.database, user: a.server.user ?? 'postgres', schemas: ['public'] };
  out.push('');
  out.push('Add it as a Workbench connection (POST /api/connections, or the Connections panel):');
  out.push(`  ${JSON.stringify({ name: 'odoo-demo', kind: 'postgres', settings })}`);
  out.push(a.server.password ? '  with the credential {"password": "…"} you connected with.' : '  (no credential needed for a trust-authenticated server; otherwise add {"password": "…"}).');
  return `${out.join('\n')}\n`;
}
