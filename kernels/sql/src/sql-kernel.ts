/**
 * The SQL kernel's behaviour behind the Jupyter kernel server: cells of SQL
 * (with `%%sql -> name`, `%connect NAME`, `-- connection: NAME`, `%params
 * {...}` and `$name`/`:name` parameters) run on the DuckDB warehouse or a
 * named PostgreSQL connection; results come back as text, HTML and a Table
 * Schema data resource; completion and inspection read the live catalog.
 * `%%expect NAME ...` cells are data-quality checks and `%expect_summary`
 * sums up the checks of the session (expectation.ts, README.md).
 *
 * The warehouse file is shared by every notebook. DuckDB lets one process
 * hold a database file at a time, so each kernel keeps its own in-memory
 * DuckDB and ATTACHes the warehouse while its cells run, keeping it between
 * cells until another kernel asks for it (a `.wait` file beside the
 * warehouse) or it has been idle for a moment. Tables created in one
 * notebook are visible in the next cell of any other.
 */
import { existsSync } from 'node:fs';
import { rm, writeFile } from 'node:fs/promises';
import type { Connection } from './connections';
import { DuckDbEngine, QueryResult } from './engine-duckdb';
import { PostgresEngine } from './engine-postgres';
import { GatewayEngine, type GatewayAccess } from './engine-gateway';
import { ExecuteContext, ExecutionError, KernelHandlers, KernelInfo } from './kernel-server';
import { bindParameters, isComplete, parseCell, type ParsedCell } from './magics';
import { renderResult, ResultSet } from './render';
import { checkLabel, type ExpectSpec } from './expect-magic';
import { CHECK_MIME, CHECK_SUMMARY_MIME, checkQuery, erroredCheck, evaluateCheck, failureMessage, impactsQuery, isBlocking, MAX_CURRENCIES, rowsToKeep, summarize, summaryFailureMessage, type CheckOutcome, type CheckQuery, type CheckResult } from './expectation';
import { renderCheck, renderSummary } from './check-render';
import { complete, CompletionCatalog, inspect } from './complete';
import { BUILD_MODELS, ModelsCellError, runBuildModels } from './models/models-magic';
import { toExecutionError } from './cell-error';

export const WAREHOUSE = 'warehouse';

export interface SqlKernelOptions {
  /** The shared DuckDB file; undefined = a private in-memory database. */
  warehousePath?: string;
  connections: ReadonlyMap<string, Connection>;
  /** Rows shown per result (the total is still counted). */
  maxRows: number;
  /** Initial notebook parameters (e.g. injected by the scheduler). */
  parameters?: Record<string, unknown>;
  /** How long a cell waits for another kernel's cell to release the warehouse. */
  lockTimeoutMs?: number;
  /** Keep the warehouse attached this long after a cell when nobody else asks (default 2 s). */
  holdIdleMs?: number;
  /** DuckDB settings (memory_limit, threads) for the kernel's engine. */
  duckdb?: Readonly<Record<string, string>>;
  /** The Workbench server: a connection not in `connections` is the server's, queried through it (the credential stays there). */
  gateway?: GatewayAccess;
  version: string;
}

export class SqlKernel implements KernelHandlers, AsyncDisposable {
  private current = WAREHOUSE;
  private readonly parameters: Record<string, unknown>;
  private readonly pg = new Map<string, PostgresEngine | GatewayEngine>();
  /** The latest result of each check run in this session, for `%expect_summary`. */
  private readonly checks = new Map<string, CheckResult>();

  private constructor(
    private readonly duck: DuckDbEngine,
    private readonly options: SqlKernelOptions,
  ) {
    this.parameters = { ...(options.parameters ?? {}) };
  }

  static async create(options: SqlKernelOptions): Promise<SqlKernel> {
    return new SqlKernel(await DuckDbEngine.open(':memory:', { maxRows: options.maxRows, config: options.duckdb }), options);
  }

