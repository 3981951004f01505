/**
 * "Restore this version": confirm, POST the restore (a new commit on the
 * server), then reload every open editor of the file from disk so it shows
 * the restored content.
 */
import { Dialog, showDialog, showErrorMessage } from '@jupyterlab/apputils';
import { formatRelativeTime, type HistoryClient, type RestoreRequest } from '@workbench/history';
import { Widget } from '@lumino/widgets';
import type { HistoryContext } from './document-context';
import { restoreConfirmation } from './restore-text';

export interface RestoreDeps {
  client: HistoryClient;
  /**
   * Commits the file as it is on disk (the Contents API checkpoint). Called
   * before restoring so autosaves not yet committed (they are batched) become
   * a version instead of being overwritten.
   */
  checkpoint: (path: string) => Promise<unknown>;
  /** The open contexts showing a path. */
  openContexts: (path: string) => HistoryContext[];
}

function dialogBody(lines: string[]): Widget {
  const node = document.createElement('div');
  node.className = 'wb-history-restore-dialog';
  for (const line of lines) {
    const p = document.createElement('p');
    p.textContent = line;
    node.appendChild(p);
  }
  return new Widget({ node });
}

/** Resolves true when the file was restored (the panel then reloads). */
export async function restoreVersion(deps: RestoreDeps, request: RestoreRequest): Promise<boolean> {
  const { path, version } = request;
  const contexts = deps.openContexts(path);
  const dirty = contexts.some((c) => c.model.dirty);
  const result = await showDialog({
    title: 'Restore this version?',
    body: dialogBody(restoreConfirmation(path, version, { when: formatRelativeTime(version.time, new Date()), dirty })),
    buttons: [Dialog.cancelButton(), Dialog.warnButton({ label: 'Restore', className: 'wb-history-restore-confirm' })],
  });
  if (!result.button.accept) return false;
  try {
    await deps.checkpoint(path);
    await deps.client.restore(path, version.id);
  } catch (err) {
    await showErrorMessage('Cannot restore version', err as Error);
    return false;
  }
  for (const context of contexts) {
    if (context.isDisposed) continue;
    try {
      await context.revert();
    } catch (err) {
      await showErrorMessage('Restored, but cannot reload the editor', err as Error);
    }
  }
  return true;
}
