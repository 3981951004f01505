/**
 * The dependencies of one open notebook (issue 17): keeps each code cell's
 * analysis and last run in its metadata (`workbench.deps`,
 * server/dependencies/README.md) and builds the graph from them.
 *
 * - On open, after edits (debounced, 500 ms) and after the notebook changes
 *   shape, the cells go to `POST api/dependencies/analyze` when some cell's
 *   stored analysis is of another source (or the shape changed since the
 *   last answer, or the notebook was renamed); the answers that differ
 *   are written, in one non-undoable transaction (Ctrl+Z keeps undoing the
 *   user's edits). The request names the notebook's path: the server reads
 *   `%build_models` folders relative to it.
 * - Each `execute_reply` on the notebook's kernel connection is recorded on
 *   the cell that sent the request (JupyterLab puts `cellId` in the
 *   request's metadata): count, hash of the code sent, the kernel's time,
 *   the kernel process (`header.session`), failed. Only the client whose
 *   connection sent the request sees its reply, so each run is written
 *   once; collaborators get it through the shared model.
 * - The graph (`buildGraph` of @workbench/dependencies/graph, with the
 *   running kernel's session so runs of an earlier process count as never
 *   run) is rebuilt shortly after any source or metadata change, and
 *   `changed` is emitted.
 */
import type { ICellModel } from '@jupyterlab/cells';
import type { NotebookPanel } from '@jupyterlab/notebook';
import type { Kernel, KernelMessage, Session } from '@jupyterlab/services';
import { Signal, type ISignal } from '@lumino/signaling';
import { buildGraph, type DependencyGraph } from '@workbench/dependencies/graph';
import { workbenchWithAnalysis, workbenchWithExecution, executionRecordOf } from './cell-metadata';
import { Debouncer } from './debouncer';
import type { DependenciesClient } from './dependencies-client';
import { isAbort } from './dependencies-error';
import { analysisSignature, analysisUpdates, analyzeRequestCells, graphCells, notebookLanguage, shouldAnalyze, trackedCells, type CellSnapshot } from './select-cells';
import { hashCellSource, SourceHashes } from './source-hash';
import type { CellLanguage, TrackedCell } from './types';

export type AnalysisState = 'idle' | 'analysing' | 'error';

export interface NotebookDependenciesOptions {
  panel: NotebookPanel;
  client: DependenciesClient;
  /** Quiet time after an edit before the server is asked (default 500 ms). */
  analyzeDelayMs?: number;
  /** Quiet time after a change before the graph is rebuilt (default 100 ms). */
  refreshDelayMs?: number;
  /** The clock of execution records when a reply carries no time. */
  now?: () => Date;
}

/** A run sent and not answered yet. */
interface PendingRun {
  cellId: string;
  sourceHash: Promise<string>;
}

/** The kernel session is not known: every run counts as of another process (never run) until it is. */
const UNKNOWN_SESSION = '';

export class NotebookDependencies {
  readonly panel: NotebookPanel;
  private readonly client: DependenciesClient;
  private readonly now: () => Date;
  private readonly hashes = new SourceHashes();
  private readonly refreshTimer: Debouncer;
  private readonly analyzeTimer: Debouncer;
  private readonly _changed = new Signal<this, void>(this);
  private _graph: DependencyGraph | null = null;
  private _cells: TrackedCell[] = [];
  private _language: CellLanguage | null = null;
  private _kernelSession = UNKNOWN_SESSION;
  private _analysis: { state: AnalysisState; error: string | null } = { state: 'idle', error: null };
  private _ready = false;
  private refreshRun: Promise<void> | null = null;
  private refreshSeq = 0;
  private analysisRun: Promise<void> | null = null;
  private inflight: AbortController | null = null;
  private lastSignature: string | undefined = undefined;
  private kernel: Kernel.IKernelConnection | null = null;
  private readonly pendingRuns = new Map<string, PendingRun>();
  private _isDisposed = false;

