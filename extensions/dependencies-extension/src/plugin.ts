/**
 * Cell dependencies in JupyterLab notebooks (issue 17), two plugins:
 *
 * - `:cell-executor` provides `INotebookCellExecutor`: JupyterLab's own
 *   `runCell`, wrapped so a cell that reads a name only a later cell
 *   defines asks first ("Run anyway" / "Cancel"). It supersedes the
 *   executor of `@jupyterlab/notebook-extension` or, with collaboration,
 *   `@jupyter/docprovider-extension` (both that same `runCell` unless
 *   PageConfig `serverSideExecution` is "true", which Workbench's server
 *   does not offer: it has no `api/kernels/{id}/execute`) by being
 *   registered after them: Lumino's plugin registry gives a token to the
 *   last plugin providing it (lab-ui/app/plugins.js lists this package
 *   after those). They stay registered, unused. Should another executor
 *   win, `:plugin` says so in the console and cells run without asking.
 * - `:plugin`: per open notebook a `NotebookDependencies` (analysis and
 *   runs in cell metadata, the graph), the badges on the cells, the
 *   Dependencies side panel (right), and the commands (cell context menu,
 *   notebook toolbar, Run menu, palette):
 *
 *   workbench-dependencies:run-downstream   Run Cell and Everything Downstream {cellId?, path?}
 *   workbench-dependencies:run-upstream     Run What This Cell Needs {cellId?, path?}
 *   workbench-dependencies:panel            the Dependencies panel
 *   workbench-dependencies:analyze          analyse now {path?}; resolves once the graph is current
 */
import { ILayoutRestorer, type JupyterFrontEnd, type JupyterFrontEndPlugin } from '@jupyterlab/application';
import { ICommandPalette, ISessionContextDialogs, Notification } from '@jupyterlab/apputils';
import type { DocumentRegistry } from '@jupyterlab/docregistry';
import { IMainMenu } from '@jupyterlab/mainmenu';
import { INotebookCellExecutor, INotebookTracker, runCell, type INotebookModel, type NotebookPanel } from '@jupyterlab/notebook';
import { ITranslator } from '@jupyterlab/translation';
import { ToolbarButton } from '@jupyterlab/ui-components';
import { CellMarks, confirmReadsLater, DependenciesClient, DependenciesPanel, GuardedExecutor, NotebookDependencies, readsLaterOf, runPlan, type CellLabel, type PlanKind } from '@workbench/dependencies-ui';
import { CommandIDs, EXECUTOR_PLUGIN_ID, PANEL_ID, PLUGIN_ID } from './ids';
import { dependenciesIcon, runDownstreamIcon, runUpstreamIcon } from './icons';

/** How long a run waits for the analysis of what was just typed before it goes without (a slow or unreachable server). */
const SETTLE_TIMEOUT_MS = 1500;

const labelIn = (panel: NotebookPanel): CellLabel => (id) => `cell ${panel.content.widgets.findIndex((w) => w.model.id === id) + 1}`;

export const cellExecutorPlugin: JupyterFrontEndPlugin<INotebookCellExecutor> = {
  id: EXECUTOR_PLUGIN_ID,
  description: 'Runs notebook cells with JupyterLab’s own runCell, asking first when a cell reads a name only a later cell defines.',
  autoStart: true,
  provides: INotebookCellExecutor,
  activate: (): INotebookCellExecutor => new GuardedExecutor<INotebookCellExecutor.IRunCellOptions>(Object.freeze({ runCell })),
};

