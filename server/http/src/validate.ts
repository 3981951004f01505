/** Body validation at the HTTP trust boundary. */
import { z } from 'zod';
import { AppError } from '@workbench/core';

export function parseBody<T>(schema: z.ZodType<T>, body: unknown, what: string): T {
  const r = schema.safeParse(body ?? {});
  if (!r.success) {
    const issue = r.error.issues[0]!;
    throw new AppError('bad_request', `Cannot ${what}: ${issue.path.length ? issue.path.join('.') + ': ' : ''}${issue.message}`);
  }
  return r.data;
}

export const envSchema = z.record(z.string(), z.unknown()).optional();