  constructor(options: NotebookDependenciesOptions) {
    this.panel = options.panel;
    this.client = options.client;
    this.now = options.now ?? (() => new Date());
    this.refreshTimer = new Debouncer(() => void this.refresh(), options.refreshDelayMs ?? 100);
    this.analyzeTimer = new Debouncer(() => void this.analyze(), options.analyzeDelayMs ?? 500);
    void this.panel.context.ready.then(() => this.start());
  }

  /** Emitted after the graph was rebuilt, the kernel session or the analysis state changed. */
  get changed(): ISignal<this, void> {
    return this._changed;
  }

  /** The graph of the code cells, null before the first build or for a language the server does not analyse. */
  get graph(): DependencyGraph | null {
    return this._graph;
  }

  /** The notebook's language when it is one the server analyses. */
  get language(): CellLanguage | null {
    return this._language;
  }

  /** The code cells of the last build, in notebook order. */
  get cells(): readonly TrackedCell[] {
    return this._cells;
  }

  /** The running kernel's session (its runs count), '' while unknown. */
  get kernelSession(): string {
    return this._kernelSession;
  }

  /** Whether the last request for the analysis is running or failed (with the server's message). */
  get analysis(): { state: AnalysisState; error: string | null } {
    return this._analysis;
  }

  /** Nothing is waiting: no edit waiting for its analysis, no request or rebuild running. */
  get settled(): boolean {
    return this._ready && !this.refreshTimer.pending && !this.analyzeTimer.pending && !this.refreshRun && !this.analysisRun;
  }

  get isDisposed(): boolean {
    return this._isDisposed;
  }

  /** Runs what waits now (the analysis of the last edits, the rebuild) and resolves once the graph is current. */
  async flush(): Promise<void> {
    await this.panel.context.ready;
    if (this._isDisposed) return;
    this.analyzeTimer.flush();
    this.refreshTimer.flush();
    while (this.analysisRun || this.refreshRun) {
      await this.analysisRun;
      await this.refreshRun;
    }
    if (this.refreshTimer.flush()) await this.refreshRun;
  }

  /** The model of the cell with this id, if it is in the notebook. */
  cellModel(id: string): ICellModel | undefined {
    const cells = this.panel.content.model?.cells;
    if (!cells) return undefined;
    for (let i = 0; i < cells.length; i++) if (cells.get(i).id === id) return cells.get(i);
    return undefined;
  }

  dispose(): void {
    if (this._isDisposed) return;
    this._isDisposed = true;
    this.refreshTimer.dispose();
    this.analyzeTimer.dispose();
    this.inflight?.abort();
    this.attachKernel(null);
    this.panel.context.pathChanged.disconnect(this.onPathChanged, this);
    Signal.clearData(this);
  }

  private start(): void {
    if (this._isDisposed) return;
    const model = this.panel.content.model;
    if (!model) return;
    this._ready = true;
    model.cells.changed.connect(this.onCellsChanged, this);
    for (let i = 0; i < model.cells.length; i++) this.watchCell(model.cells.get(i));
    model.metadataChanged.connect(this.onNotebookMetadata, this);
    this.panel.context.pathChanged.connect(this.onPathChanged, this);
    this.panel.sessionContext.kernelChanged.connect(this.onKernelChanged, this);
    this.attachKernel(this.panel.sessionContext.session?.kernel ?? null);
    this._language = this.readLanguage();
    this.refreshTimer.schedule();
    this.refreshTimer.flush();
    this.analyzeTimer.schedule();
    this.analyzeTimer.flush();
  }

  private watchCell(cell: ICellModel): void {
    cell.sharedModel.changed.connect(this.onCellChanged, this);
  }

  private onCellsChanged(_: unknown, change: { type: string; newValues: readonly ICellModel[] }): void {
    if (change.type === 'add' || change.type === 'set') change.newValues.forEach((c) => this.watchCell(c));
    this.refreshTimer.schedule();
    this.analyzeTimer.schedule();
  }

