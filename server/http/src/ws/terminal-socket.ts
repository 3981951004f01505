/**
 * /terminals/websocket/{name}: one WebSocket as a client of a terminal, in
 * terminado's JSON-array protocol (see @workbench/terminals `protocol.ts`).
 * Every client of a terminal gets its output; a client that cannot keep up
 * is closed with 1013 (JupyterLab reconnects and gets the scrollback).
 */
import type { RawData, WebSocket } from 'ws';
import type { Logger } from '@workbench/core';
import { encodeServerMessage, parseClientMessage, TerminalClient, TerminalManager, TerminalProtocolError } from '@workbench/terminals';
import { WS_CLOSE } from '../error-table';
import type { SocketRouteDef } from '../route-table';

export function attachTerminalSocket(opts: { ws: WebSocket; terminals: TerminalManager; name: string; logger: Logger; maxClientBufferBytes: number }): void {
  const { ws, logger } = opts;
  let open = true;
  const client: TerminalClient = {
    send(msg) {
      if (!open || ws.readyState !== ws.OPEN) return false;
      if (ws.bufferedAmount > opts.maxClientBufferBytes) {
        open = false;
        ws.close(WS_CLOSE.tryAgainLater, 'client too slow: reconnect for the recent output');
        return false;
      }
      ws.send(encodeServerMessage(msg));
      return true;
    },
    close(code, reason) {
      open = false;
      ws.close(code, reason);
    },
  };
  if (!opts.terminals.has(opts.name)) {
    // Deleted between the upgrade check and now: say so the way a dying terminal does.
    client.send(['disconnect', 1]);
    client.close(WS_CLOSE.normal, 'no such terminal');
    return;
  }
  const attachment = opts.terminals.get(opts.name).attach(client);
  ws.on('message', (data: RawData) => {
    if (!open) return;
    try {
      const msg = parseClientMessage(Buffer.isBuffer(data) ? data.toString('utf8') : Buffer.concat(data as Buffer[]).toString('utf8'));
      if (msg?.type === 'stdin') attachment.write(msg.data);
      else if (msg?.type === 'set_size') attachment.setSize(msg.rows, msg.cols);
    } catch (err) {
      const why = err instanceof TerminalProtocolError ? err.message : 'Cannot read terminal message';
      logger.warn({ terminal: opts.name, err: why }, 'closing terminal socket after a malformed frame');
      open = false;
      ws.close(WS_CLOSE.invalidPayload, why.slice(0, 120));
    }
  });
  ws.on('close', () => {
    open = false;
    attachment[Symbol.dispose]();
  });
}

export function terminalSocketRoute(terminals: TerminalManager, logger: Logger, maxClientBufferBytes: number): SocketRouteDef {
  return {
    path: '/terminals/websocket/:name',
    auth: 'user',
    permission: { resource: 'terminals', action: 'execute' },
    tag: 'terminals',
    summary: 'A terminal, in terminado\'s protocol (["stdin", text], ["set_size", rows, cols] in; ["setup", {}], ["stdout", text], ["disconnect", 1] out)',
    accept: ({ params }) => {
      const name = params.name!;
      terminals.get(name); // 404 before the upgrade when there is no such terminal
      return (ws) => attachTerminalSocket({ ws, terminals, name, logger: logger.child({ terminal: name }), maxClientBufferBytes });
    },
  };
}
