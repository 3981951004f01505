/**
 * Which file a main-area widget shows, without importing JupyterLab at run
 * time (types only), so the rules are testable in node.
 */
import type { DocumentRegistry } from '@jupyterlab/docregistry';

/** The part of a document context the history panel uses. */
export type HistoryContext = Pick<DocumentRegistry.Context, 'path' | 'localPath' | 'fileChanged' | 'saveState' | 'pathChanged' | 'disposed' | 'isDisposed' | 'revert' | 'model'>;

function isSignal(v: unknown): boolean {
  return typeof v === 'object' && v !== null && typeof (v as { connect?: unknown }).connect === 'function';
}

/**
 * The document context of a widget (NotebookPanel, file editor, any
 * IDocumentWidget), or null for widgets that show no file (launcher,
 * terminal, consoles).
 */
export function contextOf(widget: unknown): HistoryContext | null {
  if (typeof widget !== 'object' || widget === null || !('context' in widget)) return null;
  const context = (widget as { context: unknown }).context;
  if (typeof context !== 'object' || context === null) return null;
  const c = context as Partial<HistoryContext>;
  if (typeof c.path !== 'string' || !isSignal(c.fileChanged) || !isSignal(c.saveState) || c.isDisposed) return null;
  return context as HistoryContext;
}

/**
 * The path the History API knows: the context's local path (a path on a
 * non-default drive reads "Drive:dir/file"; the drive prefix is dropped).
 */
export function historyPathOf(context: Pick<DocumentRegistry.Context, 'path'> & { localPath?: string }): string {
  if (typeof context.localPath === 'string' && context.localPath !== '') return context.localPath;
  const m = /^[^/:]+:(.*)$/.exec(context.path);
  return m ? m[1] : context.path;
}

/** Every distinct open context showing `path` (a file may be open in several widgets that share one context, or in several contexts). */
export function contextsFor(widgets: Iterable<unknown>, path: string): HistoryContext[] {
  const out = new Set<HistoryContext>();
  for (const w of widgets) {
    const c = contextOf(w);
    if (c && historyPathOf(c) === path) out.add(c);
  }
  return [...out];
}
