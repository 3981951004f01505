/**
 * One shared document (a YNotebook or a YFile from @jupyter/ydoc) for one
 * `format:type:fileId` room: loaded from the durable store (the same Yjs
 * history as before a restart) or, the first time, from the file; every
 * update appended to the store; saved back to the file after a quiet
 * period (the collaborators who edited since the last save are the
 * authors); out-of-band changes on disk merged in as minimal edits.
 */
import { AppError, describeError, Logger, silentLogger } from '@workbench/core';
import { Author, ContentsPort, DocType, systemTimers, Timers } from './contents-port';
import { DocStore } from './doc-store';
import { applyTextDiff, mergeNotebook, normalizeJSON, NotebookJSON, sourceText } from './notebook-merge';
import { AwarenessTypes, jupyterYDoc, toYjsJSON, Y, YDocTypes, YTypes } from './yjs';

export interface DocumentRoomOptions {
  /** `format:type:fileId` */
  name: string;
  format: string;
  type: DocType;
  /** The file's current path (it follows renames). */
  path(): string | undefined;
  contents: ContentsPort;
  store: DocStore;
  timers?: Timers;
  /** Quiet period before a change is saved to disk. */
  saveDelayMs?: number;
  /** Quiet period before the stored updates are compacted into one state. */
  compactDelayMs?: number;
  logger?: Logger;
}

/** The origin of a transaction made by a connected client: its user is an author of the next save. */
export interface EditorOrigin {
  readonly user: Author;
}
const isEditor = (o: unknown): o is EditorOrigin => typeof o === 'object' && o !== null && 'user' in o;

/** Transaction origins of the room's own changes. */
export const LOAD_ORIGIN = 'workbench:load';
export const DISK_ORIGIN = 'workbench:disk';
export const REPAIR_ORIGIN = 'workbench:repair';
/** The server telling clients the document is saved (state.dirty = false): not an edit. */
export const STATE_ORIGIN = 'workbench:state';

export type SaveStatus = 'success' | 'skipped' | 'failed';

/** Notebook JSON compared by meaning: keys sorted, multi-line strings joined (how the file spells them does not matter). */
export function normalizedText(type: DocType, content: unknown): string {
  if (type === 'file') return typeof content === 'string' ? content : '';
  return JSON.stringify(normalizeJSON(content));
}

/**
 * As jupyter_ydoc's YNotebook.set: a notebook without cells gets one empty
 * code cell to type in (trusted: it holds nothing). The room adds it
 * wherever it builds the notebook from its store or its file: on load and
 * when it merges the file. Not after a client's edit: JupyterLab adds a cell
 * itself when a user deletes the last one, and a second from here would
 * make two. Returns whether it added one.
 */
function addCellIfEmpty(nb: YDocTypes.YNotebook): boolean {
  // The Y array, not nb.cells: that list follows the array only when a transaction ends.
  if (nb.ydoc.getArray('cells').length > 0) return false;
  nb.insertCell(0, { cell_type: 'code', source: '', metadata: { trusted: true } } as never);
  return true;
}

export class DocumentRoom implements AsyncDisposable {
  readonly name: string;
  readonly type: DocType;
  readonly doc: YTypes.Doc;
  readonly shared: YDocTypes.YNotebook | YDocTypes.YFile;
  readonly sessionId: string;
  private readonly timers: Timers;
  private readonly logger: Logger;
  /** The file as the room last read or wrote it (normalized), the base of out-of-band merges. */
  private diskText: string | undefined;
  private readonly editors = new Map<string, Author>();
  private dirty = false;
  private saveTimer: unknown;
  private compactTimer: unknown;
  private saving: Promise<SaveStatus> = Promise.resolve('success');
  private disposed: Promise<void> | undefined;

  private constructor(private readonly options: DocumentRoomOptions, sessionId: string) {
    this.name = options.name;
    this.type = options.type;
    this.timers = options.timers ?? systemTimers;
    this.logger = (options.logger ?? silentLogger).child({ room: options.name });
    const ydoc = jupyterYDoc();
    this.shared = options.type === 'notebook' ? new ydoc.YNotebook() : new ydoc.YFile();
    this.doc = this.shared.ydoc as YTypes.Doc;
    this.shared.awareness.setLocalState(null); // the server has no presence of its own
    this.sessionId = sessionId;
  }

  get awareness(): AwarenessTypes.Awareness {
    return this.shared.awareness as AwarenessTypes.Awareness;
  }

  get path(): string {
    const p = this.options.path();
    if (p === undefined) throw new AppError('not_found', `Cannot find the file of room ${this.name}: it was deleted`);
    return p;
  }

  /** Load the room: the stored Yjs state when there is one (merging what changed on disk meanwhile), else the file. */
  static async open(options: DocumentRoomOptions): Promise<DocumentRoom> {
    const stored = options.store.load(options.name);
    const room = new DocumentRoom(options, stored.sessionId);
    try {
      await room.load(stored.updates, stored.diskText);
    } catch (err) {
      await room[Symbol.asyncDispose]();
      throw err;
    }
    return room;
  }

