/**
 * Column-level lineage of SQL that ran through the SQL kernel or a pipeline:
 * DuckDB SQL through DuckDB's own parser (`json_serialize_sql`), PostgreSQL
 * SQL through libpg-query. SQL that does not parse, or that parses into
 * something this analyser cannot follow honestly (a PIVOT body, COLUMNS()
 * inside an expression, ...), is 'unparsed' with the reason: lineage is
 * never guessed. See analyze.ts for how names are resolved.
 *
 * `LineageParser` owns the DuckDB instance used for parsing (opened on first
 * use); its owner (the catalog's SQL runs) disposes it.
 */
import { abortError } from '@workbench/core';
import { StatementAnalyzer } from './analyze';
import { DuckDbLineageParser, type DuckDbLineageParserOptions, type DuckParse } from './duckdb-parser';
import { parsePostgres, type PostgresParse } from './postgres-ast';
import { LineageUnsupported } from './query-model';
import { splitStatements } from './sql-text';
import type { LineageDialect, LineageOptions, LineageResult, StatementLineage } from './types';

const DEFAULT_SCHEMA: Record<LineageDialect, string> = { duckdb: 'main', postgres: 'public' };

export class LineageParser implements AsyncDisposable {
  private duck: DuckDbLineageParser | undefined;

  constructor(private readonly options: { duckdb?: DuckDbLineageParserOptions } = {}) {}

  async lineageOf(sql: string, dialect: LineageDialect, options: LineageOptions = {}): Promise<LineageResult> {
    const { signal } = options;
    const check = () => {
      if (signal?.aborted) throw abortError(signal, 'parse SQL for lineage');
    };
    check();
    if (!splitStatements(sql).length) return { status: 'parsed', dialect, statements: [] };
    let parsed: PostgresParse | DuckParse;
    if (dialect === 'postgres') {
      parsed = await parsePostgres(sql);
    } else {
      this.duck ??= new DuckDbLineageParser(this.options.duckdb);
      parsed = await this.duck.parse(sql);
    }
    check();
    if (!parsed.ok) return { status: 'unparsed', dialect, error: parsed.error, ...(parsed.position !== undefined ? { position: parsed.position } : {}) };
    const statements: StatementLineage[] = [];
    for (const p of parsed.statements) {
      try {
        const analyzer = new StatementAnalyzer({ dialect, defaultSchema: options.defaultSchema ?? DEFAULT_SCHEMA[dialect], columnsOf: options.columnsOf });
        statements.push(analyzer.analyse(p.statement, p.text, p.offset));
      } catch (err) {
        if (err instanceof LineageUnsupported) return { status: 'unparsed', dialect, error: err.message, position: p.offset };
        throw err;
      }
    }
    return { status: 'parsed', dialect, statements };
  }

  /** Close the DuckDB instance (idempotent). A later DuckDB call opens a new one. */
  async [Symbol.asyncDispose](): Promise<void> {
    const duck = this.duck;
    this.duck = undefined;
    await duck?.[Symbol.asyncDispose]();
  }
}