function activate(
  app: JupyterFrontEnd,
  tracker: INotebookTracker,
  executor: INotebookCellExecutor,
  palette: ICommandPalette | null,
  restorer: ILayoutRestorer | null,
  mainMenu: IMainMenu | null,
  sessionDialogs: ISessionContextDialogs | null,
  translator: ITranslator | null,
): void {
  const client = new DependenciesClient({ serverSettings: app.serviceManager.serverSettings });
  const byPanel = new Map<NotebookPanel, NotebookDependencies>();
  const byModel = new WeakMap<INotebookModel, NotebookDependencies>();
  /** Cells a plan runs: it asked already. */
  const unguarded = new Set<string>();

  const sidebar = new DependenciesPanel({
    onSelectCell: (deps, cellId) => selectCell(deps.panel, cellId),
    onRun: (deps, cellId, kind) => void app.commands.execute(kind === 'downstream' ? CommandIDs.runDownstream : CommandIDs.runUpstream, { path: deps.panel.context.path, cellId }),
  });
  sidebar.id = PANEL_ID;
  sidebar.title.icon = dependenciesIcon;
  sidebar.title.caption = 'Dependencies';

  const followCurrent = () => {
    const panel = tracker.currentWidget;
    sidebar.follow(panel ? (byPanel.get(panel) ?? null) : null, panel?.content.activeCell?.model.id ?? null);
  };
  const notifyCommands = () => {
    for (const id of [CommandIDs.runDownstream, CommandIDs.runUpstream]) app.commands.notifyCommandChanged(id);
  };

  function selectCell(panel: NotebookPanel, cellId: string): void {
    const notebook = panel.content;
    const index = notebook.widgets.findIndex((w) => w.model.id === cellId);
    if (index < 0) return;
    app.shell.activateById(panel.id);
    notebook.deselectAll();
    notebook.activeCellIndex = index;
    void notebook.scrollToItem(index, 'smart');
  }

  tracker.widgetAdded.connect((_, panel) => {
    const deps = new NotebookDependencies({ panel, client });
    byPanel.set(panel, deps);
    void panel.context.ready.then(() => {
      if (panel.content.model) byModel.set(panel.content.model, deps);
    });
    const marks = new CellMarks({
      onOpen: (cellId) => {
        selectCell(panel, cellId);
        app.shell.activateById(PANEL_ID);
      },
    });
    deps.changed.connect(() => {
      marks.render(panel.content, deps.graph);
      notifyCommands();
    });
    panel.disposed.connect(() => {
      deps.dispose();
      byPanel.delete(panel);
      followCurrent();
    });
    followCurrent();
  });
  tracker.currentChanged.connect(() => {
    followCurrent();
    notifyCommands();
  });
  tracker.activeCellChanged.connect(() => {
    followCurrent();
    notifyCommands();
  });

  if (executor instanceof GuardedExecutor) {
    (executor as GuardedExecutor<INotebookCellExecutor.IRunCellOptions>).setGuard(({ notebook, cell }) => {
      const deps = byModel.get(notebook);
      if (!deps || deps.isDisposed || !deps.language || cell.model.type !== 'code' || unguarded.has(cell.model.id)) return null;
      const cellId = cell.model.id;
      const ask = (): Promise<boolean> | null => {
        const graph = deps.graph;
        const warnings = graph ? readsLaterOf(graph, cellId) : [];
        return graph && warnings.length ? confirmReadsLater(graph, warnings, labelIn(deps.panel)) : null;
      };
      if (deps.settled) return ask();
      // Just typed: the analysis of the new source decides (for a while; then the run goes on).
      return (async () => {
        let timer: ReturnType<typeof setTimeout> | undefined;
        await Promise.race([deps.flush(), new Promise<void>((resolve) => (timer = setTimeout(resolve, SETTLE_TIMEOUT_MS)))]);
        clearTimeout(timer);
        return (await ask()) ?? true;
      })();
    });
  } else {
    console.warn(`${PLUGIN_ID}: another extension provides the cell executor, so cells reading a later cell's name run without asking`);
  }

  /** The notebook (`path`, default the current one) and cell (`cellId`, default its active cell) of a command. */
  const targetOf = (args: { readonly [key: string]: unknown }) => {
    const panel = typeof args.path === 'string' ? tracker.find((p) => p.context.path === args.path) : tracker.currentWidget;
    const deps = panel ? byPanel.get(panel) : undefined;
    if (!panel || !deps) return null;
    const cellId = typeof args.cellId === 'string' ? args.cellId : panel.content.activeCell?.model.id;
    return cellId === undefined ? null : { panel, deps, cellId };
  };
  const canPlan = (args: { readonly [key: string]: unknown }) => {
    const t = targetOf(args);
    if (!t || !t.deps.language) return false;
    const cell = t.panel.content.widgets.find((w) => w.model.id === t.cellId);
    return cell?.model.type === 'code';
  };
  const plan = async (args: { readonly [key: string]: unknown }, kind: PlanKind): Promise<boolean> => {
    const t = targetOf(args);
    if (!t) return false;
    const result = await runPlan(t.deps, t.cellId, kind, {
      sessionDialogs: sessionDialogs ?? undefined,
      translator: translator ?? undefined,
      confirm: confirmReadsLater,
      unguarded,
    });
    if (!result.ok && result.ran.length === 0 && t.deps.analysis.state === 'error') Notification.error(t.deps.analysis.error ?? 'Cannot analyse the cell dependencies', { autoClose: 8000 });
    return result.ok;
  };
  const planArgs = { type: 'object', properties: { cellId: { type: 'string', description: 'The cell (default: the active cell)' }, path: { type: 'string', description: 'The notebook (default: the current one)' } } } as const;

  app.commands.addCommand(CommandIDs.runDownstream, {
    label: 'Run Cell and Everything Downstream',
    caption: 'Run this cell, then every cell that reads what it defines (transitively), in dependency order; stops at the first error',
    icon: (args) => (args.isPalette ? undefined : runDownstreamIcon),
    isEnabled: canPlan,
    describedBy: { args: planArgs },
    execute: (args) => plan(args, 'downstream'),
  });
  app.commands.addCommand(CommandIDs.runUpstream, {
    label: 'Run What This Cell Needs',
    caption: 'Run the stale or never-run cells this cell reads from (transitively), in dependency order, then the cell; stops at the first error',
    icon: (args) => (args.isPalette ? undefined : runUpstreamIcon),
    isEnabled: canPlan,
    describedBy: { args: planArgs },
    execute: (args) => plan(args, 'upstream'),
  });
  app.commands.addCommand(CommandIDs.panel, {
    label: 'Cell Dependencies Panel',
    caption: 'What the active cell defines and reads, its upstream and downstream cells',
    icon: (args) => (args.isPalette ? undefined : dependenciesIcon),
    execute: () => {
      app.shell.activateById(PANEL_ID);
    },
  });
  app.commands.addCommand(CommandIDs.analyze, {
    label: 'Analyse Cell Dependencies Now',
    caption: 'Ask the server for the names each cell defines and reads now (it is otherwise done half a second after an edit)',
    isEnabled: (args) => targetOf(args) !== null || (typeof args.path !== 'string' && tracker.currentWidget !== null),
    describedBy: { args: { type: 'object', properties: { path: { type: 'string' } } } },
    execute: async (args) => {
      const panel = typeof args.path === 'string' ? tracker.find((p) => p.context.path === args.path) : tracker.currentWidget;
      const deps = panel ? byPanel.get(panel) : undefined;
      if (deps) await deps.flush();
    },
  });

  const CELL = '.jp-Notebook .jp-CodeCell';
  app.contextMenu.addItem({ type: 'separator', selector: CELL, rank: 13 });
  app.contextMenu.addItem({ command: CommandIDs.runUpstream, selector: CELL, rank: 13.1 });
  app.contextMenu.addItem({ command: CommandIDs.runDownstream, selector: CELL, rank: 13.2 });
  for (const command of [CommandIDs.runDownstream, CommandIDs.runUpstream]) palette?.addItem({ command, category: 'Notebook Operations' });
  palette?.addItem({ command: CommandIDs.panel, category: 'Workbench' });
  palette?.addItem({ command: CommandIDs.analyze, category: 'Workbench' });
  mainMenu?.runMenu.addGroup([{ command: CommandIDs.runUpstream }, { command: CommandIDs.runDownstream }], 12);
  app.docRegistry.addWidgetExtension('Notebook', new PlanButtons(app.commands));
  app.shell.add(sidebar, 'right', { rank: 650, type: 'Dependencies' });
  if (restorer) restorer.add(sidebar, PANEL_ID);
}

