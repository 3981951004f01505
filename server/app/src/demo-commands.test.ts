/**
 * `workbench demo odoo`: argument errors exit 2 with the usage; a small run
 * creates the database, prints what is in it and the connection to add;
 * an existing database with tables is refused unless --replace; --url
 * names the server and the database. The real binary answers a bad
 * invocation the same way.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { Client } from 'pg';
import { runDemoCommand } from './demo-commands';

const PG = { host: process.env.PGHOST ?? '127.0.0.1', port: Number(process.env.PGPORT ?? 5432), user: process.env.PGUSER ?? 'postgres' };
const BIN = join(__dirname, '..', '..', '..', 'bin', 'workbench.js');

async function admin(sql: string): Promise<void> {
  const c = new Client({ ...PG, database: 'postgres' });
  await c.connect();
  try {
    await c.query(sql);
  } finally {
    await c.end();
  }
}

async function tables(database: string): Promise<number> {
  const c = new Client({ ...PG, database });
  await c.connect();
  try {
    return (await c.query<{ n: number }>("SELECT count(*)::int AS n FROM pg_tables WHERE schemaname = 'public'")).rows[0]!.n;
  } finally {
    await c.end();
  }
}

describe('workbench demo odoo', () => {
  const env = { ...process.env, PGHOST: PG.host, PGPORT: String(PG.port), PGUSER: PG.user };
  const databases: string[] = [];
  const name = () => {
    const n = `wb_demo_cli_${randomBytes(5).toString('hex')}`;
    databases.push(n);
    return n;
  };

  async function run(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
    let out = '';
    let err = '';
    const code = await runDemoCommand(argv, env, { out: (s) => (out += s), err: (s) => (err += s) });
    return { code, out, err };
  }

  afterAll(async () => {
    for (const d of databases) await admin(`DROP DATABASE IF EXISTS ${d} WITH (FORCE)`);
  });

  it('refuses bad arguments with the usage (exit 2) and touches no database', async () => {
    const cases: [string[], RegExp][] = [
      [['demo', 'odoo'], /--lines is required/],
      [['demo', 'odoo', '--lines', 'many'], /--lines must be an integer from 1000 to 50000000, not "many"/],
      [['demo', 'odoo', '--lines', '10'], /--lines must be an integer from 1000/],
      [['demo', 'odoo', '--lines', '5000', '--faults', 'unbalanced_move,typo'], /--faults: unknown fault "typo" \(known: unbalanced_move, subledger_mismatch, /],
      [['demo', 'odoo', '--lines', '5000', '--companies', '0'], /--companies must be an integer from 1 to 10/],
      [['demo', 'odoo', '--lines', '5000', '--database', 'bad name;'], /--database "bad name;"/],
      [['demo', 'odoo', '--lines', '5000', '--url', 'mysql://x/y'], /--url must be a postgres:\/\/ URL/],
      [['demo', 'odoo', '--lines', '5000', '--colour'], /Unknown option '--colour'/],
      [['demo', 'sap'], /unknown command "demo sap"/],
    ];
    for (const [argv, message] of cases) {
      const r = await run(...argv);
      expect({ argv, code: r.code, out: r.out }).toEqual({ argv, code: 2, out: '' });
      expect(r.err).toMatch(message);
      expect(r.err).toContain('Usage:\n  workbench demo odoo --lines N');
    }
  });

  it('creates a small database, reports it and how to connect; refuses to overwrite it without --replace', async () => {
    const db = name();
    const r = await run('demo', 'odoo', '--lines', '3000', '--database', db, '--seed', '4', '--year', '2025', '--faults', 'duplicate_bill,sequence_gap');
    expect(r).toMatchObject({ code: 0, err: '' });
    expect(r.out).toMatch(new RegExp(`^Generating about 3000 journal items in "${db}" on ${PG.host}:${PG.port}…\\nOdoo 17 demo database "${db}": 2025-01-01 to 2025-12-31, seed 4, [\\d,]+ journal items, generated in [\\d.]+ s\\n`));
    expect(r.out).toContain('company 1 Workbench Europe SA (EUR): period locked to 2025-10-31');
    expect(r.out).toContain('company 2 Workbench Americas Inc. (USD)');
    expect(r.out).toMatch(/seeded faults \(2\):\n {4}\{"kind":"duplicate_bill",[^\n]*\n {4}\{"kind":"sequence_gap",/);
    const connection = JSON.parse(/\n {2}(\{"name":"odoo-demo".*\})\n/.exec(r.out)![1]!);
    expect(connection).toEqual({ name: 'odoo-demo', kind: 'postgres', settings: { host: PG.host, port: PG.port, database: db, user: PG.user, schemas: ['public'] } });
    expect(await tables(db)).toBe(18);

    const again = await run('demo', 'odoo', '--lines', '3000', '--database', db);
    expect(again.code).toBe(1);
    expect(again.err).toBe(`workbench: Cannot create the demo database: "${db}" exists and has 18 table(s); pass --replace to drop and recreate it\n`);

    const replaced = await run('demo', 'odoo', '--lines', '2000', '--database', db, '--replace', '--companies', '1');
    expect(replaced.code).toBe(0);
    expect(replaced.out).not.toContain('company 2');
  });

  it('takes the server and the database from --url; --database overrides the name', async () => {
    const db = name();
    const other = name();
    const r = await run('demo', 'odoo', '--lines', '1000', '--url', `postgres://${PG.user}@${PG.host}:${PG.port}/${db}`);
    expect(r.code).toBe(0);
    expect(r.out).toContain(`"database":"${db}"`);
    const r2 = await run('demo', 'odoo', '--lines', '1000', '--url', `postgres://${PG.user}@${PG.host}:${PG.port}/${db}`, '--database', other);
    expect(r2.code).toBe(0);
    expect(await tables(other)).toBe(18);
  });

  it('a failed run (server unreachable) exits 1 with the reason', async () => {
    const r = await run('demo', 'odoo', '--lines', '1000', '--url', 'postgres://nobody@127.0.0.1:1/odoo_demo');
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^workbench: Cannot create the Odoo demo database: .*ECONNREFUSED/);
  });

  it('the workbench binary runs the command', async () => {
    const { code, stderr } = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      const child = execFile(process.execPath, [BIN, 'demo', 'odoo', '--lines', 'x'], { env }, (_err, _stdout, stderr) => resolve({ code: child.exitCode, stderr }));
    });
    expect(code).toBe(2);
    expect(stderr).toMatch(/^workbench: --lines must be an integer/);
  });
});
