/**
 * Projects' Python environments in JupyterLab: the Python Environments
 * screen in the main area (one; opening it again brings it to the front,
 * and it comes back after a reload), from the launcher and the palette
 * (category "Workbench"), command `workbench-environments:open`.
 * What the user may do comes from `GET api/me?permissions=`; the server
 * checks every request anyway.
 */
import { ILayoutRestorer, type JupyterFrontEnd, type JupyterFrontEndPlugin } from '@jupyterlab/application';
import { ICommandPalette, MainAreaWidget, WidgetTracker } from '@jupyterlab/apputils';
import { ILauncher } from '@jupyterlab/launcher';
import { EnvironmentsClient, EnvironmentsScreen, type EnvironmentsAbilities } from '@workbench/environments-ui';
import { environmentsIcon } from './environments-icon';
import { CommandIDs, NAMESPACE, PLUGIN_ID } from './ids';

const CATEGORY = 'Workbench';

function activate(app: JupyterFrontEnd, palette: ICommandPalette | null, restorer: ILayoutRestorer | null, launcher: ILauncher | null): void {
  const client = new EnvironmentsClient({ serverSettings: app.serviceManager.serverSettings });
  const abilities = (): Promise<EnvironmentsAbilities> =>
    client.abilities().catch((err: unknown) => {
      console.warn(`${PLUGIN_ID}: cannot read what you may do, so the screen is read-only:`, err);
      return { read: true, write: false };
    });
  const tracker = new WidgetTracker<MainAreaWidget<EnvironmentsScreen>>({ namespace: NAMESPACE });

  app.commands.addCommand(CommandIDs.open, {
    label: 'Python Environments',
    caption: 'The projects’ Python environments: which exist, their size, whether a kernel uses them; delete the unused ones',
    icon: (args) => (args.isPalette ? undefined : environmentsIcon),
    execute: async () => {
      let widget = tracker.currentWidget ?? tracker.find(() => true);
      if (!widget || widget.isDisposed) {
        const content = new EnvironmentsScreen({ client, abilities });
        widget = new MainAreaWidget({ content });
        widget.id = NAMESPACE;
        widget.title.label = 'Python Environments';
        widget.title.icon = environmentsIcon;
        widget.title.closable = true;
        void tracker.add(widget);
      } else void widget.content.refresh();
      if (!widget.isAttached) app.shell.add(widget, 'main');
      app.shell.activateById(widget.id);
      await widget.content.pending;
    },
  });

  palette?.addItem({ command: CommandIDs.open, category: CATEGORY });
  launcher?.add({ command: CommandIDs.open, category: CATEGORY, rank: 30 });
  if (restorer) void restorer.restore(tracker, { command: CommandIDs.open, name: () => 'environments' });
}

export const environmentsPlugin: JupyterFrontEndPlugin<void> = {
  id: PLUGIN_ID,
  description: 'The Python Environments screen: projects’ environments, their size and use; delete the unused ones.',
  autoStart: true,
  optional: [ICommandPalette, ILayoutRestorer, ILauncher],
  activate,
};
