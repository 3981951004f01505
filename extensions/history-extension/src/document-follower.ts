/**
 * Follows the document in the main area's current widget: which file it is,
 * when it is renamed, and when it is saved or changed on disk.
 */
import type { JupyterFrontEnd } from '@jupyterlab/application';
import type { DocumentRegistry } from '@jupyterlab/docregistry';
import { ISignal, Signal } from '@lumino/signaling';
import { contextOf, historyPathOf, type HistoryContext } from './document-context';

export class DocumentFollower {
  private readonly _pathChanged = new Signal<this, string | null>(this);
  private readonly _saved = new Signal<this, string>(this);
  private _context: HistoryContext | null = null;
  private _isDisposed = false;

  constructor(private readonly shell: JupyterFrontEnd.IShell) {
    shell.currentChanged?.connect(this.update, this);
    this.update();
  }

  /** The current document's path (null: the current widget shows no file). */
  get path(): string | null {
    return this._context ? historyPathOf(this._context) : null;
  }

  get context(): HistoryContext | null {
    return this._context;
  }

  /** The followed path changed (another document became current, or it was renamed). */
  get pathChanged(): ISignal<this, string | null> {
    return this._pathChanged;
  }

  /** The followed document was saved or changed on disk. */
  get saved(): ISignal<this, string> {
    return this._saved;
  }

  get isDisposed(): boolean {
    return this._isDisposed;
  }

  private update(): void {
    const next = contextOf(this.shell.currentWidget);
    if (next === this._context) return;
    const before = this.path;
    this.unfollow();
    this._context = next;
    if (next) {
      next.pathChanged.connect(this.onPathChanged, this);
      next.saveState.connect(this.onSaveState, this);
      next.fileChanged.connect(this.onFileChanged, this);
      next.disposed.connect(this.onDisposed, this);
    }
    if (this.path !== before) this._pathChanged.emit(this.path);
  }

  private unfollow(): void {
    const c = this._context;
    if (!c) return;
    c.pathChanged.disconnect(this.onPathChanged, this);
    c.saveState.disconnect(this.onSaveState, this);
    c.fileChanged.disconnect(this.onFileChanged, this);
    c.disposed.disconnect(this.onDisposed, this);
    this._context = null;
  }

  private onPathChanged(): void {
    this._pathChanged.emit(this.path);
  }

  private onSaveState(_: unknown, state: DocumentRegistry.SaveState): void {
    if (state === 'completed' && this.path !== null) this._saved.emit(this.path);
  }

  private onFileChanged(): void {
    if (this.path !== null) this._saved.emit(this.path);
  }

  private onDisposed(): void {
    this.unfollow();
    this.update(); // the shell's current widget may already be another document
    if (this._context === null) this._pathChanged.emit(null);
  }

  dispose(): void {
    if (this._isDisposed) return;
    this._isDisposed = true;
    this.shell.currentChanged?.disconnect(this.update, this);
    this.unfollow();
    Signal.clearData(this);
  }
}
