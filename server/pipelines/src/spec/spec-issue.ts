/**
 * What is wrong with a pipeline file, each problem where it is. A file with
 * any issue does not load; PipelineSpecError carries all of them.
 */
import { AppError } from '@workbench/core';
import { formatPath, type DataPath, type SourceMap } from './source-map';

export interface SpecIssue {
  /** Data path of the offending value, e.g. `tasks.report.depends_on[0]`; '' for the file as a whole. */
  path: string;
  /** 1-based. */
  line: number;
  /** 1-based. */
  column: number;
  message: string;
}

/**
 * `bad_request`; the message names the first issue, `issues` (also in
 * `details.issues`; `details.public.issues` reaches the HTTP error body) lists every one by position.
 */
export class PipelineSpecError extends AppError {
  readonly issues: readonly SpecIssue[];
  constructor(
    readonly file: string,
    issues: readonly SpecIssue[],
  ) {
    const first = issues[0];
    const where = first ? `${first.path ? `${first.path}: ` : ''}${first.message} (line ${first.line}, column ${first.column})` : 'no issue given';
    const more = issues.length > 1 ? `; ${issues.length - 1} more issue${issues.length > 2 ? 's' : ''}` : '';
    super('bad_request', `Cannot load pipeline ${file}: ${where}${more}`, { details: { file, issues, public: { issues } } });
    this.issues = issues;
  }
}

/** Collects issues for one file, placing each with the source map; sorted by position, duplicates dropped. */
export class IssueList {
  private readonly list: SpecIssue[] = [];
  private readonly seen = new Set<string>();

  constructor(private readonly map: SourceMap) {}

  /** An issue about the value at `path` (or its key, with `key`). */
  at(path: DataPath, message: string, opts: { key?: boolean } = {}): void {
    const pos = this.map.position(path, opts);
    this.add({ path: formatPath(path), line: pos.line, column: pos.column, message });
  }

  add(issue: SpecIssue): void {
    const id = `${issue.line}:${issue.column}:${issue.path}:${issue.message}`;
    if (this.seen.has(id)) return;
    this.seen.add(id);
    this.list.push(issue);
  }

  /** True when an issue was already reported at `path` or below it. */
  hasUnder(path: DataPath): boolean {
    const prefix = formatPath(path);
    return this.list.some((i) => prefix === '' || i.path === prefix || i.path.startsWith(`${prefix}.`) || i.path.startsWith(`${prefix}[`));
  }

  get size(): number {
    return this.list.length;
  }

  sorted(): SpecIssue[] {
    return [...this.list].sort((a, b) => a.line - b.line || a.column - b.column);
  }
}