  private onCellChanged(_: unknown, change: { sourceChange?: unknown; metadataChange?: unknown }): void {
    if (change.sourceChange) {
      this.refreshTimer.schedule();
      this.analyzeTimer.schedule();
    } else if (change.metadataChange) {
      this.refreshTimer.schedule();
    }
  }

  private onNotebookMetadata(_: unknown, change: { key: string }): void {
    if (change.key !== 'kernelspec' && change.key !== 'language_info') return;
    const language = this.readLanguage();
    if (language === this._language) return;
    this._language = language;
    this.lastSignature = undefined;
    this.refreshTimer.schedule();
    this.analyzeTimer.schedule();
  }

  /** Renamed or moved: `%build_models` folders are relative to the notebook, so every cell is analysed again. */
  private onPathChanged(): void {
    this.lastSignature = '';
    this.analyzeTimer.schedule();
  }

  private readLanguage(): CellLanguage | null {
    const model = this.panel.content.model;
    return notebookLanguage({ kernelspec: model?.getMetadata('kernelspec'), language_info: model?.getMetadata('language_info') });
  }

  private onKernelChanged(_: unknown, change: Session.ISessionConnection.IKernelChangedArgs): void {
    this.attachKernel(change.newValue);
  }

  private attachKernel(kernel: Kernel.IKernelConnection | null): void {
    this.kernel?.anyMessage.disconnect(this.onKernelMessage, this);
    this.pendingRuns.clear();
    this.kernel = kernel;
    this.setKernelSession(UNKNOWN_SESSION);
    if (!kernel) return;
    kernel.anyMessage.connect(this.onKernelMessage, this);
    // The reply (through anyMessage) names the kernel process; JupyterLab asks too when it (re)connects.
    kernel.requestKernelInfo().catch(() => undefined);
  }

  private onKernelMessage(kernel: Kernel.IKernelConnection, args: Kernel.IAnyMessageArgs): void {
    const { msg, direction } = args;
    const type = msg.header.msg_type;
    if (direction === 'send') {
      if (type !== 'execute_request') return;
      const cellId = (msg.metadata as { cellId?: unknown }).cellId;
      const content = msg.content as KernelMessage.IExecuteRequestMsg['content'];
      if (typeof cellId === 'string' && typeof content.code === 'string' && !content.silent) this.pendingRuns.set(msg.header.msg_id, { cellId, sourceHash: hashCellSource(content.code) });
      return;
    }
    if (msg.channel !== 'shell' || (type !== 'execute_reply' && type !== 'kernel_info_reply')) return;
    // Replies a server makes up on the client's behalf carry the client's own session.
    const session = msg.header.session;
    if (typeof session === 'string' && session !== '' && session !== kernel.clientId) this.setKernelSession(session);
    if (type !== 'execute_reply') return;
    const parentId = (msg.parent_header as { msg_id?: unknown }).msg_id;
    const run = typeof parentId === 'string' ? this.pendingRuns.get(parentId) : undefined;
    if (!run) return;
    this.pendingRuns.delete(parentId as string);
    void this.recordRun(run, msg as KernelMessage.IExecuteReplyMsg);
  }

  private async recordRun(run: PendingRun, reply: KernelMessage.IExecuteReplyMsg): Promise<void> {
    const record = executionRecordOf({ header: reply.header, content: reply.content as { status?: string; execution_count?: number | null } }, await run.sourceHash, this.now());
    const cell = record && !this._isDisposed ? this.cellModel(run.cellId) : undefined;
    if (!record || !cell) return;
    cell.setMetadata('workbench', workbenchWithExecution({ workbench: cell.getMetadata('workbench') }, record));
  }

  private setKernelSession(session: string): void {
    if (session === this._kernelSession) return;
    this._kernelSession = session;
    this.refreshTimer.schedule();
  }

