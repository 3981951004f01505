/**
 * The templates library in JupyterLab:
 *
 * - the launcher has a card per template (category "Templates"); a card
 *   opens the install dialog for that template; after an install the
 *   template's file opens (a pipeline's page when it holds a pipeline and
 *   the pipelines extension is there, else the notebook or file) and the
 *   file browser goes to the folder the files went to;
 * - "Save as Template…" in the file browser's context menu (files and
 *   folders) and the palette (the selection, else the current document):
 *   for one notebook its parameters cell suggests the parameters;
 * - commands (palette category "Workbench"):
 *
 *     workbench-templates:install  {name?, pipelines?}  the install dialog
 *     workbench-templates:save     {paths?}             Save as Template…
 *     workbench-templates:refresh                       reload the cards
 *
 * What the user may do comes from `GET api/me?permissions=` (asked once);
 * the server checks every request anyway.
 */
import type { JupyterFrontEnd, JupyterFrontEndPlugin } from '@jupyterlab/application';
import { ICommandPalette, Notification } from '@jupyterlab/apputils';
import { IDefaultFileBrowser } from '@jupyterlab/filebrowser';
import { ILauncher } from '@jupyterlab/launcher';
import type { IDisposable } from '@lumino/disposable';
import { guessParameters, showInstallDialog, showSaveTemplateDialog, TemplatesClient, type InstallResult, type TemplateAbilities, type TemplateInfo } from '@workbench/templates-ui';
import { CATEGORY, CommandIDs, OPEN_PIPELINE, PLUGIN_ID } from './ids';
import { templateIcon } from './template-icon';

const NOBODY: TemplateAbilities = { username: '', install: false, save: false, curate: false, pipelines: false };

