/**
 * Ties file ids, rooms and sockets together (jupyter_server_ydoc's
 * DocSessionHandler + YDocWebSocketHandler + room cleanup). server/http
 * owns the routes and authorization and calls `openSession` for
 * `PUT /api/collaboration/session/{path}` and `handleConnection` for an
 * accepted `/api/collaboration/room/{room}?sessionId=` socket.
 *
 * Close codes (jupyter-collaboration 5.0 handlers.py, @jupyter/docprovider
 * yprovider.ts): 1003 with JSON {reason, sessionId, reloadable} when the
 * client's session id is not the document's (the client offers a reload
 * and disposes its model instead of merging a stale document); 4404 file
 * not found, 4400 bad request, 4500 internal error while opening the room.
 */
import type WebSocket from 'ws';
import { AppError, describeError, isAppError, Logger, silentLogger } from '@workbench/core';
import { Author, ContentsPort, DocType, systemTimers, Timers } from './contents-port';
import { DocStore } from './doc-store';
import { FileIds } from './file-ids';
import { DocumentRoom } from './room';
import { Connection, SharedRoom } from './websocket';
import { awarenessProtocol, Y } from './yjs';

export const GLOBAL_AWARENESS_ROOM = 'JupyterLab:globalAwareness';
export const CLOSE_SESSION_MISMATCH = 1003;
export const CLOSE_BAD_REQUEST = 4400;
export const CLOSE_NOT_FOUND = 4404;
export const CLOSE_INTERNAL = 4500;

export interface SessionModel {
  format: string;
  type: string;
  fileId: string;
  sessionId: string;
}

export interface CollaborationServiceOptions {
  /** Folder for file-ids.db and documents.db. */
  dataDir: string;
  contents: ContentsPort;
  timers?: Timers;
  saveDelayMs?: number;
  compactDelayMs?: number;
  /** How long a room without clients stays loaded (a reconnecting client finds it). */
  idleRoomMs?: number;
  pingIntervalMs?: number;
  logger?: Logger;
}

interface RoomEntry {
  room: Promise<SharedRoom & { [Symbol.asyncDispose](): Promise<void> }>;
  clients: Set<Connection>;
  /** Connections waiting for the room to load. */
  pending: number;
  freeTimer?: unknown;
}

const asDocType = (t: string): DocType | undefined => (t === 'notebook' || t === 'file' ? t : undefined);

export class CollaborationService implements AsyncDisposable {
  readonly fileIds: FileIds;
  private readonly store: DocStore;
  private readonly timers: Timers;
  private readonly logger: Logger;
  private readonly rooms = new Map<string, RoomEntry>();
  private disposed: Promise<void> | undefined;

  constructor(private readonly options: CollaborationServiceOptions) {
    this.fileIds = new FileIds({ dataDir: options.dataDir });
    this.store = new DocStore({ dataDir: options.dataDir });
    this.timers = options.timers ?? systemTimers;
    this.logger = options.logger ?? silentLogger;
  }

  /** Whether `path` already has a file id (PUT answers 200 then, 201 otherwise). */
  isIndexed(path: string): boolean {
    return this.fileIds.findId(path) !== undefined;
  }

  /** The session of a document: its room is `${format}:${type}:${fileId}`. Throws not_found when the file does not exist. */
  async openSession(path: string, format: string, type: string, user: Author): Promise<SessionModel> {
    this.assertOpen();
    const docType = asDocType(type);
    if (!docType) throw new AppError('bad_request', `Cannot open a collaboration session on ${path}: type must be "notebook" or "file", not ${JSON.stringify(type)}`);
    await this.options.contents.get(path, { type: docType, content: true, ...(docType === 'file' ? { format: 'text' as const } : {}) });
    const fileId = this.fileIds.getId(path);
    const sessionId = this.store.sessionId(`${format}:${type}:${fileId}`);
    this.logger.debug({ path, fileId, user: user.name }, 'Collaboration session');
    return { format, type, fileId, sessionId };
  }

  /**
   * The file changed on disk, not through its rooms (the contents event bus
   * reported a change by someone else, or a periodic hash check differs):
   * merge it into the loaded rooms of that file. No-op when none is loaded.
   */
  async reloadFromDisk(path: string): Promise<void> {
    for (const room of await this.loadedRooms(path)) await room.reloadFromDisk();
  }

