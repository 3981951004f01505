/**
 * A bound on how deeply a JSON request body nests. `JSON.parse` itself
 * copes with any depth, but whatever walks the value afterwards (schema
 * validation, `JSON.stringify` on save) recurses, and 100,000 levels
 * would end in a stack overflow. Python's json stops near 1,000 levels
 * (its recursion limit), so no Jupyter document legitimately goes deeper.
 */
import { AppError } from '@workbench/core';

export const MAX_JSON_DEPTH = 1000;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_OBJ = 0x7b;
const OPEN_ARR = 0x5b;
const CLOSE_OBJ = 0x7d;
const CLOSE_ARR = 0x5d;

/** Throws a `bad_request` AppError when `body` (UTF-8 JSON text) nests deeper than `max`. One pass, no allocation. */
export function assertJsonDepth(body: Uint8Array, max: number): void {
  let depth = 0;
  const n = body.length;
  for (let i = 0; i < n; i++) {
    const c = body[i]!;
    if (c === QUOTE) {
      // Skip the string; bytes of multi-byte UTF-8 characters are all >= 0x80, never a quote or backslash.
      for (i++; i < n; i++) {
        const d = body[i]!;
        if (d === BACKSLASH) i++;
        else if (d === QUOTE) break;
      }
    } else if (c === OPEN_OBJ || c === OPEN_ARR) {
      if (++depth > max) throw new AppError('bad_request', `Cannot parse request body: JSON nested deeper than ${max} levels`);
    } else if (c === CLOSE_OBJ || c === CLOSE_ARR) {
      depth--;
    }
  }
}
