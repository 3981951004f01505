/**
 * The server's event bus (jupyter_events' EventLogger as jupyter_server
 * uses it): schemas are registered by `$id` and `version`; every event is
 * validated against its schema before anyone sees it; listeners (the
 * `/api/events/subscribe` sockets) receive `{schema_id, version,
 * timestamp, data}`.
 */
import Ajv, { ValidateFunction } from 'ajv';
import { AppError, Emitter, Event, Logger, silentLogger } from '@workbench/core';

export interface EventSchema {
  $id: string;
  version: string | number;
  [key: string]: unknown;
}

export interface EmittedEvent {
  schema_id: string;
  version: string;
  /** ISO 8601, UTC. */
  timestamp: string;
  data: Record<string, unknown>;
}

export interface EmitRequest {
  schema_id: string;
  /** When given (always, over HTTP), must be the registered version. */
  version?: string | number;
  data: unknown;
  timestamp?: Date;
}

export class EventBus {
  private readonly schemas = new Map<string, { version: string; validate: ValidateFunction }>();
  private readonly ajv = new Ajv({ strict: false, validateFormats: false });
  private readonly emitter: Emitter<EmittedEvent>;
  readonly onEvent: Event<EmittedEvent>;

  constructor(private readonly options: { logger?: Logger; now?: () => number } = {}) {
    const logger = options.logger ?? silentLogger;
    this.emitter = new Emitter<EmittedEvent>((err) => logger.warn({ err: String(err) }, 'event listener failed'));
    this.onEvent = this.emitter.event;
  }

  register(schema: EventSchema): void {
    if (this.schemas.has(schema.$id)) throw new Error(`Cannot register event schema ${schema.$id}: already registered`);
    const { $id: _id, version: _v, $schema: _s, ...body } = schema;
    this.schemas.set(schema.$id, { version: String(schema.version), validate: this.ajv.compile(body) });
  }

  has(schemaId: string): boolean {
    return this.schemas.has(schemaId);
  }

  /** Validate and deliver; throws `bad_request` naming what is wrong (unknown schema, version, invalid data). */
  emit(req: EmitRequest): EmittedEvent {
    const entry = this.schemas.get(req.schema_id);
    if (!entry) throw new AppError('bad_request', `Cannot emit event: schema ${req.schema_id} is not registered`);
    if (req.version !== undefined && String(req.version) !== entry.version) {
      throw new AppError('bad_request', `Cannot emit event: Unregistered version: '${String(req.version)}'≠'${entry.version}' for \`${req.schema_id}\``);
    }
    if (typeof req.data !== 'object' || req.data === null || Array.isArray(req.data)) throw new AppError('bad_request', 'Cannot emit event: data must be a JSON object');
    if (!entry.validate(req.data)) {
      const e = entry.validate.errors?.[0];
      throw new AppError('bad_request', `Cannot emit event: data does not match ${req.schema_id}: ${e?.instancePath || '(root)'} ${e?.message ?? 'is invalid'}`);
    }
    const event: EmittedEvent = {
      schema_id: req.schema_id,
      version: entry.version,
      timestamp: (req.timestamp ?? new Date((this.options.now ?? Date.now)())).toISOString(),
      data: req.data as Record<string, unknown>,
    };
    this.emitter.fire(event);
    return event;
  }

  dispose(): void {
    this.emitter.dispose();
  }
}
