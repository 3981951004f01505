/**
 * The data catalog in JupyterLab: the "Data Catalog" side panel (left,
 * its own icon), a main-area page per table (a second open brings it to
 * the front; pages come back after a reload), and three commands, in the
 * palette under "Workbench":
 *
 *   workbench-catalog:open          shows (and searches) the side panel
 *   workbench-catalog:open-table    a table's page {source, schema, table, tab?, column?}
 *   workbench-catalog:insert-select a table's SELECT into the active notebook {source, schema, table, columns?}
 *
 * Search hits for tables, views and columns also have Open and Insert
 * SELECT in their context menu. What the user may do comes from
 * `GET api/me?permissions=` (asked once): the widgets hide what the role
 * does not allow; the server checks every request anyway.
 */
import { ILayoutRestorer, type JupyterFrontEnd, type JupyterFrontEndPlugin } from '@jupyterlab/application';
import { ICommandPalette, MainAreaWidget, Notification, WidgetTracker } from '@jupyterlab/apputils';
import { INotebookTracker } from '@jupyterlab/notebook';
import { refreshIcon, tableRowsIcon, ToolbarButton } from '@jupyterlab/ui-components';
import { CatalogClient, CatalogSidebar, parseKey, qualifiedName, sameTable, selectSnippet, showGlossaryTerm, tableKey, TablePage, TABS, type CatalogAbilities, type HitTarget, type TabName, type TableRef } from '@workbench/catalog-ui';
import { catalogIcon } from './catalog-icon';
import { CommandIDs, PAGE_NAMESPACE, PANEL_ID, PLUGIN_ID } from './ids';
import { insertSelect, type InsertResult } from './insert-select';

const CATEGORY = 'Workbench';
const READ_ONLY: CatalogAbilities = { read: true, refresh: false, write: false, pii: false };

/** A short, stable DOM id for a table key (FNV-1a). */
function idOf(key: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return `${PAGE_NAMESPACE}-${h.toString(16).padStart(8, '0')}`;
}

const tableArgs = (t: TableRef): { source: string; schema: string; table: string } => ({ source: t.source, schema: t.schema, table: t.name });

