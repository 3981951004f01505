/**
 * The terminado WebSocket protocol JupyterLab's terminal speaks
 * (terminado `websocket.py`, jupyterlab `services/src/terminal/default.ts`).
 * Every frame is a JSON array whose first item names it:
 *
 *   client -> server   ["stdin", text]
 *                      ["set_size", rows, cols, height_px, width_px]
 *   server -> client   ["setup", {}]        once, on connect
 *                      ["stdout", text]     output (recent scrollback first, on connect)
 *                      ["disconnect", 1]    the process ended; the server then closes
 *
 * Pure: no sockets here.
 */

export type ClientMessage = { type: 'stdin'; data: string } | { type: 'set_size'; rows: number; cols: number };

export type ServerMessage = ['setup', Record<string, never>] | ['stdout', string] | ['disconnect', number];

export class TerminalProtocolError extends Error {
  override readonly name = 'TerminalProtocolError';
}

const MAX_DIMENSION = 10_000;

function dimension(v: unknown, what: string): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > MAX_DIMENSION) throw new TerminalProtocolError(`Cannot resize terminal: ${what} must be an integer from 1 to ${MAX_DIMENSION}`);
  return v;
}

/** Parse one client frame. Unknown message types are returned as undefined (terminado ignores them). */
export function parseClientMessage(text: string): ClientMessage | undefined {
  let msg: unknown;
  try {
    msg = JSON.parse(text);
  } catch {
    throw new TerminalProtocolError('Cannot read terminal message: not JSON');
  }
  if (!Array.isArray(msg) || typeof msg[0] !== 'string') throw new TerminalProtocolError('Cannot read terminal message: expected a JSON array starting with a message type');
  switch (msg[0]) {
    case 'stdin':
      if (typeof msg[1] !== 'string') throw new TerminalProtocolError('Cannot read terminal message: stdin needs a string');
      return { type: 'stdin', data: msg[1] };
    case 'set_size':
      return { type: 'set_size', rows: dimension(msg[1], 'rows'), cols: dimension(msg[2], 'cols') };
    default:
      return undefined;
  }
}

export function encodeServerMessage(msg: ServerMessage): string {
  return JSON.stringify(msg);
}
