/**
 * Test support: the few Jupyter requests the end-to-end tests make against
 * a real kernel, over anything with `send` and `onMessage` (a
 * KernelConnection, or a manager's Kernel). Results are read from the shell
 * reply (execute_reply's user_expressions), which a fresh connection never
 * misses; iopub is only used where the manager guarantees the subscription.
 */
import type { Event } from '@workbench/core';
import { createMessage, parseJsonPart, RawMessage, toRaw } from '@workbench/protocol';
import type { KernelMessageEvent } from '@workbench/zmq';

export interface MessageTarget {
  send(channel: 'shell' | 'control' | 'stdin', raw: RawMessage): Promise<void>;
  readonly onMessage: Event<KernelMessageEvent>;
}

export interface PendingRequest {
  msgId: string;
  reply: Promise<Record<string, unknown>>;
}

/** Send a request and resolve with the content of its reply on the same channel. */
export function sendRequest(target: MessageTarget, channel: 'shell' | 'control', msgType: string, content: Record<string, unknown>, session = 'e2e-test'): PendingRequest {
  const msg = createMessage({ msgType, content, session });
  const msgId = msg.header.msg_id;
  const reply = new Promise<Record<string, unknown>>((resolve, reject) => {
    const sub = target.onMessage((e) => {
      if (e.channel !== channel || e.parent.msgId !== msgId) return;
      sub[Symbol.dispose]();
      resolve(parseJsonPart(e.raw.content, 'content'));
    });
    target.send(channel, toRaw(msg)).catch((err: unknown) => {
      sub[Symbol.dispose]();
      reject(err);
    });
  });
  return { msgId, reply };
}

/**
 * Run code; with `expressions`, their text/plain values come back in the
 * reply. With stopOnError (the default) ipykernel aborts requests queued
 * right after a failure, so a test that expects an error turns it off.
 */
export function execute(target: MessageTarget, code: string, expressions: Record<string, string> = {}, stopOnError = true): PendingRequest {
  return sendRequest(target, 'shell', 'execute_request', { code, silent: false, store_history: false, user_expressions: expressions, allow_stdin: false, stop_on_error: stopOnError });
}

/** Evaluate one expression and return its repr, or throw with the kernel's error. */
export async function evaluate(target: MessageTarget, expression: string): Promise<string> {
  const reply = await execute(target, '', { value: expression }).reply;
  const v = (reply.user_expressions as Record<string, { status: string; data?: Record<string, string>; ename?: string; evalue?: string }>).value!;
  if (v.status !== 'ok') throw new Error(`Cannot evaluate ${expression}: ${v.ename}: ${v.evalue}`);
  return v.data!['text/plain']!;
}

/** Resolves with the first iopub message answering `parentMsgId` that `predicate` accepts. */
export function nextIopub(target: MessageTarget, parentMsgId: string, predicate: (msgType: string, content: Record<string, unknown>) => boolean): Promise<Record<string, unknown>> {
  return new Promise((resolve) => {
    const sub = target.onMessage((e) => {
      if (e.channel !== 'iopub' || e.parent.msgId !== parentMsgId) return;
      const content = parseJsonPart(e.raw.content, 'content');
      if (!predicate(e.header.msgType, content)) return;
      sub[Symbol.dispose]();
      resolve(content);
    });
  });
}