function activate(app: JupyterFrontEnd, palette: ICommandPalette | null, restorer: ILayoutRestorer | null, notebooks: INotebookTracker | null): CatalogSidebar {
  const client = new CatalogClient({ serverSettings: app.serviceManager.serverSettings });
  let asked: Promise<CatalogAbilities> | null = null;
  const abilities = (): Promise<CatalogAbilities> =>
    (asked ??= client.abilities().catch((err: unknown) => {
      // Without an answer the screens stay read-only (and ask again next time); the server decides anyway.
      console.warn(`${PLUGIN_ID}: cannot read what you may do, so the catalog is read-only:`, err);
      asked = null;
      return READ_ONLY;
    }));

  /** The table named by a command's args, or by the search hit its context menu was opened on. */
  const tableOf = (args: { readonly [key: string]: unknown }): (TableRef & { column?: string }) | null => {
    if (typeof args.source === 'string' && typeof args.schema === 'string' && typeof args.table === 'string') {
      return { source: args.source, schema: args.schema, name: args.table, ...(typeof args.column === 'string' && { column: args.column }) };
    }
    const node = app.contextMenuHitTest((n) => n.dataset.tableKey !== undefined);
    const parsed = node?.dataset.tableKey ? parseKey(node.dataset.tableKey) : undefined;
    if (!parsed) return null;
    return { source: parsed.source, schema: parsed.schema, name: parsed.name, ...(node!.dataset.column && { column: node!.dataset.column }) };
  };

  const pages = new WidgetTracker<MainAreaWidget<TablePage>>({ namespace: PAGE_NAMESPACE });

  const openPage = (table: TableRef): MainAreaWidget<TablePage> => {
    let widget = pages.find((w) => sameTable(w.content.table, table));
    if (!widget || widget.isDisposed) {
      const content = new TablePage({
        client,
        table,
        abilities,
        onOpenTable: (t) => void app.commands.execute(CommandIDs.openTable, tableArgs(t)),
        onInsertSelect: async (info) => {
          const result = (await app.commands.execute(CommandIDs.insertSelect, { ...tableArgs(info), columns: info.columns.map((c) => c.name), notify: false })) as InsertResult;
          return result.message;
        },
      });
      widget = new MainAreaWidget({ content });
      widget.id = idOf(tableKey(table));
      widget.addClass('wb-catalog-main');
      widget.title.label = table.name;
      widget.title.caption = qualifiedName(table);
      widget.title.icon = tableRowsIcon;
      widget.title.closable = true;
      const page = content;
      widget.toolbar.addItem('refresh', new ToolbarButton({ icon: refreshIcon, tooltip: `Reload ${table.name}`, className: 'wb-catalog-page-reload', onClick: () => void page.refresh() }));
      void pages.add(widget);
    }
    if (!widget.isAttached) app.shell.add(widget, 'main');
    app.shell.activateById(widget.id);
    return widget;
  };

  const onOpen = (target: HitTarget): void => {
    switch (target.kind) {
      case 'table':
        void app.commands.execute(CommandIDs.openTable, { ...tableArgs(target.table), ...(target.column !== undefined && { column: target.column }) });
        break;
      case 'notebook':
        void app.commands.execute('docmanager:open', { path: target.path });
        break;
      case 'glossary':
        void showGlossaryTerm({ client, term: target.term, onOpenTable: (t) => void app.commands.execute(CommandIDs.openTable, tableArgs(t)) });
        break;
      case 'unknown':
        break;
    }
  };

  const sidebar = new CatalogSidebar({ client, abilities, onOpen });
  sidebar.id = PANEL_ID;
  sidebar.title.icon = catalogIcon;
  sidebar.title.caption = 'Data Catalog';

  app.commands.addCommand(CommandIDs.open, {
    label: 'Data Catalog',
    caption: 'Search the tables, columns, notebooks and glossary terms of the catalog',
    icon: (args) => (args.isPalette ? undefined : catalogIcon),
    describedBy: { args: { type: 'object', properties: { query: { type: 'string', description: 'Search this right away' } } } },
    execute: async (args) => {
      app.shell.activateById(sidebar.id);
      await sidebar.ensureLoaded();
      if (typeof args.query === 'string') await sidebar.search(args.query);
      sidebar.focusSearch();
    },
  });

  app.commands.addCommand(CommandIDs.openTable, {
    label: (args) => (typeof args.table === 'string' ? `Open ${args.table}` : 'Open Table Page'),
    caption: 'A table’s page: columns, preview, tags, lineage and usage',
    icon: (args) => (args.isPalette ? undefined : tableRowsIcon),
    isVisible: (args) => tableOf(args) !== null || args.isPalette === true,
    describedBy: {
      args: {
        type: 'object',
        properties: {
          source: { type: 'string' },
          schema: { type: 'string' },
          table: { type: 'string' },
          tab: { type: 'string', enum: [...TABS] },
          column: { type: 'string', description: 'Show the Columns tab at this column' },
        },
      },
    },
    execute: async (args) => {
      const t = tableOf(args);
      if (!t) return;
      const widget = openPage(t);
      await widget.content.pending;
      if (t.column !== undefined) await widget.content.showColumn(t.column);
      else if (typeof args.tab === 'string' && (TABS as readonly string[]).includes(args.tab)) await widget.content.showTab(args.tab as TabName);
    },
  });

  app.commands.addCommand(CommandIDs.insertSelect, {
    label: 'Insert SELECT',
    caption: 'Put a SELECT of the table into the active notebook (its active SQL cell when empty, else a new cell), or the clipboard',
    isVisible: (args) => tableOf(args) !== null,
    describedBy: {
      args: {
        type: 'object',
        properties: {
          source: { type: 'string' },
          schema: { type: 'string' },
          table: { type: 'string' },
          columns: { type: 'array', items: { type: 'string' }, description: 'Default: every column of the table' },
          notify: { type: 'boolean', description: 'Say what was done in a notification (default true)' },
        },
      },
    },
    execute: async (args): Promise<InsertResult | undefined> => {
      const t = tableOf(args);
      if (!t) return undefined;
      const columns = Array.isArray(args.columns) ? args.columns.filter((c): c is string => typeof c === 'string') : (await client.table(t)).columns.map((c) => c.name);
      const result = await insertSelect(app, notebooks, selectSnippet(t, columns));
      if (args.notify !== false) Notification.info(result.message, { autoClose: 5000 });
      return result;
    },
  });

  palette?.addItem({ command: CommandIDs.open, category: CATEGORY });
  app.contextMenu.addItem({ command: CommandIDs.openTable, selector: '.wb-catalog-hit[data-table-key]', rank: 1 });
  app.contextMenu.addItem({ command: CommandIDs.insertSelect, selector: '.wb-catalog-hit[data-table-key]', rank: 2 });

  app.shell.add(sidebar, 'left', { rank: 650, type: 'Data Catalog' });
  if (restorer) {
    restorer.add(sidebar, PANEL_ID);
    void restorer.restore(pages, {
      command: CommandIDs.openTable,
      args: (w) => tableArgs(w.content.table),
      name: (w) => tableKey(w.content.table),
    });
  }
  return sidebar;
}

export const catalogPlugin: JupyterFrontEndPlugin<CatalogSidebar> = {
  id: PLUGIN_ID,
  description: 'Data Catalog: search side panel, table pages (columns, preview, tags, lineage, usage) and Insert SELECT into notebooks.',
  autoStart: true,
  optional: [ICommandPalette, ILayoutRestorer, INotebookTracker],
  activate,
};
