/**
 * `generateOdooDemo`: fill an EMPTY PostgreSQL database with a year of
 * Odoo 17 accounting for several companies (see README.md): the real
 * tables, types and comments, plausible and internally consistent data,
 * and, on request, seeded faults recorded in the summary.
 *
 * Fast: rows stream through COPY on one connection per large table while
 * the year is simulated; keys, indexes and foreign keys come afterwards,
 * built over three connections. Deterministic: one seed (and the same
 * options) gives the same database, whatever the clock says, because every
 * date and timestamp derives from the year.
 */
import { Client, type ClientConfig } from 'pg';
import { AppError, abortError } from '@workbench/core';
import { dayFromDate, isoFromDay, isWeekday, ymd } from '../accounting-date';
import { CopyIn } from './copy-in';
import { createTables, DEMO_TABLES, finishTables } from './ddl';
import { FAULT_KINDS, planFaults, type FaultKind, type InjectedFault } from './faults';
import { DemoFlows } from './flows';
import { FULL_COLUMNS, Ledger, LINE_COLUMNS, MOVE_COLUMNS, PARTIAL_COLUMNS, STATEMENT_LINE_COLUMNS, TAX_REL_COLUMNS, timestamp, type LedgerWriters } from './ledger';
import { Rng } from './rng';
import { writeStatements, writeStaticTables } from './static-rows';
import { buildWorld } from './world';

export interface GenerateOdooDemoOptions {
  /** The database to fill: pg client settings or a postgres:// URL. It must have no tables. */
  connection: ClientConfig | string;
  /** About how many journal items (account_move_line rows) to write; at least 1,000. */
  lines: number;
  /** Default 1. */
  seed?: number;
  /** The accounting year; default the year before `today`. */
  year?: number;
  /** Default now; only used to pick the default year. */
  today?: Date;
  /** Default 2 (an EUR company and a USD company); at most 10. */
  companies?: number;
  faults?: readonly FaultKind[];
  signal?: AbortSignal;
}

export interface DemoCompany {
  id: number;
  name: string;
  currency: string;
  lockDates: { period_lock_date: string | null; fiscalyear_lock_date: string | null; tax_lock_date: string | null };
  /** When a lock date was last changed (mail tracking on res.company), UTC `YYYY-MM-DD HH:MM:SS`. */
  lockSetAt: string;
}

export interface DemoSummary {
  database: string;
  seed: number;
  year: number;
  period: { from: string; to: string };
  /** Rows per table. */
  counts: Record<string, number>;
  companies: DemoCompany[];
  faults: InjectedFault[];
  elapsedMs: number;
}

/** Expected journal items per document, settlement included (measured on generated data). */
const LINES_PER_DOC = 8.0;

