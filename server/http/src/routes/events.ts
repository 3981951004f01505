/**
 * The event bus over HTTP (jupyter_server `services/events/handlers.py`):
 * `POST /api/events` emits a client event `{schema_id, version, data,
 * timestamp?}` after validation (204; 400 says what is wrong), and the
 * WebSocket `/api/events/subscribe` streams every event as one JSON text
 * frame `{schema_id, ...data}` (jupyter_server's shape).
 */
import type { WebSocket } from 'ws';
import { AppError } from '@workbench/core';
import type { EventBus } from '@workbench/contents';
import type { HttpDeps } from '../deps';
import { WS_CLOSE } from '../error-table';
import type { RouteDef, SocketRouteDef } from '../route-table';

function bus(deps: HttpDeps): EventBus {
  if (!deps.events) throw new AppError('not_found', 'Cannot use events: the event bus is not enabled');
  return deps.events;
}

export function eventRoutes(deps: HttpDeps): RouteDef[] {
  return [
    {
      method: 'post',
      path: '/api/events',
      auth: 'user',
      permission: { resource: 'events', action: 'write' },
      tag: 'events',
      summary: 'Emit an event {schema_id, version, data, timestamp?} validated against its registered schema',
      responses: { '204': 'Emitted', '400': 'Missing field, unknown schema or version, or data not matching the schema' },
      handler: (req, res) => {
        const body = req.body as Record<string, unknown> | undefined;
        if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new AppError('bad_request', 'Cannot emit event: No JSON data provided');
        for (const key of ['schema_id', 'version', 'data']) if (!(key in body)) throw new AppError('bad_request', `Cannot emit event: Missing \`${key}\` in the JSON request body.`);
        if (typeof body.schema_id !== 'string') throw new AppError('bad_request', 'Cannot emit event: schema_id must be a string');
        let timestamp: Date | undefined;
        if (body.timestamp !== undefined) {
          timestamp = new Date(typeof body.timestamp === 'string' ? body.timestamp.replace(/([+-]\d\d:?\d\d)Z$/, '$1') : NaN);
          if (Number.isNaN(timestamp.getTime())) throw new AppError('bad_request', 'Cannot emit event: Failed to parse timestamp from JSON request body, an ISO format datetime string with UTC offset is expected, for example, 2022-05-26T13:50:00+05:00Z');
        }
        bus(deps).emit({ schema_id: body.schema_id, version: body.version as string | number, data: body.data, timestamp });
        res.status(204).end();
      },
    },
  ];
}

export function eventsSocketRoute(deps: HttpDeps): SocketRouteDef {
  return {
    path: '/api/events/subscribe',
    auth: 'user',
    permission: { resource: 'events', action: 'execute' },
    tag: 'events',
    summary: 'Every server event as a JSON text frame {schema_id, ...data}',
    accept: () => {
      const events = bus(deps);
      return (ws: WebSocket) => {
        const sub = events.onEvent((e) => {
          if (ws.readyState !== ws.OPEN) return;
          if (ws.bufferedAmount > deps.maxClientBufferBytes) {
            ws.close(WS_CLOSE.tryAgainLater, 'client too slow');
            return;
          }
          ws.send(JSON.stringify({ schema_id: e.schema_id, ...e.data }));
        });
        ws.on('close', () => sub[Symbol.dispose]());
      };
    },
  };
}
