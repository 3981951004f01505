/**
 * The "Version history" side panel: follows the current document, refreshes
 * when it is saved, shows the diff of a clicked version against the saved
 * file, and restores a version (confirm, POST, revert the open editors).
 */
import { ILabShell, ILayoutRestorer, type JupyterFrontEnd, type JupyterFrontEndPlugin } from '@jupyterlab/application';
import { ICommandPalette } from '@jupyterlab/apputils';
import { historyIcon, refreshIcon } from '@jupyterlab/ui-components';
import { HistoryClient, HistoryPanel } from '@workbench/history';
import { contextsFor } from './document-context';
import { DocumentFollower } from './document-follower';
import { CommandIDs, PANEL_ID, PLUGIN_ID, SAVE_COMMANDS } from './ids';
import { restoreVersion } from './restore-action';

const CATEGORY = 'Version History';

function activate(app: JupyterFrontEnd, labShell: ILabShell | null, palette: ICommandPalette | null, restorer: ILayoutRestorer | null): HistoryPanel {
  const client = new HistoryClient({ serverSettings: app.serviceManager.serverSettings });
  const panel = new HistoryPanel({
    client,
    onRestore: (request) =>
      restoreVersion(
        {
          client,
          checkpoint: (path) => app.serviceManager.contents.createCheckpoint(path),
          openContexts: (path) => contextsFor(app.shell.widgets('main'), path),
        },
        request,
      ),
  });
  panel.id = PANEL_ID;
  panel.node.dataset.wbHistory = 'panel';
  panel.title.icon = historyIcon;
  panel.title.caption = 'Version history';

  const follower = new DocumentFollower(labShell ?? app.shell);
  /** A path given to `open`, shown until another document becomes current. */
  let pinned: string | null = null;
  /** Something changed while the panel was hidden: reload when it is shown. */
  let stale = true;
  const target = () => pinned ?? follower.path;

  /**
   * Loads what the panel should show, only while it is visible (a hidden
   * panel costs no requests). Resolves when the panel has loaded, also when a
   * load started elsewhere (e.g. on show) is still under way.
   */
  const sync = (force: boolean): Promise<void> => {
    if (!panel.isVisible) {
      stale = true;
      return Promise.resolve();
    }
    const path = target();
    const mustRefresh = stale || force;
    stale = false;
    // setPath with the shown path is a no-op that returns the load in progress.
    return path === panel.path && mustRefresh ? panel.refresh() : panel.setPath(path);
  };

  follower.pathChanged.connect(() => {
    pinned = null;
    void sync(false);
  });
  // One save emits fileChanged and saveState in the same tick: coalesce them into one reload.
  let queued: Promise<void> | null = null;
  const refreshSoon = (): Promise<void> =>
    (queued ??= Promise.resolve().then(() => {
      queued = null;
      return sync(true);
    }));
  follower.saved.connect((_, path) => {
    if (path === panel.path) void refreshSoon();
  });
  // A save command also creates the checkpoint (a commit) after the save itself: reload once it is done.
  app.commands.commandExecuted.connect((_, args) => {
    if (!SAVE_COMMANDS.has(args.id)) return;
    void Promise.resolve(args.result).then(refreshSoon, refreshSoon);
  });
  panel.shown.connect(() => void sync(false));

  app.commands.addCommand(CommandIDs.open, {
    label: 'Show Version History',
    caption: 'Show the versions of the current file, what changed, and restore one',
    icon: (args) => (args.isPalette ? undefined : historyIcon),
    describedBy: { args: { type: 'object', properties: { path: { type: 'string', description: 'File to show instead of the current document' } } } },
    execute: async (args) => {
      if (typeof args.path === 'string' && args.path !== '') pinned = args.path;
      app.shell.activateById(panel.id);
      await sync(false);
    },
  });
  app.commands.addCommand(CommandIDs.refresh, {
    label: 'Refresh Version History',
    caption: 'Reload the versions of the file shown in the version history panel',
    icon: (args) => (args.isPalette ? undefined : refreshIcon),
    isEnabled: () => target() !== null,
    execute: () => sync(true),
  });

  palette?.addItem({ command: CommandIDs.open, category: CATEGORY });
  palette?.addItem({ command: CommandIDs.refresh, category: CATEGORY });
  app.contextMenu.addItem({ command: CommandIDs.open, selector: '.jp-Notebook', rank: 60 });
  app.contextMenu.addItem({ command: CommandIDs.open, selector: '.jp-FileEditor', rank: 60 });

  app.shell.add(panel, 'right', { rank: 700, type: 'Version History' });
  restorer?.add(panel, PANEL_ID);
  return panel;
}

export const historyPlugin: JupyterFrontEndPlugin<HistoryPanel> = {
  id: PLUGIN_ID,
  description: 'Version history side panel: versions of the current file, notebook-aware diffs, restore.',
  autoStart: true,
  optional: [ILabShell, ICommandPalette, ILayoutRestorer],
  activate,
};
