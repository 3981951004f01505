/**
 * Connections in JupyterLab: a left side panel (database icon), always one
 * click away, and the command `workbench-connections:open` (palette
 * category "Workbench") that shows it and resolves once its list has
 * loaded. The panel loads when first shown, not at start-up.
 */
import { ILayoutRestorer, type JupyterFrontEnd, type JupyterFrontEndPlugin } from '@jupyterlab/application';
import { ICommandPalette } from '@jupyterlab/apputils';
import { ConnectionsClient, ConnectionsPanel } from '@workbench/connections-ui';
import { databaseIcon } from './database-icon';
import { CommandIDs, PANEL_ID, PLUGIN_ID } from './ids';

const CATEGORY = 'Workbench';

function activate(app: JupyterFrontEnd, palette: ICommandPalette | null, restorer: ILayoutRestorer | null): ConnectionsPanel {
  const client = new ConnectionsClient({ serverSettings: app.serviceManager.serverSettings });
  const panel = new ConnectionsPanel({ client });
  panel.id = PANEL_ID;
  panel.title.icon = databaseIcon;
  panel.title.caption = 'Connections';

  app.commands.addCommand(CommandIDs.open, {
    label: 'Connections',
    caption: 'Show the connections (databases, DuckDB files, REST APIs, S3 buckets, SFTP servers): test them; engineers add, edit, rotate and delete them',
    icon: (args) => (args.isPalette ? undefined : databaseIcon),
    describedBy: { args: { type: 'object', properties: {} } },
    execute: async () => {
      app.shell.activateById(panel.id);
      await panel.ensureLoaded();
    },
  });
  palette?.addItem({ command: CommandIDs.open, category: CATEGORY });

  app.shell.add(panel, 'left', { rank: 600, type: 'Connections' });
  restorer?.add(panel, PANEL_ID);
  return panel;
}

export const connectionsPlugin: JupyterFrontEndPlugin<ConnectionsPanel> = {
  id: PLUGIN_ID,
  description: 'Connections side panel: list, test, add, edit, rotate and delete connections of every kind (PostgreSQL, DuckDB, REST, S3, SFTP).',
  autoStart: true,
  optional: [ICommandPalette, ILayoutRestorer],
  activate,
};
