/**
 * The y-websocket protocol for one client socket (y-protocols PROTOCOL.md,
 * as y-websocket 1.5's client and JupyterLab's @jupyter/docprovider speak
 * it). Message types (varUint first): 0 sync (step1, step2, update),
 * 1 awareness, 2 Jupyter RAW (varString "save" + varUint id, answered
 * with RAW varString JSON {type:"save", responseTo, status}). Type 2 is
 * also y-protocols' auth message: [2, 0, reason] is "permission denied",
 * which y-websocket reports and Jupyter's RAW reader skips (an empty
 * string is not JSON); read-only clients get it when they send an update,
 * and the update is never applied. Document updates fan out to every other
 * connection; awareness updates to every connection including the sender
 * (that keeps y-websocket's 30 s silence timeout from firing); a closing
 * client's awareness states are removed. WebSocket pings detect dead peers.
 */
import type WebSocket from 'ws';
import { describeError, Logger, silentLogger } from '@workbench/core';
import { Author, systemTimers, Timers } from './contents-port';
import type { EditorOrigin, SaveStatus } from './room';
import { awarenessProtocol, AwarenessTypes, decoding, encoding, syncProtocol, YTypes } from './yjs';

export const MESSAGE_SYNC = 0;
export const MESSAGE_AWARENESS = 1;
/** Jupyter's RAW message (jupyter_server_ydoc utils.MessageType.RAW); shares its number with y-protocols' auth message. */
export const MESSAGE_RAW = 2;
const AUTH_PERMISSION_DENIED = 0;

/** What a connection needs from a room (a document room, or the transient global-awareness room). */
export interface SharedRoom {
  readonly doc: YTypes.Doc;
  readonly awareness: AwarenessTypes.Awareness;
  /** Absent for rooms without a file. */
  save?(): Promise<SaveStatus>;
}

export interface ConnectionOptions {
  user: Author;
  readOnly?: boolean;
  /** Interval of WebSocket pings; a peer that misses one pong is dropped. 0 disables. */
  pingIntervalMs?: number;
  timers?: Timers;
  logger?: Logger;
  onClose?: () => void;
}

export class Connection implements EditorOrigin, AsyncDisposable {
  readonly user: Author;
  readonly readOnly: boolean;
  /** Awareness client ids this connection announced (removed when it closes). */
  private readonly controlled = new Set<number>();
  private readonly timers: Timers;
  private readonly logger: Logger;
  private pingTimer: unknown;
  private alive = true;
  private closed = false;

  constructor(
    private readonly ws: WebSocket,
    private readonly room: SharedRoom,
    private readonly options: ConnectionOptions,
  ) {
    this.user = options.user;
    this.readOnly = options.readOnly ?? false;
    this.timers = options.timers ?? systemTimers;
    this.logger = options.logger ?? silentLogger;
    room.doc.on('update', this.onDocUpdate);
    room.awareness.on('update', this.onAwarenessUpdate);
    ws.on('message', this.onMessage);
    ws.on('close', this.onSocketClose);
    ws.on('error', this.onSocketClose);
    ws.on('pong', this.onPong);

    if (!this.readOnly) {
      // Ask for what the client has that we lack (a read-only client's answer would be refused anyway).
      const enc = encoding().createEncoder();
      encoding().writeVarUint(enc, MESSAGE_SYNC);
      syncProtocol().writeSyncStep1(enc, room.doc);
      this.send(encoding().toUint8Array(enc));
    }
    const states = room.awareness.getStates();
    if (states.size > 0) this.send(this.awarenessMessage([...states.keys()]));
    this.schedulePing();
  }

  /** Feed a message that arrived before the connection was set up (the room was loading). */
  receive(data: Buffer | ArrayBuffer | Buffer[]): void {
    this.onMessage(data);
  }

  private readonly onDocUpdate = (update: Uint8Array, origin: unknown): void => {
    if (origin === this) return;
    const enc = encoding().createEncoder();
    encoding().writeVarUint(enc, MESSAGE_SYNC);
    syncProtocol().writeUpdate(enc, update);
    this.send(encoding().toUint8Array(enc));
  };

  private readonly onAwarenessUpdate = ({ added, updated, removed }: { added: number[]; updated: number[]; removed: number[] }, origin: unknown): void => {
    const changed = [...added, ...updated, ...removed];
    if (origin === this) {
      for (const id of [...added, ...updated]) this.controlled.add(id);
      for (const id of removed) this.controlled.delete(id);
    }
    this.send(this.awarenessMessage(changed));
  };

