/**
 * The analyse route's answer, checked once at the trust boundary
 * (`{cells: [{id, sourceHash, defines, reads, errors?}], graph}`): an older
 * or newer server, or a proxy's page, gives a DependenciesError
 * `invalid_response` naming the first field that is wrong.
 */
import { JsonReader } from '@workbench/lab-common';
import { DependenciesError } from './dependencies-error';
import type { AnalyzedCell } from './types';

/** The cells of the answer, which must be those asked about (`ids`), in that order. */
export function readAnalyzeResponse(body: unknown, ids: readonly string[]): AnalyzedCell[] {
  const r = new JsonReader('the cell dependencies', DependenciesError);
  const root = r.object(body, 'the answer');
  const cells = r.array(root.cells, 'cells');
  if (cells.length !== ids.length) r.fail('cells', `a list of ${ids.length} cells`);
  return cells.map((raw, i) => {
    const where = `cells[${i}]`;
    const c = r.object(raw, where);
    const id = r.string(c.id, `${where}.id`);
    if (id !== ids[i]) r.fail(`${where}.id`, JSON.stringify(ids[i]));
    const sourceHash = r.string(c.sourceHash, `${where}.sourceHash`);
    if (!/^[0-9a-f]{64}$/.test(sourceHash)) r.fail(`${where}.sourceHash`, 'a SHA-256 hex digest');
    const errors = c.errors === undefined ? undefined : r.string(c.errors, `${where}.errors`);
    return { id, sourceHash, defines: r.strings(c.defines, `${where}.defines`), reads: r.strings(c.reads, `${where}.reads`), ...(errors !== undefined ? { errors } : {}) };
  });
}