  /**
   * Compare every loaded document with its file and merge what changed on
   * disk behind the server's back (a git checkout, another editor); run
   * periodically by the app. Unchanged files cost a stat.
   */
  async checkDisk(): Promise<void> {
    for (const [name, entry] of [...this.rooms]) {
      const room = await entry.room.catch(() => undefined);
      if (!(room instanceof DocumentRoom)) continue;
      await room.reloadIfModified().catch((err: unknown) => this.logger.warn({ room: name, err: err instanceof Error ? err.message : String(err) }, 'could not compare a shared document with its file'));
    }
  }

  /** The loaded document rooms of a file (one per format). */
  async loadedRooms(path: string): Promise<DocumentRoom[]> {
    const fileId = this.fileIds.findId(path);
    if (!fileId) return [];
    const out: DocumentRoom[] = [];
    for (const [name, entry] of this.rooms) {
      if (name.split(':')[2] !== fileId) continue;
      const room = await entry.room.catch(() => undefined);
      if (room instanceof DocumentRoom) out.push(room);
    }
    return out;
  }

  /** A file or folder was renamed or moved: rooms follow it by id. */
  moved(from: string, to: string): void {
    this.fileIds.move(from, to);
  }

  /**
   * A file or folder was deleted: its ids and stored documents are dropped
   * and the clients of its rooms are closed with 4404 (a client that comes
   * back with the old room is told to reload).
   */
  async deleted(path: string): Promise<void> {
    const ids = new Set(this.fileIds.delete(path));
    for (const [name, entry] of [...this.rooms]) {
      if (!ids.has(name.split(':').slice(2).join(':'))) continue;
      this.rooms.delete(name);
      this.cancelFree(entry);
      for (const c of [...entry.clients]) c.close(CLOSE_NOT_FOUND, 'File deleted');
      const room = await entry.room.catch(() => undefined);
      if (room instanceof DocumentRoom) {
        room.discard();
        await room[Symbol.asyncDispose]();
      }
    }
  }

  /**
   * Serve an accepted socket for `roomName`. Messages that arrive while the
   * room loads are queued. Resolves once the client is served or closed.
   */
  async handleConnection(ws: WebSocket, roomName: string, sessionId: string | undefined, user: Author, opts: { readOnly?: boolean } = {}): Promise<void> {
    const queued: Buffer[] = [];
    const queue = (data: Buffer) => void queued.push(data);
    ws.on('message', queue);
    const close = (code: number, reason: string) => {
      ws.off('message', queue);
      if (ws.readyState === ws.OPEN || ws.readyState === ws.CONNECTING) ws.close(code, reason);
    };
    if (this.disposed) return close(1001, 'Server shutting down');

    const isDocument = roomName.split(':').length >= 3;
    if (isDocument) {
      const [format, type, fileId] = roomName.split(':', 3) as [string, string, string];
      if (!asDocType(type) || !format) return close(CLOSE_BAD_REQUEST, `Bad room name`);
      if (this.fileIds.getPath(fileId) === undefined) {
        // A file id we do not know: after lost state a client must reload (it holds a document from before).
        return sessionId ? close(CLOSE_SESSION_MISMATCH, sessionClosePayload(sessionId)) : close(CLOSE_NOT_FOUND, 'File not found');
      }
    }
    const entry = this.entry(roomName);
    this.cancelFree(entry);
    entry.pending++; // holds the room while it loads
    let room: SharedRoom;
    try {
      room = await entry.room;
    } catch (err) {
      entry.pending--;
      if (this.rooms.get(roomName) === entry) this.rooms.delete(roomName);
      const code = isAppError(err, 'not_found') ? CLOSE_NOT_FOUND : isAppError(err, 'bad_request') ? CLOSE_BAD_REQUEST : CLOSE_INTERNAL;
      this.logger.warn({ room: roomName, err: describeError(err) }, 'Cannot open a collaboration room');
      return close(code, `Error initializing the document`);
    }
    entry.pending--;
    if (this.disposed) return close(1001, 'Server shutting down');
    if (ws.readyState !== ws.OPEN) return this.maybeFree(roomName, entry);
    if (room instanceof DocumentRoom && sessionId !== room.sessionId) {
      this.maybeFree(roomName, entry);
      return close(CLOSE_SESSION_MISMATCH, sessionClosePayload(sessionId ?? ''));
    }
    ws.off('message', queue);
    const conn: Connection = new Connection(ws, room, {
      user,
      readOnly: opts.readOnly ?? false,
      pingIntervalMs: this.options.pingIntervalMs,
      timers: this.timers,
      logger: this.logger,
      onClose: () => {
        entry.clients.delete(conn);
        this.maybeFree(roomName, entry);
      },
    });
    entry.clients.add(conn);
    for (const m of queued) conn.receive(m);
  }

