/**
 * Jupyter messaging protocol types (jupyter_client docs/messaging.rst, 5.4).
 * Only the fields the gateway relies on are typed; everything else is
 * relayed untouched.
 */
import { randomUUID } from 'node:crypto';

export const PROTOCOL_VERSION = '5.4';

export type Channel = 'shell' | 'control' | 'stdin' | 'iopub';
export const CLIENT_CHANNELS: readonly Channel[] = ['shell', 'control', 'stdin'];

export interface MessageHeader {
  msg_id: string;
  msg_type: string;
  username: string;
  session: string;
  date: string;
  version: string;
  [extra: string]: unknown;
}

export interface JupyterMessage<C = Record<string, unknown>> {
  header: MessageHeader;
  parent_header: MessageHeader | Record<string, never>;
  metadata: Record<string, unknown>;
  content: C;
  buffers: Buffer[];
  channel?: Channel;
}

/**
 * A message kept as the bytes that travel on the wire, so the relay can
 * forward it without re-serialising JSON. `header` is parsed once because
 * routing needs it; the other parts are parsed only on demand.
 */
export interface RawMessage {
  identities: Buffer[];
  header: Buffer;
  parentHeader: Buffer;
  metadata: Buffer;
  content: Buffer;
  buffers: Buffer[];
}

export interface ExecutionStateContent {
  execution_state: 'starting' | 'idle' | 'busy' | 'restarting' | 'dead' | 'autorestarting';
}

export interface CreateMessageOptions<C> {
  msgType: string;
  content: C;
  session: string;
  username?: string;
  parent?: MessageHeader | Record<string, never>;
  metadata?: Record<string, unknown>;
  buffers?: Buffer[];
  msgId?: string;
}

export function createMessage<C>(opts: CreateMessageOptions<C>): JupyterMessage<C> {
  return {
    header: {
      msg_id: opts.msgId ?? randomUUID(),
      msg_type: opts.msgType,
      username: opts.username ?? 'workbench',
      session: opts.session,
      date: new Date().toISOString(),
      version: PROTOCOL_VERSION,
    },
    parent_header: opts.parent ?? {},
    metadata: opts.metadata ?? {},
    content: opts.content,
    buffers: opts.buffers ?? [],
  };
}

const EMPTY_OBJECT = Buffer.from('{}');

/** JSON-encode a structured message into its raw parts. */
export function toRaw(msg: JupyterMessage<unknown>, identities: Buffer[] = []): RawMessage {
  return {
    identities,
    header: Buffer.from(JSON.stringify(msg.header)),
    parentHeader: msg.parent_header && Object.keys(msg.parent_header).length > 0 ? Buffer.from(JSON.stringify(msg.parent_header)) : EMPTY_OBJECT,
    metadata: msg.metadata && Object.keys(msg.metadata).length > 0 ? Buffer.from(JSON.stringify(msg.metadata)) : EMPTY_OBJECT,
    content: Buffer.from(JSON.stringify(msg.content ?? {})),
    buffers: msg.buffers ?? [],
  };
}

/** Parse every part of a raw message. Throws ProtocolError on bad JSON. */
export function fromRaw<C = Record<string, unknown>>(raw: RawMessage): JupyterMessage<C> {
  return {
    header: parseJsonPart(raw.header, 'header') as MessageHeader,
    parent_header: parseJsonPart(raw.parentHeader, 'parent_header') as MessageHeader,
    metadata: parseJsonPart(raw.metadata, 'metadata') as Record<string, unknown>,
    content: parseJsonPart(raw.content, 'content') as C,
    buffers: raw.buffers,
  };
}

export class ProtocolError extends Error {
  override readonly name = 'ProtocolError';
}

export function parseJsonPart(buf: Buffer, part: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(buf.toString('utf8'));
  } catch {
    throw new ProtocolError(`Cannot parse message ${part}: not valid JSON`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ProtocolError(`Cannot parse message ${part}: not a JSON object`);
  }
  return value as Record<string, unknown>;
}

/** The routing facts of a header: enough to relay without parsing the content. */
export interface HeaderInfo {
  msgId: string;
  msgType: string;
  session: string;
}

export function headerInfo(header: Record<string, unknown>): HeaderInfo {
  return {
    msgId: typeof header.msg_id === 'string' ? header.msg_id : '',
    msgType: typeof header.msg_type === 'string' ? header.msg_type : '',
    session: typeof header.session === 'string' ? header.session : '',
  };
}

/** Validate a header from an untrusted peer. */
export function assertHeader(value: Record<string, unknown>): asserts value is MessageHeader {
  if (typeof value.msg_id !== 'string' || value.msg_id === '') throw new ProtocolError('Cannot accept message: header.msg_id must be a non-empty string');
  if (typeof value.msg_type !== 'string' || value.msg_type === '') throw new ProtocolError('Cannot accept message: header.msg_type must be a non-empty string');
  for (const key of ['session', 'username', 'version', 'date'] as const) {
    if (value[key] !== undefined && typeof value[key] !== 'string') throw new ProtocolError(`Cannot accept message: header.${key} must be a string`);
  }
}
