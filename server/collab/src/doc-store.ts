/**
 * Durable Yjs state per room, so a server restart resumes the SAME document
 * (same Yjs history) and reconnecting clients merge without duplicating
 * cells. Every update is appended as it happens; `compact` replaces a room's
 * updates with one merged state when the room is idle. Each room also has a
 * session id: it names one document lineage. It changes only when the
 * state is lost (a fresh data dir), and clients holding another session id
 * are told to reload (see websocket.ts).
 */
import { randomUUID } from 'node:crypto';
import { Database, openDatabase } from './sqlite';

export interface DocStoreOptions {
  /** Folder for the SQLite file (`documents.db`). */
  dataDir: string;
}

export interface StoredRoom {
  sessionId: string;
  /** The file's text as last read from or written to disk by the room (undefined before the first load). */
  diskText: string | undefined;
  updates: Uint8Array[];
}

export class DocStore implements AsyncDisposable {
  private readonly db: Database;

  constructor(options: DocStoreOptions) {
    this.db = openDatabase(options.dataDir, 'documents.db');
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS rooms (room TEXT PRIMARY KEY, session_id TEXT NOT NULL, disk_text TEXT);
      CREATE TABLE IF NOT EXISTS updates (seq INTEGER PRIMARY KEY AUTOINCREMENT, room TEXT NOT NULL, data BLOB NOT NULL);
      CREATE INDEX IF NOT EXISTS updates_room ON updates (room, seq);
    `);
  }

  /** The room's session id, created when the room has none yet. */
  sessionId(room: string): string {
    const row = this.db.prepare<[string]>('SELECT session_id FROM rooms WHERE room = ?').get(room) as { session_id: string } | undefined;
    if (row) return row.session_id;
    const id = randomUUID();
    this.db.prepare<[string, string]>('INSERT INTO rooms (room, session_id) VALUES (?, ?)').run(room, id);
    return id;
  }

  load(room: string): StoredRoom {
    const sessionId = this.sessionId(room);
    const row = this.db.prepare<[string]>('SELECT disk_text FROM rooms WHERE room = ?').get(room) as { disk_text: string | null };
    const updates = (this.db.prepare<[string]>('SELECT data FROM updates WHERE room = ? ORDER BY seq').all(room) as { data: Buffer }[]).map(
      (r) => new Uint8Array(r.data.buffer, r.data.byteOffset, r.data.byteLength),
    );
    return { sessionId, diskText: row.disk_text ?? undefined, updates };
  }

  append(room: string, update: Uint8Array): void {
    this.db.prepare<[string, Buffer]>('INSERT INTO updates (room, data) VALUES (?, ?)').run(room, Buffer.from(update));
  }

  /** Replace the room's updates with one state (Y.encodeStateAsUpdate of the whole doc), atomically. */
  compact(room: string, state: Uint8Array): void {
    this.db.transaction(() => {
      this.db.prepare<[string]>('DELETE FROM updates WHERE room = ?').run(room);
      this.append(room, state);
    })();
  }

  updateCount(room: string): number {
    return (this.db.prepare<[string]>('SELECT count(*) AS n FROM updates WHERE room = ?').get(room) as { n: number }).n;
  }

  setDiskText(room: string, text: string): void {
    this.db.prepare<[string, string]>('UPDATE rooms SET disk_text = ? WHERE room = ?').run(text, room);
  }

  /** Forget a room (its file was deleted). */
  drop(room: string): void {
    this.db.transaction(() => {
      this.db.prepare<[string]>('DELETE FROM updates WHERE room = ?').run(room);
      this.db.prepare<[string]>('DELETE FROM rooms WHERE room = ?').run(room);
    })();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    if (this.db.open) this.db.close();
  }
}
