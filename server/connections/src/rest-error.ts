/** What a REST call fails with: an AppError that also says where it failed (as a connection test would) and the HTTP status, if an answer came. */
import { AppError, type ErrorCode } from '@workbench/core';
import type { TestStage } from './test-result';

export class RestError extends AppError {
  /** Where it failed, as a connection test would say. */
  readonly stage: TestStage;
  /** The HTTP status, when an answer came. */
  readonly status: number | undefined;
  constructor(code: ErrorCode, message: string, options: { stage: TestStage; status?: number; cause?: unknown }) {
    super(code, message, options.cause === undefined ? undefined : { cause: options.cause });
    this.stage = options.stage;
    this.status = options.status;
  }
}

export function isRestError(err: unknown): err is RestError {
  return err instanceof RestError;
}

