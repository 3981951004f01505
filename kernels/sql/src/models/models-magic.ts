/**
 * `%build_models FOLDER [schema=NAME]`, alone in a SQL cell: builds the
 * folder's dbt-style models (relative to the notebook's folder) in the
 * shared warehouse, in dependency order, runs their schema.yml tests, and
 * shows the report. The cell fails (ModelsFailed) when a model fails or a
 * test does, so a pipeline stops there as `dbt build` does.
 */
import { isAbsolute, resolve } from 'node:path';
import { isAppError } from '@workbench/core';
import { buildModels, readModelFolder, type BuildReport, type ModelEngine } from './build-models';

export const BUILD_MODELS = /^%build_models(?:\s|$)/;

export class ModelsCellError extends Error {
  constructor(
    readonly ename: 'SqlError' | 'ModelsFailed',
    message: string,
  ) {
    super(message);
  }
}

export function parseBuildModels(line: string): { folder: string; schema?: string } {
  const words = line.trim().split(/\s+/).slice(1);
  const folder = words.find((w) => !w.startsWith('schema='));
  const schema = words.find((w) => w.startsWith('schema='))?.slice('schema='.length);
  if (!folder || words.length > 2 || line.trim().includes('\n')) throw new ModelsCellError('SqlError', 'Cannot run %build_models: it takes a folder and an optional schema=NAME, and stands alone in its cell');
  if (schema !== undefined && !/^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(schema)) throw new ModelsCellError('SqlError', `Cannot run %build_models: schema=${schema.slice(0, 40)} is not a schema name`);
  return { folder, schema };
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export function renderReport(r: BuildReport): { 'text/plain': string; 'text/html': string } {
  const lines = [
    `Models in ${r.schema}: ${r.models.filter((m) => m.status === 'built').length} of ${r.models.length} built; tests: ${r.tests.filter((t) => t.status === 'pass').length} of ${r.tests.length} passed`,
    ...r.models.map((m) => `  ${m.status.padEnd(7)} ${m.name} (${m.materialized}${m.rows !== undefined ? `, ${m.rows} rows` : ''}, ${m.ms} ms)${m.error ? `: ${m.error.split('\n')[0]}` : ''}`),
    ...r.tests.map((t) => `  ${t.status.padEnd(7)} ${t.model}.${t.column} ${t.test}${t.failures ? `: ${t.failures} failing` : ''}${t.error ? `: ${t.error.split('\n')[0]}` : ''}`),
  ];
  const row = (cells: string[]) => `<tr>${cells.map((c) => `<td>${esc(c)}</td>`).join('')}</tr>`;
  const html =
    `<p>${esc(lines[0]!)}</p><table><thead><tr><th>model</th><th>status</th><th>kind</th><th>rows</th><th>ms</th><th>error</th></tr></thead><tbody>` +
    r.models.map((m) => row([m.name, m.status, m.materialized, m.rows === undefined ? '' : String(m.rows), String(m.ms), m.error?.split('\n')[0] ?? ''])).join('') +
    `</tbody></table><table><thead><tr><th>test</th><th>status</th><th>failing</th><th>sample</th></tr></thead><tbody>` +
    r.tests.map((t) => row([`${t.model}.${t.column} ${t.test}`, t.status, String(t.failures), t.error?.split('\n')[0] ?? JSON.stringify(t.sample, (_k, v: unknown) => (typeof v === 'bigint' ? Number(v) : v))])).join('') +
    '</tbody></table>';
  return { 'text/plain': lines.join('\n'), 'text/html': html };
}

/** Runs the magic; shows the report; throws ModelsCellError when the folder cannot be built or something failed. */
export async function runBuildModels(line: string, engine: ModelEngine, cwd: string, show: (data: Record<string, unknown>) => void, signal: AbortSignal): Promise<BuildReport> {
  const { folder, schema } = parseBuildModels(line);
  const dir = isAbsolute(folder) ? folder : resolve(cwd, folder);
  let report: BuildReport;
  try {
    report = await buildModels(engine, await readModelFolder(dir), { schema, signal });
  } catch (err) {
    if (isAppError(err, 'bad_request') || isAppError(err, 'not_found')) throw new ModelsCellError('SqlError', err.message);
    throw err;
  }
  show({ 'application/vnd.workbench.models+json': JSON.parse(JSON.stringify(report, (_k, v: unknown) => (typeof v === 'bigint' ? Number(v) : v))), ...renderReport(report) });
  if (!report.ok) {
    const bad = [...report.models.filter((m) => m.status === 'failed').map((m) => `model ${m.name} failed`), ...report.tests.filter((t) => t.status === 'fail' || t.status === 'error').map((t) => `${t.model}.${t.column} ${t.test} ${t.status === 'fail' ? `found ${t.failures}` : 'could not run'}`)];
    throw new ModelsCellError('ModelsFailed', bad.join('; ') || 'some models were skipped');
  }
  return report;
}