  private setAnalysis(state: AnalysisState, error: string | null = null): void {
    if (this._analysis.state === state && this._analysis.error === error) return;
    this._analysis = { state, error };
    if (!this._isDisposed) this._changed.emit();
  }

  /** The code cells of the notebook's language, hashed. */
  private async snapshot(): Promise<TrackedCell[]> {
    const model = this.panel.content.model;
    if (!model) return [];
    const snaps: CellSnapshot[] = [];
    for (let i = 0; i < model.cells.length; i++) {
      const c = model.cells.get(i);
      snaps.push({ id: c.id, type: c.type, source: c.sharedModel.getSource(), metadata: { workbench: c.getMetadata('workbench') } });
    }
    const cells = trackedCells(snaps, this._language);
    this.hashes.retain(cells.map((c) => c.id));
    const hashes = await Promise.all(cells.map((c) => this.hashes.of(c.id, c.source)));
    return cells.map((c, i) => ({ ...c, sourceHash: hashes[i]! }));
  }

  private refresh(): Promise<void> {
    const seq = ++this.refreshSeq;
    const run = (async () => {
      const cells = await this.snapshot();
      if (seq !== this.refreshSeq || this._isDisposed) return;
      this._cells = cells;
      this._graph = this._language ? buildGraph(graphCells(cells), { kernelSession: this._kernelSession }) : null;
      this._changed.emit();
    })()
      .catch((err: unknown) => console.error('Cannot build the cell dependency graph:', err))
      .finally(() => {
        if (this.refreshRun === run) this.refreshRun = null;
      });
    this.refreshRun = run;
    return run;
  }

  private analyze(): Promise<void> {
    this.inflight?.abort();
    const controller = new AbortController();
    this.inflight = controller;
    const run = (async () => {
      const cells = await this.snapshot();
      if (controller.signal.aborted || this._isDisposed) return;
      if (!this._language || !shouldAnalyze(cells, this.lastSignature)) {
        if (cells.length) this.lastSignature ??= analysisSignature(cells);
        this.setAnalysis('idle');
        return;
      }
      this.setAnalysis('analysing');
      try {
        const answer = await this.client.analyze(analyzeRequestCells(cells), { path: this.panel.context.localPath, signal: controller.signal });
        if (controller.signal.aborted || this._isDisposed) return;
        this.lastSignature = analysisSignature(cells);
        await this.writeAnalyses(answer);
        this.setAnalysis('idle');
      } catch (err) {
        if (isAbort(err) || controller.signal.aborted) return;
        this.setAnalysis('error', err instanceof Error ? err.message : String(err));
      }
    })().finally(() => {
      if (this.inflight === controller) this.inflight = null;
      if (this.analysisRun === run) this.analysisRun = null;
    });
    this.analysisRun = run;
    return run;
  }

  private async writeAnalyses(answer: Awaited<ReturnType<DependenciesClient['analyze']>>): Promise<void> {
    const model = this.panel.content.model;
    if (!model) return;
    const byId = new Map<string, ICellModel>();
    for (let i = 0; i < model.cells.length; i++) byId.has(model.cells.get(i).id) || byId.set(model.cells.get(i).id, model.cells.get(i));
    const current = new Map<string, { source: string; sourceHash: string }>();
    await Promise.all(
      answer.map(async (a) => {
        const cell = byId.get(a.id);
        if (!cell) return;
        const source = cell.sharedModel.getSource();
        current.set(a.id, { source, sourceHash: await this.hashes.of(a.id, source) });
      }),
    );
    const metadataOf = (id: string) => ({ workbench: byId.get(id)?.getMetadata('workbench') });
    const updates = analysisUpdates(answer, (id) => current.get(id), metadataOf);
    if (!updates.size || this._isDisposed) return;
    model.sharedModel.transact(() => {
      for (const [id, analysis] of updates) byId.get(id)?.setMetadata('workbench', workbenchWithAnalysis(metadataOf(id), analysis));
    }, false);
  }
}
