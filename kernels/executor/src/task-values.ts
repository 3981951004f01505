/**
 * Task values: what a notebook hands to later pipeline tasks. A cell emits
 * a display_data (or execute_result) whose bundle has TASK_VALUES_MIME
 * mapping names to JSON values; the run merges them in the order they were
 * emitted (later wins). The data is an object, or a string holding one
 * (tslab's `display.raw` can only send strings). A bundle that is neither
 * is ignored.
 *
 * SQL runs also get `row_count`: the row count of the last result the SQL
 * kernel returned (its execute_result metadata `workbench.rows`, else the
 * rows of its Table Schema data resource).
 */
export const TASK_VALUES_MIME = 'application/vnd.workbench.task-values+json';

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The task values in a mime bundle, if it carries any. */
export function taskValuesIn(data: Record<string, unknown>): Record<string, unknown> | undefined {
  let v = data[TASK_VALUES_MIME];
  if (typeof v === 'string') {
    try {
      v = JSON.parse(v);
    } catch {
      return undefined;
    }
  }
  return isObject(v) ? v : undefined;
}

/** The row count of a SQL kernel result (execute_result data and metadata), if it says. */
export function sqlRowCount(data: Record<string, unknown>, metadata: Record<string, unknown>): number | undefined {
  const wb = metadata.workbench;
  if (isObject(wb) && typeof wb.rows === 'number' && wb.counting !== true) return wb.rows;
  const resource = data['application/vnd.dataresource+json'];
  if (isObject(resource) && Array.isArray(resource.data)) return resource.data.length;
  return undefined;
}
