/** JSON helpers with no dependencies, shared by both trees. */

/** A copy with object keys sorted at every depth (arrays keep their order), as Python's json.dumps(sort_keys=True). */
export function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(value).sort()) out[k] = sortKeys((value as Record<string, unknown>)[k]);
    return out;
  }
  return value;
}