/** "Run what this cell needs" and "Run cell and everything downstream" in every notebook's toolbar, after JupyterLab's run buttons. */
class PlanButtons implements DocumentRegistry.IWidgetExtension<NotebookPanel, INotebookModel> {
  constructor(private readonly commands: JupyterFrontEnd['commands']) {}

  /** The buttons belong to the toolbar, which disposes them with the notebook. */
  createNew(panel: NotebookPanel, context: DocumentRegistry.IContext<INotebookModel>): void {
    const make = (command: string, icon: typeof runDownstreamIcon, tooltip: string, className: string) =>
      new ToolbarButton({ className, icon, tooltip, onClick: () => void this.commands.execute(command, { path: context.path }) });
    const upstream = make(CommandIDs.runUpstream, runUpstreamIcon, 'Run what this cell needs (its stale or never-run upstream cells, then the cell)', 'wb-deps-toolbar-upstream');
    const downstream = make(CommandIDs.runDownstream, runDownstreamIcon, 'Run this cell and everything downstream', 'wb-deps-toolbar-downstream');
    const toolbar = panel.toolbar;
    if (!toolbar.insertAfter('run', 'wbRunUpstream', upstream)) toolbar.insertItem(8, 'wbRunUpstream', upstream);
    toolbar.insertAfter('wbRunUpstream', 'wbRunDownstream', downstream);
  }
}

export const dependenciesPlugin: JupyterFrontEndPlugin<void> = {
  id: PLUGIN_ID,
  description: 'Cell dependencies in notebooks: stale and warning badges, Run cell and everything downstream, Run what this cell needs, the Dependencies panel.',
  autoStart: true,
  requires: [INotebookTracker, INotebookCellExecutor],
  optional: [ICommandPalette, ILayoutRestorer, IMainMenu, ISessionContextDialogs, ITranslator],
  activate,
};