  private entry(roomName: string): RoomEntry {
    let entry = this.rooms.get(roomName);
    if (!entry) {
      entry = { room: this.openRoom(roomName), clients: new Set(), pending: 0 };
      entry.room.catch(() => undefined);
      this.rooms.set(roomName, entry);
    }
    return entry;
  }

  private async openRoom(roomName: string): Promise<SharedRoom & { [Symbol.asyncDispose](): Promise<void> }> {
    const parts = roomName.split(':');
    if (parts.length < 3) {
      const doc = new (Y().Doc)();
      const awareness = new (awarenessProtocol().Awareness)(doc);
      awareness.setLocalState(null);
      return { doc, awareness, [Symbol.asyncDispose]: async () => (awareness.destroy(), doc.destroy()) };
    }
    const [format, type, fileId] = [parts[0]!, parts[1]!, parts.slice(2).join(':')];
    return DocumentRoom.open({
      name: roomName,
      format,
      type: type as DocType,
      path: () => this.fileIds.getPath(fileId),
      contents: this.options.contents,
      store: this.store,
      timers: this.timers,
      saveDelayMs: this.options.saveDelayMs,
      compactDelayMs: this.options.compactDelayMs,
      logger: this.logger,
    });
  }

  private cancelFree(entry: RoomEntry): void {
    if (entry.freeTimer !== undefined) this.timers.clearTimeout(entry.freeTimer);
    entry.freeTimer = undefined;
  }

  /** Free a room some time after its last client left (saved and compacted first). */
  private maybeFree(roomName: string, entry: RoomEntry): void {
    if (entry.clients.size > 0 || entry.pending > 0 || this.disposed || this.rooms.get(roomName) !== entry) return;
    this.cancelFree(entry);
    entry.freeTimer = this.timers.setTimeout(() => {
      entry.freeTimer = undefined;
      if (entry.clients.size > 0 || entry.pending > 0 || this.rooms.get(roomName) !== entry) return;
      this.rooms.delete(roomName);
      void entry.room.then((r) => r[Symbol.asyncDispose]()).catch((err) => this.logger.error({ room: roomName, err: describeError(err) }, 'Cannot free a room'));
    }, roomName === GLOBAL_AWARENESS_ROOM ? 0 : (this.options.idleRoomMs ?? 60_000));
  }

  /** Rooms currently loaded (for status pages and tests). */
  get roomNames(): string[] {
    return [...this.rooms.keys()];
  }

  private assertOpen(): void {
    if (this.disposed) throw new AppError('unavailable', 'Cannot open a collaboration session: the server is shutting down');
  }

  /** Close every socket, save and free every room, close the stores. Idempotent. */
  [Symbol.asyncDispose](): Promise<void> {
    this.disposed ??= (async () => {
      const entries = [...this.rooms.values()];
      this.rooms.clear();
      for (const e of entries) {
        this.cancelFree(e);
        for (const c of [...e.clients]) await c[Symbol.asyncDispose]();
      }
      const results = await Promise.allSettled(entries.map(async (e) => (await e.room.catch(() => undefined))?.[Symbol.asyncDispose]()));
      await this.store[Symbol.asyncDispose]();
      await this.fileIds[Symbol.asyncDispose]();
      const failed = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
      if (failed.length) throw new AggregateError(failed.map((f) => f.reason), 'Cannot dispose the collaboration service: some rooms failed to save');
    })();
    return this.disposed;
  }
}

/** The close reason @jupyter/docprovider parses (ISessionClosePayload); a close reason must fit in 123 bytes. */
export function sessionClosePayload(sessionId: string): string {
  const payload = JSON.stringify({ reason: 'unknown_session', sessionId: sessionId.slice(0, 40), reloadable: true });
  return payload;
}
