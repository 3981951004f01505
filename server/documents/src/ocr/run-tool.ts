/**
 * Run an external tool (tesseract, poppler) as a child process: an argv
 * array, never a shell; a timeout; the caller's AbortSignal kills it; output
 * capped; a failure becomes an AppError that names the tool and its last
 * stderr line.
 */
import { spawn } from 'node:child_process';
import { AppError } from '@workbench/core';

export interface RunToolOptions {
  signal?: AbortSignal;
  timeoutMs: number;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Refuse (kill) past this many bytes of stdout. Default 64 MiB. */
  maxStdoutBytes?: number;
  /** What the caller was doing, for the error message: "Cannot <action>: ...". */
  action: string;
}

export interface ToolResult {
  stdout: Buffer;
  stderr: string;
}

/**
 * Errors are AppErrors: `timeout` when the tool ran past `timeoutMs` or the
 * signal timed out, the abort reason when the signal aborted, `unavailable`
 * when the tool is not installed, and `bad_request` when the tool exited
 * non-zero (the input is what it could not read).
 */
export function runTool(command: string, args: readonly string[], opts: RunToolOptions): Promise<ToolResult> {
  const max = opts.maxStdoutBytes ?? 64 * 2 ** 20;
  return new Promise<ToolResult>((resolve, reject) => {
    if (opts.signal?.aborted) {
      reject(signalError(opts.signal, opts.action));
      return;
    }
    const child = spawn(command, args, { cwd: opts.cwd, env: opts.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    let outBytes = 0;
    let err = '';
    let failure: Error | undefined;
    const kill = (why: Error) => {
      if (failure) return;
      failure = why;
      child.kill('SIGKILL');
    };
    const timer = setTimeout(() => kill(new AppError('timeout', `Cannot ${opts.action}: ${command} ran longer than ${opts.timeoutMs} ms`)), opts.timeoutMs);
    const onAbort = () => kill(signalError(opts.signal!, opts.action));
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    child.stdout.on('data', (b: Buffer) => {
      outBytes += b.length;
      if (outBytes > max) kill(new AppError('payload_too_large', `Cannot ${opts.action}: ${command} wrote more than ${max} bytes`));
      else out.push(b);
    });
    child.stderr.on('data', (b: Buffer) => {
      if (err.length < 16384) err += b.toString('utf8');
    });
    const done = () => {
      clearTimeout(timer);
      opts.signal?.removeEventListener('abort', onAbort);
    };
    child.once('error', (e: NodeJS.ErrnoException) => {
      done();
      if (e.code === 'ENOENT') reject(new AppError('unavailable', `Cannot ${opts.action}: ${command} is not installed`, { cause: e }));
      else reject(new AppError('internal', `Cannot ${opts.action}: ${command} did not start (${e.message})`, { cause: e }));
    });
    child.once('close', (code, sig) => {
      done();
      if (failure) reject(failure);
      else if (code !== 0) {
        const last = err.trim().split('\n').filter(Boolean).slice(-2).join(' / ') || `exit ${code ?? sig}`;
        reject(new AppError('bad_request', `Cannot ${opts.action}: ${command} failed (${last})`, { details: { tool: command, exitCode: code, signal: sig } }));
      } else resolve({ stdout: Buffer.concat(out), stderr: err });
    });
  });
}

function signalError(signal: AbortSignal, action: string): Error {
  const reason: unknown = signal.reason;
  if (reason instanceof AppError) return reason;
  if (typeof reason === 'object' && reason !== null && (reason as { name?: unknown }).name === 'TimeoutError') {
    return new AppError('timeout', `Cannot ${action}: timed out`, { cause: reason });
  }
  return new AppError('unavailable', `Cannot ${action}: aborted`, { cause: reason });
}