  info(): KernelInfo {
    return {
      implementation: 'workbench-sql',
      implementation_version: this.options.version,
      language_info: { name: 'sql', version: 'duckdb+postgresql', mimetype: 'application/sql', file_extension: '.sql', codemirror_mode: 'sql', pygments_lexer: 'sql' },
      banner: `Workbench SQL kernel: DuckDB warehouse${this.options.connections.size ? ` and ${[...this.options.connections.keys()].join(', ')}` : ''}`,
      help_links: [{ text: 'DuckDB SQL', url: 'https://duckdb.org/docs/sql/introduction' }],
    };
  }

  private engineFor(name: string): PostgresEngine | GatewayEngine {
    const conn = this.options.connections.get(name);
    if (!conn && !this.options.gateway) throw new ExecutionError('ConnectionError', `Cannot use connection ${JSON.stringify(name)}: not defined (have ${[WAREHOUSE, ...this.options.connections.keys()].join(', ')})`);
    let e = this.pg.get(name);
    if (!e) {
      // A connection of the notebook's own connections file, else one of the Workbench server's.
      e = conn ? new PostgresEngine(conn) : new GatewayEngine(name, this.options.gateway!);
      this.pg.set(name, e);
    }
    return e;
  }

  async execute(code: string, ctx: ExecuteContext): Promise<void> {
    const trimmed = code.trimStart();
    if (trimmed.startsWith('%params')) return this.setParams(trimmed.slice('%params'.length), ctx);
    if (/^%expect_summary(?:\s|$)/.test(trimmed)) return this.expectSummary(trimmed, ctx);
    if (BUILD_MODELS.test(trimmed)) return this.buildModels(trimmed, ctx);
    let parsed;
    try {
      parsed = parseCell(code);
    } catch (err) {
      throw toExecutionError(err, code);
    }
    if (parsed.connect) {
      if (parsed.connect !== WAREHOUSE) this.engineFor(parsed.connect);
      this.current = parsed.connect;
      if (parsed.statements.length === 0 && !parsed.expect) {
        ctx.stream('stdout', `Using connection ${parsed.connect}.\n`);
        return;
      }
    }
    if (parsed.expect) return this.runCheck(parsed, parsed.expect, code, ctx);
    if (parsed.statements.length === 0) return;
    const target = parsed.connection ?? this.current;
    let result: ResultSet | undefined;
    // A big result's first rows are shown while the engine counts the rest; the final
    // result then replaces them (clear_output(wait) + execute_result, so nothing flickers).
    let previewed = false;
    const onPreview = (preview: ResultSet) => {
      previewed = true;
      ctx.display(renderResult(preview) as unknown as Record<string, unknown>, { workbench: { connection: target, rows: preview.rowCount, truncated: true, counting: true } });
    };
    await this.withWarehouse(target === WAREHOUSE || parsed.keepAs !== undefined, ctx, async () => {
      for (let i = 0; i < parsed.statements.length; i++) {
        const stmt = parsed.statements[i]!;
        const last = i === parsed.statements.length - 1;
        let params: unknown[];
        try {
          params = bindParameters(stmt, this.parameters, code);
        } catch (err) {
          throw toExecutionError(err, code);
        }
        try {
          if (target === WAREHOUSE) {
            result = last && parsed.keepAs ? await this.duck.keepAs(parsed.keepAs, stmt.sql, params, { signal: ctx.signal }) : await this.duck.query(stmt.sql, params, { signal: ctx.signal, maxRows: this.options.maxRows, onPreview: last ? onPreview : undefined });
          } else if (last && parsed.keepAs) {
            result = await this.pullIntoWarehouse(this.engineFor(target), parsed.keepAs, stmt.sql, params, ctx.signal);
          } else {
            result = await this.engineFor(target).query(stmt.sql, params, { maxRows: this.options.maxRows, signal: ctx.signal, onPreview: last ? onPreview : undefined });
          }
        } catch (err) {
          // The error replaces a preview shown before it (its count would never finish).
          if (previewed) ctx.clearOutput(true);
          throw toExecutionError(err, code, stmt.toCellOffset.bind(stmt));
        }
      }
    });
    if (previewed) ctx.clearOutput(true);
    if (result) ctx.result(renderResult(result) as unknown as Record<string, unknown>, { workbench: { connection: target, rows: result.rowCount, truncated: result.truncated } });
  }

