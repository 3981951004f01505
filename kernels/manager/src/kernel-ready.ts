/**
 * When a freshly launched kernel is ready: it answered kernel_info, an iopub
 * message proved our SUB socket joined, and our stdin socket is connected.
 */
import { AppError, deferred, raceSignal } from '@workbench/core';
import { createMessage, parseJsonPart, toRaw } from '@workbench/protocol';
import type { KernelConnection } from '@workbench/zmq';
import type { ExitInfo, KernelProcess } from '@workbench/launcher';

export interface ReadyOptions {
  /** Kernelspec name, for messages. */
  name: string;
  /** Session id of the server's own requests. */
  session: string;
  launchTimeoutMs: number;
  /** Aborts (with a `timeout` AppError at the launch timeout) the wait. */
  signal: AbortSignal;
}

/**
 * kernel_info handshake with nudging: resend kernel_info_request until the
 * reply arrives and an iopub message proves the SUB socket has joined
 * (ZeroMQ's slow-joiner problem); fail fast if the process exits.
 */
export async function waitKernelReady(proc: KernelProcess, conn: KernelConnection, opts: ReadyOptions): Promise<Record<string, unknown>> {
  const { name, session, launchTimeoutMs, signal } = opts;
  const replied = deferred<Record<string, unknown>>();
  const iopubSeen = deferred<void>();
  const stdinJoined = deferred<void>();
  const checkStdin = () => conn.stdinJoined && stdinJoined.resolve();
  const sent = new Set<string>();
  let badFrames = 0;
  let gotReply = false;
  const badSub = conn.onProtocolError(() => badFrames++);
  const sub = conn.onMessage((e) => {
    if (e.channel === 'iopub') iopubSeen.resolve();
    if (e.channel === 'shell' && e.header.msgType === 'kernel_info_reply' && sent.has(e.parent.msgId)) {
      if (!gotReply) {
        // The kernel is up: from now on nudge fast until iopub proves our subscription joined.
        delay = 10;
        clearTimeout(timer);
        nudge();
        schedule();
      }
      gotReply = true;
      try {
        replied.resolve(parseJsonPart(e.raw.content, 'content'));
      } catch (err) {
        replied.reject(err);
      }
    }
  });
  const exited = proc.wait().then((info) => {
    const tail = proc.stderrTail().trim().split('\n').slice(-5).join('\n');
    throw new AppError('kernel_launch_failed', `Cannot start kernel ${name}: the process exited (${describeExit(info)}) before it was ready${tail ? `: ${tail}` : ''}`);
  });
  const nudge = () => {
    const msg = createMessage({ msgType: 'kernel_info_request', content: {}, session: session });
    sent.add(msg.header.msg_id);
    conn.send('shell', toRaw(msg)).catch(() => undefined);
  };
  // Nudge quickly at first (a fresh kernel binds within ~0.5 s), then back off to 250 ms.
  let delay = 20;
  let timer: NodeJS.Timeout | undefined;
  const schedule = (): void => {
    timer = setTimeout(() => {
      checkStdin();
      nudge();
      delay = Math.min(delay * 2, gotReply ? 40 : 250);
      schedule();
    }, delay);
  };
  nudge();
  schedule();
  try {
    // stdin must have joined too, or the first input() of a fresh kernel can vanish.
    checkStdin();
    const ready = Promise.all([replied.promise, iopubSeen.promise, stdinJoined.promise]);
    const [info] = await raceSignal(Promise.race([ready, exited]), signal, `start kernel ${name}`);
    return info;
  } catch (err) {
    if (err instanceof AppError && err.code === 'timeout') {
      const why = badFrames > 0 ? ` (${badFrames} messages from it were dropped: invalid signature or framing; is the kernel using the key from its connection file?)` : '';
      const what = !gotReply ? 'no kernel_info reply' : !conn.stdinJoined ? 'a kernel_info reply but its stdin port never accepted a connection' : 'a kernel_info reply but no iopub message';
      const tail = proc.stderrTail().trim().split('\n').slice(-3).join('\n');
      throw new AppError('kernel_launch_failed', `Cannot start kernel ${name}: ${what} within ${launchTimeoutMs} ms${why}${tail ? `; its stderr ends: ${tail}` : ''}`, { cause: err });
    }
    throw err;
  } finally {
    clearTimeout(timer);
    sub[Symbol.dispose]();
    badSub[Symbol.dispose]();
    exited.catch(() => undefined);
  }
}

export function describeExit(info: ExitInfo): string {
  if (info.reason) return info.reason;
  if (info.signal) return `killed by ${info.signal}`;
  return `exit code ${info.code}`;
}