  private async load(updates: Uint8Array[], storedDiskText: string | undefined): Promise<void> {
    const file = await this.readFile();
    const fileText = normalizedText(this.type, file);
    if (updates.length > 0) {
      this.doc.transact(() => {
        for (const u of updates) Y().applyUpdate(this.doc, u);
      }, LOAD_ORIGIN);
      this.diskText = storedDiskText;
      this.listen();
      if (fileText !== storedDiskText) {
        this.mergeFile(file); // changed on disk while no room was open
        this.diskText = fileText;
      }
      // A stored document left without cells (its last cell deleted, or stored before rooms added one).
      if (this.type === 'notebook') this.doc.transact(() => addCellIfEmpty(this.shared as YDocTypes.YNotebook), LOAD_ORIGIN);
      if (normalizedText(this.type, this.content()) !== fileText) this.markDirty();
      else this.markSaved();
    } else {
      // Built from the file with a fixed client id, so identical files give identical Yjs histories.
      const ydoc = jupyterYDoc();
      const source = this.type === 'notebook' ? new ydoc.YNotebook() : new ydoc.YFile();
      source.ydoc.clientID = 0;
      if (source instanceof ydoc.YNotebook) {
        source.fromJSON(toYjsJSON(file) as never);
        addCellIfEmpty(source);
      }
      else (source as YDocTypes.YFile).setSource(file as string);
      Y().applyUpdate(this.doc, Y().encodeStateAsUpdate(source.ydoc as YTypes.Doc), LOAD_ORIGIN);
      source.dispose();
      this.markSaved(); // part of the initial state: not listened to yet, so not stored as an update of its own
      this.options.store.compact(this.name, Y().encodeStateAsUpdate(this.doc));
      this.diskText = fileText;
      this.listen();
    }
    this.options.store.setDiskText(this.name, this.diskText ?? fileText);
  }

  private listen(): void {
    this.doc.on('update', (update: Uint8Array, origin: unknown) => {
      if (this.disposed) return;
      this.options.store.append(this.name, update);
      if (origin === STATE_ORIGIN) return;
      if (isEditor(origin)) this.editors.set(`${origin.user.name}\u0000${origin.user.email}`, origin.user);
      this.markDirty();
      this.scheduleCompaction();
      if (isEditor(origin) && this.type === 'notebook') this.repairPending ||= (queueMicrotask(() => this.removeDuplicateCells()), true);
    });
  }

  private repairPending = false;

  /**
   * @jupyter/ydoc moves a cell by deleting it and inserting a copy, so two
   * clients moving the same cell concurrently leave two cells with one id.
   * The server is the single authority that removes the later copies; the
   * removal reaches every client as an ordinary update.
   */
  private removeDuplicateCells(): void {
    this.repairPending = false;
    if (this.disposed) return;
    const ycells = this.doc.getArray<YTypes.Map<unknown>>('cells');
    const seen = new Set<string>();
    const extra: number[] = [];
    ycells.forEach((c, i) => {
      const id = String(c.get('id'));
      if (seen.has(id)) extra.push(i);
      seen.add(id);
    });
    if (extra.length === 0) return;
    this.logger.info({ count: extra.length }, 'Removing duplicate cells left by concurrent moves');
    this.doc.transact(() => {
      for (const i of extra.reverse()) ycells.delete(i, 1);
    }, REPAIR_ORIGIN);
  }

  private async readFile(): Promise<unknown> {
    const model = await this.options.contents.get(this.path, { type: this.type, content: true, ...(this.type === 'file' ? { format: 'text' as const } : {}) });
    if (this.type === 'notebook' && (typeof model.content !== 'object' || model.content === null || !Array.isArray((model.content as NotebookJSON).cells))) {
      throw new AppError('bad_request', `Cannot open ${this.path} for collaboration: it is not a notebook`);
    }
    if (this.type === 'file' && typeof model.content !== 'string') throw new AppError('bad_request', `Cannot open ${this.path} for collaboration: it is not a text file`);
    if (model.hash) this.fileHash = model.hash;
    this.fileModified = model.last_modified;
    return model.content;
  }

  /** The document as the file should hold it. */
  content(): unknown {
    return this.type === 'notebook' ? (this.shared as YDocTypes.YNotebook).toJSON() : (this.shared as YDocTypes.YFile).getSource();
  }

  private markDirty(): void {
    this.dirty = true;
    if (this.saveTimer !== undefined) this.timers.clearTimeout(this.saveTimer);
    this.saveTimer = this.timers.setTimeout(() => {
      this.saveTimer = undefined;
      void this.save();
    }, this.options.saveDelayMs ?? 1000);
  }

  private scheduleCompaction(): void {
    if (this.compactTimer !== undefined) this.timers.clearTimeout(this.compactTimer);
    this.compactTimer = this.timers.setTimeout(() => {
      this.compactTimer = undefined;
      this.compact();
    }, this.options.compactDelayMs ?? 10_000);
  }

  /** Replace the stored updates with the current state (the room is quiet). */
  compact(): void {
    this.options.store.compact(this.name, Y().encodeStateAsUpdate(this.doc));
  }