  /** `%params {"month": "2026-10"}`: set notebook parameters (the scheduler injects such a cell). */
  private setParams(json: string, ctx: ExecuteContext): void {
    let value: unknown;
    try {
      value = JSON.parse(json.trim() || '{}');
    } catch (err) {
      throw new ExecutionError('ParameterError', `Cannot read %params: ${(err as Error).message} (write a JSON object, e.g. %params {"month": "2026-10"})`);
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new ExecutionError('ParameterError', 'Cannot read %params: it must be a JSON object');
    Object.assign(this.parameters, value);
    ctx.stream('stdout', `Parameters: ${Object.keys(this.parameters).sort().join(', ')}\n`);
  }

  /**
   * A `%%expect` cell: run the check, show its result (CHECK_MIME), keep it
   * for `%expect_summary`. A check that cannot run errors the cell with the
   * engine's error; a failed fail-severity check errors it with
   * ExpectationFailed unless the cell says `continue`. An interrupt is
   * neither: it is not recorded. With `currency=` a second query sums the
   * impact per currency (expectation.ts says why).
   */
  private async runCheck(parsed: ParsedCell, spec: ExpectSpec, code: string, ctx: ExecuteContext): Promise<void> {
    const target = parsed.connection ?? this.current;
    const started = performance.now();
    const stmt = parsed.statements.length === 1 ? parsed.statements[0]! : undefined;
    let outcome: CheckOutcome;
    try {
      if (!stmt) throw new ExecutionError('ExpectationError', `Cannot run check ${checkLabel(spec.name)}: its SQL must be one SELECT returning the offending rows, not ${parsed.statements.length} statements`);
      let params: unknown[];
      try {
        params = bindParameters(stmt, this.parameters, code);
      } catch (err) {
        throw toExecutionError(err, code);
      }
      const run = async (q: CheckQuery, maxRows: number): Promise<ResultSet> => {
        const opts = { signal: ctx.signal, maxRows };
        try {
          return await (target === WAREHOUSE ? this.duck.query(q.sql, params, opts) : this.engineFor(target).query(q.sql, params, opts));
        } catch (err) {
          // Positions in the wrapping point at the option that named the column there.
          throw toExecutionError(err, code, (p) => {
            const at = q.locate(p);
            return typeof at === 'number' ? stmt.toCellOffset(at) : ((at === 'currency' ? spec.currencyAt : spec.amountAt) ?? stmt.start);
          });
        }
      };
      const iq = impactsQuery(spec, stmt.sql);
      const { result, groups } = await this.withWarehouse(target === WAREHOUSE, ctx, async () => ({
        result: await run(checkQuery(spec, stmt.sql), rowsToKeep(spec)),
        groups: iq ? await run(iq, MAX_CURRENCIES) : undefined,
      }));
      if (groups && groups.rowCount > groups.rows.length) {
        throw new ExecutionError('ExpectationError', `Cannot run check ${checkLabel(spec.name)}: currency=${spec.currency} has more than ${MAX_CURRENCIES} distinct values among the offending rows`);
      }
      outcome = evaluateCheck(spec, stmt.text, result, performance.now() - started, groups);
    } catch (err) {
      const e = err instanceof ExecutionError ? err : toExecutionError(err, code);
      if (e.ename === 'KeyboardInterrupt') throw e;
      this.showCheck(erroredCheck(spec, stmt?.text ?? code.slice(parsed.bodyStart).trim(), e, performance.now() - started), target, ctx);
      throw e;
    }
    this.showCheck(outcome, target, ctx);
    if (isBlocking(outcome.check) && !spec.continueOnFailure) throw new ExecutionError('ExpectationFailed', failureMessage(outcome));
  }

  private showCheck(outcome: CheckOutcome, connection: string, ctx: ExecuteContext): void {
    // A re-run replaces the earlier result of the same name (in its place).
    this.checks.set(outcome.check.name, outcome.check);
    ctx.display({ [CHECK_MIME]: outcome.check, ...renderCheck(outcome) }, { workbench: { connection, check: outcome.check.name } });
  }

  /** `%expect_summary`: every check of the session; ExpectationFailed when one blocks (a fail-severity failure, or a check that could not run). */
  private expectSummary(line: string, ctx: ExecuteContext): void {
    if (line.trim() !== '%expect_summary') throw new ExecutionError('SqlError', 'Cannot run %expect_summary: it takes no arguments and stands alone in its cell');
    const summary = summarize(this.checks.values());
    ctx.display({ [CHECK_SUMMARY_MIME]: summary, ...renderSummary(summary) }, {});
    if (summary.status === 'failed') throw new ExecutionError('ExpectationFailed', summaryFailureMessage(summary));
  }

  /** `%build_models FOLDER`: dbt-style models built in the warehouse (models/models-magic.ts). */
  private async buildModels(line: string, ctx: ExecuteContext): Promise<void> {
    try {
      await this.withWarehouse(true, ctx, () => runBuildModels(line, this.duck, process.cwd(), (data) => ctx.display(data, {}), ctx.signal));
    } catch (err) {
      if (err instanceof ModelsCellError) throw new ExecutionError(err.ename, err.message);
      throw err;
    }
  }

  /** `%%sql -> name` on a PostgreSQL cell: copy the whole result into a warehouse table. */
  private async pullIntoWarehouse(pg: PostgresEngine | GatewayEngine, name: string, sql: string, params: unknown[], signal: AbortSignal): Promise<QueryResult> {
    let created = false;
    let total = 0;
    for await (const batch of pg.batches(sql, params, { signal })) {
      if (!created) {
        const cols = batch.columns.map((c) => `"${c.name.replace(/"/g, '""')}" ${duckTypeFor(c.type)}`).join(', ');
        await this.duck.query(`CREATE OR REPLACE TABLE ${name} (${cols})`, [], { signal });
        created = true;
      }
      total += await this.duck.insertRows(name, batch.columns.map((c) => ({ name: c.name, type: duckTypeFor(c.type) })), batch.rows, { signal });
    }
    if (!created) throw new ExecutionError('SqlError', `Cannot keep the result as ${name}: the query returned no columns`);
    const preview = await this.duck.query(`SELECT * FROM ${name}`, [], { signal, maxRows: this.options.maxRows });
    return { ...preview, rowCount: total };
  }

  /**
   * Run `fn` with the shared warehouse attached. After a cell the warehouse
   * stays attached (consecutive cells pay no ATTACH) until another kernel
   * asks for it, by creating `<warehouse>.wait`, or until it has been idle
   * for `holdIdleMs`; then it is detached within ~100 ms.
   */
  private async withWarehouse<T>(needed: boolean, ctx: ExecuteContext, fn: () => Promise<T>): Promise<T> {
    const path = this.options.warehousePath;
    if (!needed || !path) return fn();
    this.cancelRelease();
    if (!this.attached) await this.attach(path, ctx);
    this.inUse++;
    try {
      return await fn();
    } finally {
      this.inUse--;
      this.lastUse = Date.now();
      if (this.inUse === 0) this.scheduleRelease(path);
    }
  }

  private attached = false;
  private inUse = 0;
  private lastUse = 0;
  private releaseTimer: NodeJS.Timeout | undefined;

  private async attach(path: string, ctx: ExecuteContext): Promise<void> {
    const deadline = Date.now() + (this.options.lockTimeoutMs ?? 60_000);
    const started = Date.now();
    let told = false;
    let asked = false;
    try {
      for (;;) {
        try {
          await this.duck.query(`ATTACH IF NOT EXISTS '${path.replace(/'/g, "''")}' AS ${WAREHOUSE}`, [], { signal: ctx.signal });
          await this.duck.query(`USE ${WAREHOUSE}`, [], { signal: ctx.signal });
          this.attached = true;
          return;
        } catch (err) {
          const locked = /lock/i.test((err as Error).message);
          if (!locked || Date.now() > deadline || ctx.signal.aborted) throw toExecutionError(err, '');
          if (!asked) {
            // Ask the holder to let go after its current cell.
            await writeFile(`${path}.wait`, String(process.pid)).catch(() => undefined);
            asked = true;
          }
          if (!told && Date.now() - started > 300) {
            ctx.stream('stderr', 'Waiting for the warehouse: a cell in another notebook is using it...\n');
            told = true;
          }
          await new Promise((r) => setTimeout(r, 50));
        }
      }
    } finally {
      if (asked) await rm(`${path}.wait`, { force: true });
    }
  }

  private scheduleRelease(path: string): void {
    this.cancelRelease();
    const holdIdleMs = this.options.holdIdleMs ?? 2000;
    this.releaseTimer = setInterval(() => {
      if (this.inUse > 0) return;
      if (existsSync(`${path}.wait`) || Date.now() - this.lastUse >= holdIdleMs) {
        this.cancelRelease();
        void this.detach();
      }
    }, 100);
    this.releaseTimer.unref();
  }

  private cancelRelease(): void {
    if (this.releaseTimer) clearInterval(this.releaseTimer);
    this.releaseTimer = undefined;
  }

  private async detach(): Promise<void> {
    if (!this.attached || this.inUse > 0) return;
    this.attached = false;
    await this.duck.query('USE memory', []).catch(() => undefined);
    await this.duck.query(`DETACH ${WAREHOUSE}`, []).catch(() => undefined);
  }

  private async catalog(signal?: AbortSignal): Promise<CompletionCatalog> {
    const connections = [WAREHOUSE, ...this.options.connections.keys()];
    if (this.current === WAREHOUSE) {
      const snap = await this.withWarehouse(true, { signal: signal ?? new AbortController().signal, stream: () => undefined } as unknown as ExecuteContext, () => this.duck.catalog({ signal }));
      return { ...snap, tables: snap.tables.filter((t) => t.schema !== 'memory'), connections };
    }
    const pg = this.engineFor(this.current);
    const tables = await pg.listTables();
    const withCols = await Promise.all(tables.map(async (t) => ({ ...t, columns: await pg.listColumns(t.name, t.schema) })));
    return { defaultSchema: 'public', schemas: await pg.listSchemas(), tables: withCols, connections };
  }

  async complete(code: string, cursorPos: number, signal: AbortSignal) {
    return complete(code, cursorPos, await this.catalog(signal));
  }

  async inspect(code: string, cursorPos: number) {
    return inspect(code, cursorPos, await this.catalog());
  }

  async isComplete(code: string) {
    return { status: isComplete(code) };
  }

  async shutdown(): Promise<void> {
    await this[Symbol.asyncDispose]();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    this.cancelRelease();
    await this.detach();
    for (const e of this.pg.values()) await e[Symbol.asyncDispose]();
    this.pg.clear();
    await this.duck[Symbol.asyncDispose]();
  }
}

/** PostgreSQL type -> DuckDB column type for pulled tables. */
function duckTypeFor(pgType: string): string {
  const t = pgType.toLowerCase();
  if (/^(int2|smallint)$/.test(t)) return 'SMALLINT';
  if (/^(int4|integer|serial)$/.test(t)) return 'INTEGER';
  if (/^(int8|bigint|bigserial)$/.test(t)) return 'BIGINT';
  if (/^(float4|real)$/.test(t)) return 'REAL';
  if (/^(float8|double precision)$/.test(t)) return 'DOUBLE';
  if (/^(numeric|decimal)/.test(t)) return 'DECIMAL(38,10)';
  if (/^(bool|boolean)$/.test(t)) return 'BOOLEAN';
  if (t === 'date') return 'DATE';
  if (/^timestamptz|timestamp with time zone/.test(t)) return 'TIMESTAMPTZ';
  if (/^timestamp/.test(t)) return 'TIMESTAMP';
  if (t === 'uuid') return 'UUID';
  if (/^(json|jsonb)$/.test(t)) return 'JSON';
  if (t === 'bytea') return 'BLOB';
  return 'VARCHAR';
}