  private awarenessMessage(ids: number[]): Uint8Array {
    const enc = encoding().createEncoder();
    encoding().writeVarUint(enc, MESSAGE_AWARENESS);
    encoding().writeVarUint8Array(enc, awarenessProtocol().encodeAwarenessUpdate(this.room.awareness, ids));
    return encoding().toUint8Array(enc);
  }

  private readonly onMessage = (data: Buffer | ArrayBuffer | Buffer[]): void => {
    if (this.closed) return;
    const bytes = Array.isArray(data) ? Buffer.concat(data) : Buffer.isBuffer(data) ? data : Buffer.from(data);
    try {
      this.handle(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength));
    } catch (err) {
      this.logger.warn({ err: describeError(err), user: this.user.name }, 'Closing a collaboration socket: malformed message');
      this.ws.close(4400, 'Malformed message');
    }
  };

  private handle(message: Uint8Array): void {
    const D = decoding();
    const E = encoding();
    const decoder = D.createDecoder(message);
    const type = D.readVarUint(decoder);
    switch (type) {
      case MESSAGE_SYNC: {
        const enc = E.createEncoder();
        E.writeVarUint(enc, MESSAGE_SYNC);
        if (this.readOnly) {
          const sub = D.readVarUint(decoder);
          if (sub === syncProtocol().messageYjsSyncStep1) syncProtocol().readSyncStep1(decoder, enc, this.room.doc);
          else return this.refuse('Cannot edit this document: the connection is read-only');
        } else {
          syncProtocol().readSyncMessage(decoder, enc, this.room.doc, this, (err: Error) => {
            throw err; // to onMessage: the socket is closed with 4400
          });
        }
        if (E.length(enc) > 1) this.send(E.toUint8Array(enc));
        return;
      }
      case MESSAGE_AWARENESS:
        awarenessProtocol().applyAwarenessUpdate(this.room.awareness, D.readVarUint8Array(decoder), this);
        return;
      case MESSAGE_RAW: {
        const text = D.readVarString(decoder);
        if (text === 'save') void this.answerSave(D.readVarUint(decoder));
        return;
      }
      default:
        return; // unknown types are ignored, as y-websocket does
    }
  }

  private async answerSave(id: number): Promise<void> {
    let status: SaveStatus = 'failed';
    if (!this.readOnly && this.room.save) {
      try {
        status = await this.room.save();
      } catch {
        status = 'failed';
      }
    }
    const enc = encoding().createEncoder();
    encoding().writeVarUint(enc, MESSAGE_RAW);
    encoding().writeVarString(enc, JSON.stringify({ type: 'save', responseTo: id, status }));
    this.send(encoding().toUint8Array(enc));
  }

  private refuse(reason: string): void {
    const enc = encoding().createEncoder();
    encoding().writeVarUint(enc, MESSAGE_RAW);
    encoding().writeVarUint(enc, AUTH_PERMISSION_DENIED);
    encoding().writeVarString(enc, reason);
    this.send(encoding().toUint8Array(enc));
  }

  private send(message: Uint8Array): void {
    if (this.closed || this.ws.readyState !== this.ws.OPEN) return;
    this.ws.send(message, (err) => {
      if (err) this.ws.terminate();
    });
  }

  private schedulePing(): void {
    const ms = this.options.pingIntervalMs ?? 30_000;
    if (ms <= 0 || this.closed) return;
    this.pingTimer = this.timers.setTimeout(() => {
      if (!this.alive) {
        this.ws.terminate();
        return;
      }
      this.alive = false;
      try {
        this.ws.ping();
      } catch {
        this.ws.terminate();
        return;
      }
      this.schedulePing();
    }, ms);
  }

  private readonly onPong = (): void => {
    this.alive = true;
  };

  private readonly onSocketClose = (): void => {
    void this[Symbol.asyncDispose]();
  };

  /** Close the socket with a code (the rest as on dispose). */
  close(code: number, reason: string): void {
    if (!this.closed && this.ws.readyState === this.ws.OPEN) this.ws.close(code, reason);
    void this[Symbol.asyncDispose]();
  }

  /** Stop serving the socket (closing it if still open) and withdraw its awareness states. Idempotent. */
  async [Symbol.asyncDispose](): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.pingTimer !== undefined) this.timers.clearTimeout(this.pingTimer);
    this.room.doc.off('update', this.onDocUpdate);
    this.room.awareness.off('update', this.onAwarenessUpdate);
    this.ws.off('message', this.onMessage);
    this.ws.off('pong', this.onPong);
    if (this.controlled.size > 0) awarenessProtocol().removeAwarenessStates(this.room.awareness, [...this.controlled], null);
    if (this.ws.readyState === this.ws.OPEN || this.ws.readyState === this.ws.CONNECTING) this.ws.close(1001, 'Going away');
    this.options.onClose?.();
  }
}
