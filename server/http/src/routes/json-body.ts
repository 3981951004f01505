/** A route's JSON object body, refused with a 400 naming the action when it is not one or holds unknown keys. */
import type { Request } from 'express';
import { AppError } from '@workbench/core';

export function jsonObject(req: Request, action: string): Record<string, unknown> {
  const b: unknown = req.body;
  if (typeof b !== 'object' || b === null || Array.isArray(b)) throw new AppError('bad_request', `Cannot ${action}: the body must be a JSON object`);
  return b as Record<string, unknown>;
}

export function onlyKeys(b: Record<string, unknown>, keys: readonly string[], action: string): void {
  const extra = Object.keys(b).find((k) => !keys.includes(k));
  if (extra !== undefined) throw new AppError('bad_request', `Cannot ${action}: unknown key ${JSON.stringify(extra.slice(0, 40))} (allowed: ${keys.join(', ')})`);
}