function activate(app: JupyterFrontEnd, palette: ICommandPalette | null, launcher: ILauncher | null, browser: IDefaultFileBrowser | null): void {
  const client = new TemplatesClient({ serverSettings: app.serviceManager.serverSettings });
  let asked: Promise<TemplateAbilities> | null = null;
  const abilities = (): Promise<TemplateAbilities> =>
    (asked ??= client.abilities().catch((err: unknown) => {
      console.warn(`${PLUGIN_ID}: cannot read what you may do:`, err);
      asked = null;
      return NOBODY;
    }));

  /** The launcher's cards by template name, with the title they show. */
  const cards = new Map<string, { title: string; item: IDisposable }>();
  let templates: TemplateInfo[] = [];

  async function refresh(): Promise<TemplateInfo[]> {
    templates = await client.list();
    if (!launcher) return templates;
    const may = await abilities();
    // Cards only for those who may install.
    const shown = may.install ? templates : [];
    for (const [name, card] of cards) {
      if (!shown.some((t) => t.name === name && t.title === card.title)) {
        card.item.dispose();
        cards.delete(name);
      }
    }
    shown.forEach((t, rank) => {
      if (cards.has(t.name)) return;
      cards.set(t.name, { title: t.title, item: launcher.add({ command: CommandIDs.install, args: { name: t.name, title: t.title }, category: CATEGORY, rank }) });
    });
    return templates;
  }

  async function opened(result: InstallResult): Promise<void> {
    const pipeline = result.pipelines.find((p) => p.id !== undefined);
    if (pipeline && app.commands.hasCommand(OPEN_PIPELINE)) await app.commands.execute(OPEN_PIPELINE, { id: pipeline.id! });
    else if (result.open) await app.commands.execute('docmanager:open', { path: result.open });
    Notification.success(`Installed ${result.files.length === 1 ? '1 file' : `${result.files.length} files`} into ${result.folder}.`, { autoClose: 5000 });
    // The file browser shows where the files went.
    await browser?.model.cd(`/${result.folder}`).catch(() => browser.model.refresh().catch(() => undefined));
  }

  app.commands.addCommand(CommandIDs.install, {
    label: (args) => (typeof args.title === 'string' ? args.title : args.pipelines ? 'New Pipeline from Template…' : 'New from Template…'),
    caption: (args) => (typeof args.title === 'string' ? `Install the template ${args.title} into a folder, with values for its parameters` : 'Install a template (shipped with Workbench or saved by a colleague) into a folder'),
    icon: (args) => (args.isPalette ? undefined : templateIcon),
    execute: async (args): Promise<InstallResult | null> => {
      let list: TemplateInfo[];
      let connections;
      let may: TemplateAbilities;
      try {
        [list, may, connections] = await Promise.all([refresh(), abilities(), client.connections().catch(() => [])]);
      } catch (err) {
        Notification.error(err instanceof Error ? err.message : 'Cannot list the templates', { autoClose: 8000 });
        return null;
      }
      const name = typeof args.name === 'string' ? args.name : undefined;
      const offered = name ? list.filter((t) => t.name === name) : args.pipelines ? list.filter((t) => t.pipelines.length > 0) : list;
      if (offered.length === 0) {
        Notification.info(name ? `Template ${name} is no longer in the library.` : 'No templates are in the library yet.', { autoClose: 5000 });
        return null;
      }
      const title = offered.length === 1 ? `New from template: ${offered[0]!.title}` : args.pipelines ? 'New pipeline from template' : 'New from template';
      const result = await showInstallDialog({ client, templates: offered, connections, abilities: may, onDeleted: () => void refresh().catch(() => undefined), onRestored: () => void refresh().catch(() => undefined) }, title);
      if (result) await opened(result);
      return result;
    },
  });

  /** The paths to save: the command's, else the file browser's selection, else the current document's. */
  function pathsFor(args: { paths?: unknown }): string[] {
    if (Array.isArray(args.paths)) return args.paths.filter((p): p is string => typeof p === 'string');
    // Folders end in / (the save dialog names a folder's template after it).
    const selected = browser ? [...browser.selectedItems()].map((i) => (i.type === 'directory' ? `${i.path}/` : i.path)) : [];
    if (selected.length > 0) return selected;
    const current = app.shell.currentWidget;
    const path = current && app.serviceManager ? (current as { context?: { path?: string } }).context?.path : undefined;
    return path ? [path] : [];
  }

  app.commands.addCommand(CommandIDs.save, {
    label: 'Save as Template…',
    caption: 'Save the selected notebooks, files or folder as a template colleagues can install, with parameters',
    icon: (args) => (args.isPalette ? undefined : templateIcon),
    execute: async (args): Promise<TemplateInfo | null> => {
      const paths = pathsFor(args);
      if (paths.length === 0) {
        Notification.info('Select notebooks, files or a folder in the file browser first.', { autoClose: 5000 });
        return null;
      }
      let may: TemplateAbilities;
      let guessed;
      try {
        [may] = await Promise.all([abilities(), refresh()]);
        if (paths.length === 1 && paths[0]!.endsWith('.ipynb')) {
          const model = await app.serviceManager.contents.get(paths[0]!, { content: true });
          guessed = guessParameters(model.content as Parameters<typeof guessParameters>[0]);
        }
      } catch (err) {
        Notification.error(err instanceof Error ? err.message : 'Cannot read what to save', { autoClose: 8000 });
        return null;
      }
      if (!may.save) {
        Notification.warning('Saving templates requires the analyst role or higher.', { autoClose: 6000 });
        return null;
      }
      const saved = await showSaveTemplateDialog({ client, paths, templates, abilities: may, guessed });
      if (saved) {
        await refresh().catch(() => undefined);
        Notification.success(`Saved template ${saved.title}: it is in the launcher under ${CATEGORY}.`, { autoClose: 5000 });
      }
      return saved;
    },
  });

  app.commands.addCommand(CommandIDs.refresh, {
    label: 'Reload Templates',
    caption: 'Reload the templates library (the launcher’s Templates cards)',
    execute: async () => {
      await refresh();
    },
  });

  app.contextMenu.addItem({ command: CommandIDs.save, selector: '.jp-DirListing-item[data-isdir]', rank: 60 });
  if (palette) for (const command of [CommandIDs.install, CommandIDs.save, CommandIDs.refresh]) palette.addItem({ command, category: 'Workbench' });
  // The cards appear once the library is read; a failure leaves the launcher as it is (the palette still works).
  void app.restored.then(() => refresh()).catch((err: unknown) => console.warn(`${PLUGIN_ID}: cannot list the templates:`, err));
}

export const templatesPlugin: JupyterFrontEndPlugin<void> = {
  id: PLUGIN_ID,
  description: 'The templates library: launcher cards, install with parameters, Save as Template…',
  autoStart: true,
  optional: [ICommandPalette, ILauncher, IDefaultFileBrowser],
  activate,
};