  /** Write the document to its file now (after a save in progress). Saves run one at a time. */
  save(): Promise<SaveStatus> {
    const next = this.saving.then(() => this.saveOnce());
    this.saving = next;
    return next;
  }

  private async saveOnce(): Promise<SaveStatus> {
    if (!this.dirty) return 'success';
    if (this.saveTimer !== undefined) {
      this.timers.clearTimeout(this.saveTimer);
      this.saveTimer = undefined;
    }
    this.dirty = false;
    const authors = [...this.editors.values()];
    this.editors.clear();
    try {
      // Never overwrite a change made on disk behind our back: merge it first.
      await this.reloadOnce();
      const content = this.content();
      const text = normalizedText(this.type, content);
      if (text !== this.diskText) {
        const saved = await this.options.contents.save(this.path, { type: this.type, format: this.type === 'notebook' ? 'json' : 'text', content }, authors);
        if (saved.hash) this.fileHash = saved.hash;
        this.fileModified = saved.last_modified;
        this.diskText = text;
        this.options.store.setDiskText(this.name, text);
      }
      this.markSaved();
      return 'success';
    } catch (err) {
      for (const a of authors) this.editors.set(`${a.name}\u0000${a.email}`, a);
      this.dirty = true;
      this.logger.error({ err: describeError(err) }, 'Cannot save the shared document');
      return 'failed';
    }
  }

  /** The hash of the file as last read or written (the contents API's sha256). */
  private fileHash: string | undefined;
  /** The file's last_modified as last read or written. */
  private fileModified: string | undefined;

  /**
   * The periodic disk check: merge the file only when its last_modified
   * moved, so an unchanged file costs a stat, not a read, hash and parse.
   */
  async reloadIfModified(): Promise<boolean> {
    const port = this.options.contents;
    if (port.modified && this.fileModified !== undefined && (await port.modified(this.path)) === this.fileModified) return false;
    return this.reloadFromDisk();
  }

  /**
   * Tell every client the file's hash (JupyterLab's collaborative drive then
   * knows the server saved, so the user's own Save finds no conflict) and,
   * when nothing is unsaved, that the document is clean (the tab's unsaved
   * mark goes). Also on load: building the document from the file marks it
   * dirty (@jupyter/ydoc), and jupyter-collaboration likewise sets
   * dirty = False once a room is loaded.
   */
  private markSaved(): void {
    if (this.disposed) return;
    const state = this.doc.getMap('state');
    const hash = this.fileHash !== undefined && state.get('hash') !== this.fileHash ? this.fileHash : undefined;
    const clean = !this.dirty && state.get('dirty') !== false;
    if (hash === undefined && !clean) return;
    this.doc.transact(() => {
      if (hash !== undefined) state.set('hash', hash);
      if (clean) state.set('dirty', false);
    }, STATE_ORIGIN);
  }

  /**
   * The file changed on disk by someone else: merge it into the shared
   * document as a minimal edit. Returns whether the document changed.
   * A no-op when the file is as the room last read or wrote it.
   */
  reloadFromDisk(): Promise<boolean> {
    const next = this.saving.then(() => this.reloadOnce());
    this.saving = next.then(() => 'success' as const, () => 'failed' as const);
    return next;
  }

  private async reloadOnce(): Promise<boolean> {
    const file = await this.readFile();
    const text = normalizedText(this.type, file);
    if (text === this.diskText) return false;
    const changed = this.mergeFile(file);
    this.diskText = text;
    this.options.store.setDiskText(this.name, text);
    this.markSaved();
    return changed;
  }

  private mergeFile(file: unknown): boolean {
    if (this.type === 'file') {
      let changed = false;
      this.doc.transact(() => {
        changed = applyTextDiff((this.shared as YDocTypes.YFile).ysource as YTypes.Text, sourceText(file));
      }, DISK_ORIGIN);
      return changed;
    }
    const base = this.diskText === undefined ? undefined : (JSON.parse(this.diskText) as NotebookJSON);
    const nb = this.shared as YDocTypes.YNotebook;
    let changed = false;
    // One transaction: clients never see the notebook without cells (JupyterLab would then add a cell of its own in each window).
    this.doc.transact(() => {
      changed = mergeNotebook(nb, file as NotebookJSON, base, DISK_ORIGIN);
      changed = addCellIfEmpty(nb) || changed;
    }, DISK_ORIGIN);
    return changed;
  }

  /** The file is gone: forget the stored state; disposing will neither save nor compact. */
  discard(): void {
    this.diskText = undefined;
    this.dirty = false;
    this.options.store.drop(this.name);
  }

  /** Save what is unsaved, compact the store, free the document. Idempotent. */
  [Symbol.asyncDispose](): Promise<void> {
    this.disposed ??= (async () => {
      for (const t of [this.saveTimer, this.compactTimer]) if (t !== undefined) this.timers.clearTimeout(t);
      this.saveTimer = this.compactTimer = undefined;
      try {
        await this.saving;
        if (this.diskText !== undefined) await this.saveOnce();
      } finally {
        if (this.diskText !== undefined) this.compact();
        this.shared.dispose();
      }
    })();
    return this.disposed;
  }
}
