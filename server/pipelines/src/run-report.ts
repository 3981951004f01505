/**
 * One run as a report an auditor can file (a month-end close per period):
 * who started it and with which parameters (overrides old -> new), every
 * task attempt with its times, the rows it read and wrote (its values),
 * every data-quality check with its verdict, offending rows and impact
 * against materiality (per currency for a check with `currency=`), the output
 * notebooks, and the audit records the run left (its task attempts and the
 * data its kernels read through the server), in JSON or Markdown.
 */
import type { RunDetail } from './runs/run-model';

/** The parts of an audit record a report shows. */
export interface ReportAuditRecord {
  seq: number;
  ts: number;
  actor: string | null;
  via: string;
  resource: string;
  action: string;
  target: string | null;
  outcome: string;
  detail: Record<string, unknown>;
  hash: string;
}

export interface RunReport {
  generatedAt: string;
  run: Omit<RunDetail, 'spec' | 'tasks' | 'checks'>;
  pipeline: { path: string; name: string; description: string };
  tasks: { id: string; status: string; attempts: { attempt: number; status: string; startedAt: string | null; finishedAt: string | null; error: string | null }[]; values: Record<string, unknown>; output: string | null }[];
  checks: { summary: { passed: number; failed: number; warnings: number; errors: number }; results: RunDetail['checks'] };
  audit: ReportAuditRecord[];
}

/** The audit records that belong to a run: its task attempts, and what its kernels did through the server. */
export function runAuditRecords(run: RunDetail, records: readonly ReportAuditRecord[]): ReportAuditRecord[] {
  const kernels = new Set(run.tasks.flatMap((t) => t.attempts.map((a) => a.kernelId)).filter((k): k is string => !!k));
  return records.filter((r) => r.detail.run === run.id || (typeof r.detail.kernel_id === 'string' && kernels.has(r.detail.kernel_id)));
}

export function buildRunReport(run: RunDetail, audit: readonly ReportAuditRecord[], now: Date = new Date()): RunReport {
  const { spec, tasks, checks, ...head } = run;
  const failing = (c: RunDetail['checks'][number]) => c.status !== 'passed';
  return {
    generatedAt: now.toISOString(),
    run: head,
    pipeline: { path: run.pipelinePath, name: spec.name, description: spec.description },
    tasks: tasks.map((t) => ({
      id: t.taskId,
      status: t.status,
      attempts: t.attempts.map((a) => ({ attempt: a.attempt, status: a.status, startedAt: a.startedAt, finishedAt: a.finishedAt, error: a.error })),
      values: t.values,
      output: t.outputPath,
    })),
    checks: {
      summary: {
        passed: checks.filter((c) => c.status === 'passed').length,
        failed: checks.filter((c) => failing(c) && c.status !== 'error' && c.severity === 'fail').length,
        warnings: checks.filter((c) => failing(c) && c.status !== 'error' && c.severity === 'warn').length,
        errors: checks.filter((c) => c.status === 'error').length,
      },
      results: checks,
    },
    audit: runAuditRecords(run, audit),
  };
}

/** A check's impact against materiality: `12.51 / 0.01`; per currency one line each, `JPY 5 / 1 (exceeded)`. */
function impactCell(c: RunDetail['checks'][number]): string {
  if (c.impacts !== null && c.impacts.length > 0) return c.impacts.map((i) => `${cell(i.currency ?? 'null')} ${i.impact} / ${i.materiality}${i.exceeded ? ' (exceeded)' : ''}`).join('<br>');
  return `${c.impact ?? ''}${c.materiality !== null ? ` / ${c.materiality}` : ''}`;
}

const cell = (v: unknown): string => (v === null || v === undefined ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v)).replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');

export function reportMarkdown(r: RunReport): string {
  const out: string[] = [];
  out.push(`# ${r.pipeline.name}: run of ${r.run.period.label}`, '');
  out.push(`- Pipeline: \`${r.pipeline.path}\``, `- Run: \`${r.run.id}\` (${r.run.trigger}${r.run.triggeredBy ? ` by ${r.run.triggeredBy}` : ''}, runs as ${r.run.runAs ?? 'nobody'})`);
  out.push(`- Status: **${r.run.status}**${r.run.error ? ` — ${cell(r.run.error)}` : ''}`, `- Period: ${r.run.period.start} to ${r.run.period.end}; logical date ${r.run.logicalDate}`);
  out.push(`- Started ${r.run.startedAt ?? '—'}, finished ${r.run.finishedAt ?? '—'}${r.run.repairCount ? `; repaired ${r.run.repairCount} time(s)` : ''}`, `- Report generated ${r.generatedAt}`, '');
  out.push('## Parameters', '', '| name | value | override |', '|---|---|---|');
  for (const [k, v] of Object.entries(r.run.parameters)) {
    const o = r.run.overrides[k];
    out.push(`| ${cell(k)} | ${cell(v)} | ${o ? `${cell(o.old)} -> ${cell(o.new)}` : ''} |`);
  }
  out.push('', '## Tasks', '', '| task | status | attempts | values | output |', '|---|---|---|---|---|');
  for (const t of r.tasks) out.push(`| ${cell(t.id)} | ${t.status} | ${t.attempts.map((a) => `#${a.attempt} ${a.status} ${a.startedAt ?? ''}..${a.finishedAt ?? ''}${a.error ? ` (${cell(a.error)})` : ''}`).join('<br>')} | ${cell(t.values)} | ${cell(t.output)} |`);
  const s = r.checks.summary;
  out.push('', '## Checks', '', `${s.passed} passed, ${s.failed} failed, ${s.warnings} warnings, ${s.errors} errors.`, '', '| check | severity | status | offending rows | impact / materiality | first offending rows |', '|---|---|---|---|---|---|');
  for (const c of r.checks.results) out.push(`| ${cell(c.name)} | ${c.severity} | ${c.status} | ${c.violations} | ${impactCell(c)} | ${cell(c.sample.rows.slice(0, 3))}${c.message ? ` ${cell(c.message)}` : ''} |`);
  out.push('', '## Audit trail', '', '| seq | time | actor | via | action | target | outcome | hash |', '|---|---|---|---|---|---|---|---|');
  for (const a of r.audit) out.push(`| ${a.seq} | ${new Date(a.ts).toISOString()} | ${cell(a.actor)} | ${a.via} | ${cell(`${a.resource}:${a.action}`)} | ${cell(a.target)} | ${a.outcome} | \`${a.hash.slice(0, 12)}\` |`);
  out.push('');
  return out.join('\n');
}