export async function generateOdooDemo(options: GenerateOdooDemoOptions): Promise<DemoSummary> {
  const started = performance.now();
  const opts = validate(options);
  const config: ClientConfig = typeof options.connection === 'string' ? { connectionString: options.connection } : options.connection;
  const clients: Client[] = [];
  const connect = async (): Promise<Client> => {
    const c = new Client(config);
    c.on('error', () => undefined); // a connection cut mid-run fails its next query instead
    clients.push(c);
    await c.connect();
    await c.query("SET synchronous_commit = off; SET maintenance_work_mem = '256MB'");
    return c;
  };
  const signal = options.signal;
  const check = () => {
    if (signal?.aborted) throw abortError(signal, 'generate the Odoo demo database');
  };
  let created = false;
  const writers: CopyIn[] = [];
  try {
    const main = await connect();
    const database = (await main.query<{ db: string }>('SELECT current_database() AS db')).rows[0]!.db;
    const { rows } = await main.query<{ n: string }>("SELECT count(*) AS n FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema')");
    if (Number(rows[0]!.n) > 0) throw new AppError('conflict', `Cannot generate the Odoo demo: database "${database}" is not empty (${rows[0]!.n} tables)`);
    created = true;
    await createTables(main);
    check();

    const rng = new Rng(opts.seed);
    const world = buildWorld(rng.fork(1), { year: opts.year, companies: opts.companies, partners: Math.min(3000, Math.max(40, Math.round(opts.lines / 400))) });
    const counts = await writeStaticTables(main, world);
    check();

    const ledgerClients = await Promise.all([0, 1, 2, 3, 4, 5].map(() => connect()));
    // Each COPY is remembered as soon as it runs, so a failure can abandon it (and release its table) before the cleanup.
    const start = async (i: number, table: string, columns: readonly string[]) => {
      const copy = await CopyIn.start(ledgerClients[i]!, table, columns, { freeze: true });
      writers.push(copy);
      return copy;
    };
    const w: LedgerWriters = {
      moves: await start(0, 'account_move', MOVE_COLUMNS),
      lines: await start(1, 'account_move_line', LINE_COLUMNS),
      partials: await start(2, 'account_partial_reconcile', PARTIAL_COLUMNS),
      fulls: await start(3, 'account_full_reconcile', FULL_COLUMNS),
      statementLines: await start(4, 'account_bank_statement_line', STATEMENT_LINE_COLUMNS),
      taxRel: await start(5, 'account_move_line_account_tax_rel', TAX_REL_COLUMNS),
    };
    const ledger = new Ledger(w, world.residualAccounts);
    const weekdays = countWeekdays(world.startDay, world.endDay);
    const fixedPerCompany = 230 + weekdays * 0.3;
    const docsPerDay = Math.max(0, (opts.lines / opts.companies - fixedPerCompany) / (weekdays * (LINES_PER_DOC + 0.024)));
    const flows = new DemoFlows(world, ledger, rng.fork(2), planFaults(rng.fork(3), opts.faults, opts.year, opts.companies), docsPerDay);
    await flows.run(signal);
    const stored = await Promise.all(writers.map((c) => c.end()));
    [counts.account_move, counts.account_move_line, counts.account_partial_reconcile, counts.account_full_reconcile, counts.account_bank_statement_line, counts.account_move_line_account_tax_rel] = stored;
    counts.account_bank_statement = await writeStatements(main, flows.statementRows());
    check();

    const missing = opts.faults.filter((k) => !flows.injected.some((f) => f.kind === k));
    if (missing.length) throw new AppError('bad_request', `Cannot generate the Odoo demo: too few lines to seed ${missing.join(', ')}; ask for more lines`);

    await finishTables([main, ledgerClients[0]!, ledgerClients[1]!]);
    return {
      database,
      seed: opts.seed,
      year: opts.year,
      period: { from: isoFromDay(world.startDay), to: isoFromDay(world.endDay) },
      counts: Object.fromEntries(DEMO_TABLES.map((t) => [t, counts[t] ?? 0])),
      companies: world.companies.map((c) => ({
        id: c.id,
        name: c.name,
        currency: c.currency.name,
        lockDates: { period_lock_date: iso(c.locks.period), fiscalyear_lock_date: iso(c.locks.fiscalyear), tax_lock_date: iso(c.locks.tax) },
        lockSetAt: timestamp(c.lockSetTs),
      })),
      faults: [...flows.injected].sort((a, b) => FAULT_KINDS.indexOf(a.kind) - FAULT_KINDS.indexOf(b.kind)),
      elapsedMs: Math.round(performance.now() - started),
    };
  } catch (err) {
    await Promise.all(writers.map((c) => c.fail('demo generation failed')));
    if (created && clients[0]) await clients[0].query(`DROP TABLE IF EXISTS ${DEMO_TABLES.join(', ')} CASCADE`).catch(() => undefined);
    throw err;
  } finally {
    await Promise.all(clients.map((c) => c.end().catch(() => undefined)));
  }
}

function iso(d: number | null): string | null {
  return d === null ? null : isoFromDay(d);
}

function countWeekdays(from: number, to: number): number {
  let n = 0;
  for (let d = from; d <= to; d++) if (isWeekday(d)) n++;
  return n;
}

function validate(o: GenerateOdooDemoOptions): { lines: number; seed: number; year: number; companies: number; faults: FaultKind[] } {
  const fail = (what: string) => new AppError('bad_request', `Cannot generate the Odoo demo: ${what}`);
  if (!Number.isInteger(o.lines) || o.lines < 1000 || o.lines > 50_000_000) throw fail('lines must be an integer from 1000 to 50000000');
  const seed = o.seed ?? 1;
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) throw fail('seed must be an integer from 0 to 4294967295');
  const year = o.year ?? ymd(dayFromDate(o.today ?? new Date())).year - 1;
  if (!Number.isInteger(year) || year < 1971 || year > 9998) throw fail('year must be an integer from 1971 to 9998');
  const companies = o.companies ?? 2;
  if (!Number.isInteger(companies) || companies < 1 || companies > 10) throw fail('companies must be an integer from 1 to 10');
  const faults = [...new Set(o.faults ?? [])];
  for (const f of faults) if (!(FAULT_KINDS as readonly string[]).includes(f)) throw fail(`unknown fault ${JSON.stringify(f)} (known: ${FAULT_KINDS.join(', ')})`);
  return { lines: o.lines, seed, year, companies, faults };
}
