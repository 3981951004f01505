/**
 * The emails of run notifications: a subject like
 * `[Workbench] Month-end close failed — 2026-11 (run 1a2b3c4d)`, a plain
 * text body with the run's summary, and an HTML alternative in which
 * every piece of user-controlled text (names, parameters, errors, task
 * ids) is escaped. Pure: no I/O.
 */
import type { RunDetail, TaskRun } from '../runs/run-model';
import { runUrl, type DataReadyPayload, type PayloadContext } from './notification-payload';

export interface EmailContent {
  subject: string;
  text: string;
  html: string;
}

const MAX_VALUE = 500;
const MAX_ERROR = 2_000;

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}

/** Control characters (a newline in a pipeline name, say) become spaces: a subject is one line. */
function oneLine(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim();
}

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

function shortId(runId: string): string {
  return runId.slice(0, 8);
}

function outcome(run: RunDetail, slaMissed: boolean): string {
  if (slaMissed) return 'missed its SLA';
  switch (run.status) {
    case 'succeeded':
      return 'succeeded';
    case 'failed':
      return 'failed';
    case 'cancelled':
      return 'was cancelled';
    case 'timed_out':
      return 'timed out';
    default:
      return `is ${run.status}`;
  }
}

function subjectOf(what: string, run: RunDetail): string {
  return oneLine(`[Workbench] ${what} — ${run.period.label} (run ${shortId(run.id)})`);
}

function formatValue(value: unknown): string {
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  return clip(text, MAX_VALUE);
}

function attemptsOf(task: TaskRun): string {
  return `${task.attempt} of ${task.maxAttempts} attempt${task.maxAttempts === 1 ? '' : 's'}`;
}

type Row = readonly [label: string, value: string];

function summaryRows(run: RunDetail, slaMissed: boolean): Row[] {
  const rows: Row[] = [
    ['Pipeline', `${run.pipelineName} (${run.pipelinePath})`],
    ['Run', run.id],
    ['Status', run.status],
    ['Period', `${run.period.label} (${run.period.start} to ${run.period.end})`],
    ['Trigger', run.triggeredBy ? `${run.trigger}, by ${run.triggeredBy}` : run.trigger],
  ];
  if (slaMissed && run.slaDeadline) rows.push(['SLA deadline', run.slaDeadline]);
  if (run.startedAt) rows.push(['Started', run.startedAt]);
  if (run.finishedAt) rows.push(['Finished', run.finishedAt]);
  if (run.error) rows.push(['Error', clip(run.error, MAX_ERROR)]);
  return rows;
}

function textRows(rows: readonly Row[]): string[] {
  const width = Math.max(...rows.map(([label]) => label.length)) + 2;
  return rows.map(([label, value]) => `${label.padEnd(width)}${value}`);
}

function htmlRows(rows: readonly Row[]): string {
  return rows.map(([label, value]) => `<tr><th align="left" valign="top">${escapeHtml(label)}</th><td>${escapeHtml(value)}</td></tr>`).join('\n');
}

function htmlDocument(title: string, body: string): string {
  return `<!doctype html>\n<html><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head>\n<body style="font-family: sans-serif; font-size: 14px">\n${body}\n</body></html>\n`;
}

function htmlLink(url: string | null): string {
  return url === null ? '' : `<p><a href="${escapeHtml(url)}">Open the run in Workbench</a></p>`;
}

