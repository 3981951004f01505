/**
 * A notebook cell executor that may ask before a cell runs (a cell reading
 * a name only a later cell defines: "Run anyway / Cancel"), wrapping
 * JupyterLab's own (`runCell` of @jupyterlab/notebook, which the extension
 * provides as `INotebookCellExecutor` in its place).
 *
 * JupyterLab runs a selection by calling `runCell` for every cell at once,
 * in order, each sending its execute request straight away. So that a
 * question does not let the cells after it overtake, the calls of a
 * notebook queue behind a pending question (a gate); a cancel cancels the
 * cells queued behind it too (the rest of that Run All). Without a question
 * pending, a call goes straight through, synchronously, as before.
 */

export interface GuardedRunOptions {
  /** The notebook model: questions hold up the cells of their notebook only. */
  notebook: object;
}

export interface CellExecutor<O> {
  runCell(options: O): Promise<boolean>;
}

/**
 * Decides about one run: null to let it go (no question), else a promise
 * of whether it may run (the question's answer).
 */
export type RunGuard<O> = (options: O) => Promise<boolean> | null;

export class GuardedExecutor<O extends GuardedRunOptions> implements CellExecutor<O> {
  private guard: RunGuard<O> | null = null;
  private readonly gates = new WeakMap<object, Promise<boolean>>();

  constructor(private readonly inner: CellExecutor<O>) {}

  /** Sets (or, with null, removes) what is asked before each run. */
  setGuard(guard: RunGuard<O> | null): void {
    this.guard = guard;
  }

  runCell(options: O): Promise<boolean> {
    const key = options.notebook;
    const gate = this.gates.get(key);
    const question = gate ? null : this.ask(options);
    if (!gate && !question) return this.inner.runCell(options);
    const allowed = (async () => {
      if (gate && !(await gate)) return false;
      return (question ?? this.ask(options)) ?? true;
    })();
    const next = allowed.catch(() => false);
    this.gates.set(key, next);
    void next.then(() => {
      if (this.gates.get(key) === next) this.gates.delete(key);
    });
    return next.then((ok) => (ok ? this.inner.runCell(options) : false));
  }

  private ask(options: O): Promise<boolean> | null {
    try {
      return this.guard?.(options) ?? null;
    } catch (err) {
      // A guard that breaks must not stop the notebook from running.
      console.error('Cannot check the cell before running it:', err);
      return null;
    }
  }
}
