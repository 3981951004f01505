/**
 * Contents changes as jupyter_server's `contents_service` events
 * (jupyter_server `event_schemas/contents_service/v1.yaml`), so clients
 * listening on /api/events/subscribe learn about saves, renames and
 * deletes wherever they come from.
 */
import { describeError, DisposableLike, Logger, silentLogger } from '@workbench/core';
import type { ContentsManager } from '../contents-manager';
import type { ContentsEvent } from '../model';
import type { EventBus, EventSchema } from './event-bus';

export const CONTENTS_EVENT_SCHEMA_ID = 'https://events.jupyter.org/jupyter_server/contents_service/v1';

export const CONTENTS_EVENT_SCHEMA: EventSchema = {
  $id: CONTENTS_EVENT_SCHEMA_ID,
  version: '1',
  title: 'Contents Manager activities',
  type: 'object',
  required: ['action', 'path'],
  properties: {
    action: { enum: ['get', 'create', 'save', 'upload', 'rename', 'copy', 'delete'] },
    path: { type: 'string' },
    source_path: { type: 'string' },
  },
};

export function contentsEventData(e: ContentsEvent): Record<string, string> {
  switch (e.type) {
    case 'saved':
      return { action: 'save', path: e.path };
    case 'created':
      return { action: 'create', path: e.path };
    case 'renamed':
      return { action: 'rename', path: e.path, source_path: e.oldPath };
    case 'deleted':
      return { action: 'delete', path: e.path };
  }
}

/** Register the schema (once) and publish every contents change on the bus. */
export function publishContentsEvents(contents: ContentsManager, bus: EventBus, logger: Logger = silentLogger): DisposableLike {
  if (!bus.has(CONTENTS_EVENT_SCHEMA_ID)) bus.register(CONTENTS_EVENT_SCHEMA);
  return contents.onDidChange((e) => {
    try {
      bus.emit({ schema_id: CONTENTS_EVENT_SCHEMA_ID, data: contentsEventData(e) });
    } catch (err) {
      // A change that cannot be published must not disturb the save that caused it.
      logger.warn({ path: e.path, err: describeError(err) }, 'could not publish a contents event');
    }
  });
}