/** The email for a run that ended, or (slaMissed) one still going past its SLA deadline. */
export function runEmail(run: RunDetail, slaMissed: boolean, context: Pick<PayloadContext, 'baseUrl'>): EmailContent {
  const what = `${run.pipelineName} ${outcome(run, slaMissed)}`;
  const subject = subjectOf(what, run);
  const headline = slaMissed ? `${oneLine(run.pipelineName)} missed its SLA: the run was not done by ${run.slaDeadline ?? 'its deadline'}.` : `${oneLine(what)}.`;
  const rows = summaryRows(run, slaMissed);
  const parameters = Object.entries(run.parameters);
  const url = runUrl(context.baseUrl, run.id);

  const text: string[] = [headline, '', ...textRows(rows)];
  if (parameters.length > 0) {
    text.push('', 'Parameters');
    for (const [name, value] of parameters) text.push(`  ${name} = ${formatValue(value)}`);
  }
  if (run.tasks.length > 0) {
    text.push('', 'Tasks');
    const width = Math.max(...run.tasks.map((t) => t.taskId.length)) + 2;
    for (const t of run.tasks) {
      text.push(`  ${t.taskId.padEnd(width)}${t.status.padEnd(11)}${attemptsOf(t)}`);
      if (t.error && t.status !== 'succeeded') text.push(`    error: ${clip(t.error, MAX_ERROR)}`);
    }
  }
  const checks = run.checks ?? [];
  const noted = checks.filter((c) => c.status !== 'passed');
  const tally = checks.length === 0 ? '' : `${checks.filter((c) => c.status === 'passed').length} passed, ${noted.filter((c) => c.severity === 'fail' && c.status === 'failed').length} failed, ${noted.filter((c) => c.severity === 'warn' && c.status === 'failed').length} warnings, ${noted.filter((c) => c.status === 'error').length} errors`;
  const checkLine = (c: (typeof checks)[number]) => `${c.name} (${c.severity}): ${c.status === 'error' ? `could not run${c.message ? `: ${clip(c.message, MAX_ERROR)}` : ''}` : `${c.violations} offending row(s)${impactText(c)}`}`;
  if (checks.length > 0) {
    text.push('', `Checks: ${tally}`);
    for (const c of noted) {
      text.push(`  ${c.status === 'passed' ? 'ok' : 'x'} ${checkLine(c)}`);
      const link = runUrl(context.baseUrl, run.id, c.name);
      if (link !== null) text.push(`    ${link}`);
    }
  }
  // What the tasks counted (rows extracted, published, totals): their values.
  const valued = run.tasks.filter((t) => Object.keys(t.values).length > 0);
  if (valued.length > 0) {
    text.push('', 'Figures');
    for (const t of valued) text.push(`  ${t.taskId}: ${clip(formatValue(t.values), 400)}`);
  }
  if (url !== null) text.push('', `Run page: ${url}`);

  const html: string[] = [`<p><strong>${escapeHtml(headline)}</strong></p>`, `<table cellpadding="4">\n${htmlRows(rows)}\n</table>`];
  if (parameters.length > 0) {
    html.push('<h3>Parameters</h3>', `<table cellpadding="4">\n${parameters.map(([name, value]) => `<tr><th align="left">${escapeHtml(name)}</th><td><code>${escapeHtml(formatValue(value))}</code></td></tr>`).join('\n')}\n</table>`);
  }
  if (run.tasks.length > 0) {
    const taskRows = run.tasks.map(
      (t) =>
        `<tr><td>${escapeHtml(t.taskId)}</td><td>${escapeHtml(t.status)}</td><td>${escapeHtml(attemptsOf(t))}</td><td>${t.error && t.status !== 'succeeded' ? `<pre style="margin: 0; white-space: pre-wrap">${escapeHtml(clip(t.error, MAX_ERROR))}</pre>` : ''}</td></tr>`,
    );
    html.push('<h3>Tasks</h3>', `<table cellpadding="4">\n<tr><th align="left">Task</th><th align="left">Status</th><th align="left">Attempts</th><th align="left">Error</th></tr>\n${taskRows.join('\n')}\n</table>`);
  }
  if (checks.length > 0) {
    html.push(`<h3>Checks: ${escapeHtml(tally)}</h3>`, noted.length > 0 ? `<ul>\n${noted.map((c) => {
            const link = runUrl(context.baseUrl, run.id, c.name);
            return `<li>${link === null ? escapeHtml(checkLine(c)) : `<a href="${escapeHtml(link)}">${escapeHtml(checkLine(c))}</a>`}</li>`;
          }).join('\n')}\n</ul>` : '');
  }
  if (valued.length > 0) {
    html.push('<h3>Figures</h3>', `<table cellpadding="4">\n${valued.map((t) => `<tr><th align="left">${escapeHtml(t.taskId)}</th><td><code>${escapeHtml(clip(formatValue(t.values), 400))}</code></td></tr>`).join('\n')}\n</table>`);
  }
  html.push(htmlLink(url));

  return { subject, text: `${text.join('\n')}\n`, html: htmlDocument(subject, html.filter((p) => p !== '').join('\n')) };
}

/**
 * A check's impact for its line: `, impact 12.51 against 0.01`; per currency (`currency=`) the currencies above
 * their materiality: `, impact JPY 5 against 1, USD 0.06 against 0.05 (2 of 3 currencies above materiality)`.
 */
function impactText(c: RunDetail['checks'][number]): string {
  if (c.impacts !== null && c.impacts.length > 0) {
    const above = c.impacts.filter((i) => i.exceeded);
    const shown = (above.length > 0 ? above : c.impacts).map((i) => `${i.currency ?? 'null'} ${i.impact} against ${i.materiality}`);
    return `, impact ${clip(shown.join(', '), MAX_ERROR)} (${above.length} of ${c.impacts.length} ${c.impacts.length === 1 ? 'currency' : 'currencies'} above materiality)`;
  }
  return c.impact !== null ? `, impact ${c.impact}${c.materiality !== null ? ` against ${c.materiality}` : ''}` : '';
}

/** The email announcing a dataset a successful run produced. */
export function dataReadyEmail(run: RunDetail, payload: DataReadyPayload): EmailContent {
  const subject = subjectOf(`${payload.dataset} is ready`, run);
  const headline = `${oneLine(payload.dataset)} is ready for ${run.period.label}.`;
  const rows: Row[] = [
    ['Dataset', payload.dataset],
    ['Rows', payload.row_count === null ? 'not reported' : payload.row_count.toLocaleString('en-US')],
    ['Schema version', payload.schema_version ?? 'not declared'],
    ['Period', `${run.period.label} (${run.period.start} to ${run.period.end})`],
    ['Produced by', `task ${payload.task_id} of ${run.pipelineName} (${run.pipelinePath})`],
    ['Produced at', payload.produced_at ?? 'unknown'],
    ['Run', run.id],
  ];
  const text = [headline, '', ...textRows(rows)];
  if (payload.url !== null) text.push('', `Run page: ${payload.url}`);
  const html = [`<p><strong>${escapeHtml(headline)}</strong></p>`, `<table cellpadding="4">\n${htmlRows(rows)}\n</table>`, htmlLink(payload.url)];
  return { subject, text: `${text.join('\n')}\n`, html: htmlDocument(subject, html.filter((p) => p !== '').join('\n')) };
}
