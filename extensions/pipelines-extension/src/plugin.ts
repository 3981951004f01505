/**
 * The pipelines in JupyterLab: main-area screens (the dashboard, the list
 * of every pipeline, a page per pipeline and per run; opening one again
 * brings it to the front, and they come back after a reload), the
 * "Pipelines" side panel (left, its own icon), "Create job" in every
 * notebook's toolbar, the dashboard in the launcher, and these commands
 * (palette category "Workbench"):
 *
 *   workbench-pipelines:dashboard   the dashboard (home)
 *   workbench-pipelines:list        every pipeline with its run-history matrix
 *   workbench-pipelines:open        a pipeline's page {id} or {path}
 *   workbench-pipelines:open-run    a run's page {id}
 *   workbench-pipelines:create-job  the Create job dialog {path?}
 *   workbench-pipelines:from-template  New pipeline from template (dialog; opens the pipeline installed)
 *   workbench-pipelines:panel       shows the side panel
 *
 * What the user may do comes from `GET api/me?permissions=` (asked once):
 * the screens hide what the role does not allow; the server checks every
 * request anyway.
 */
import { ILayoutRestorer, type JupyterFrontEnd, type JupyterFrontEndPlugin } from '@jupyterlab/application';
import { ICommandPalette, MainAreaWidget, Notification, WidgetTracker } from '@jupyterlab/apputils';
import { ILauncher } from '@jupyterlab/launcher';
import { INotebookTracker } from '@jupyterlab/notebook';
import { refreshIcon, ToolbarButton } from '@jupyterlab/ui-components';
import type { Widget } from '@lumino/widgets';
import {
  PipelinePage,
  PipelinesClient,
  PipelinesDashboard,
  PipelinesList,
  PipelinesSidebar,
  READ_ONLY,
  RunPage,
  showCreateJobDialog,
  type PipelineRecord,
  type PipelinesAbilities,
  type ScreenOptions,
} from '@workbench/pipelines-ui';
import { CreateJobButton, parametersOf } from './create-job';
import { CommandIDs, NAMESPACES, PANEL_ID, PLUGIN_ID } from './ids';
import { pipelinesIcon } from './pipelines-icon';

/** The templates extension's install dialog. */
const TEMPLATES_INSTALL = 'workbench-templates:install';

const CATEGORY = 'Workbench';

/** A screen with a refresh() and the promise of its load in flight. */
interface Screen extends Widget {
  refresh(): Promise<void>;
  readonly pending: Promise<void>;
}

/** A short, stable DOM id for a key (FNV-1a). */
function idOf(namespace: string, key: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return `${namespace}-${h.toString(16).padStart(8, '0')}`;
}

function activate(app: JupyterFrontEnd, palette: ICommandPalette | null, restorer: ILayoutRestorer | null, launcher: ILauncher | null, notebooks: INotebookTracker | null): PipelinesSidebar {
  const client = new PipelinesClient({ serverSettings: app.serviceManager.serverSettings });
  let asked: Promise<PipelinesAbilities> | null = null;
  const abilities = (): Promise<PipelinesAbilities> =>
    (asked ??= client.abilities().catch((err: unknown) => {
      // Without an answer the screens stay read-only (and ask again next time); the server decides anyway.
      console.warn(`${PLUGIN_ID}: cannot read what you may do, so the pipelines are read-only:`, err);
      asked = null;
      return READ_ONLY;
    }));

  const openFile = (path: string): void => {
    // Pipeline files in the text editor (their default would be too, but say so); notebooks with their own.
    void app.commands.execute('docmanager:open', /\.ya?ml$/i.test(path) ? { path, factory: 'Editor' } : { path });
  };
  const screenOptions: ScreenOptions = {
    client,
    abilities,
    onOpenPipeline: (id) => void app.commands.execute(CommandIDs.open, { id }),
    onOpenRun: (id) => void app.commands.execute(CommandIDs.openRun, { id }),
    onOpenFile: openFile,
    onNewFromTemplate: () => void app.commands.execute(CommandIDs.fromTemplate),
  };

  const dashboards = new WidgetTracker<MainAreaWidget<PipelinesDashboard>>({ namespace: NAMESPACES.dashboard });
  const lists = new WidgetTracker<MainAreaWidget<PipelinesList>>({ namespace: NAMESPACES.list });
  const pages = new WidgetTracker<MainAreaWidget<PipelinePage>>({ namespace: NAMESPACES.pipeline });
  const runs = new WidgetTracker<MainAreaWidget<RunPage>>({ namespace: NAMESPACES.run });

  /** Brings the screen with `id` to the front, making it with `make` first when there is none. */
  function show<T extends Screen>(tracker: WidgetTracker<MainAreaWidget<T>>, id: string, make: () => { content: T; label: string; caption: string }): MainAreaWidget<T> {
    let widget = tracker.find((w) => w.id === id);
    if (!widget || widget.isDisposed) {
      const { content, label, caption } = make();
      widget = new MainAreaWidget({ content });
      widget.id = id;
      widget.addClass('wb-pipelines-main');
      widget.title.label = label;
      widget.title.caption = caption;
      widget.title.icon = pipelinesIcon;
      widget.title.closable = true;
      widget.toolbar.addItem('refresh', new ToolbarButton({ icon: refreshIcon, tooltip: 'Reload', className: 'wb-pipelines-reload', onClick: () => void content.refresh() }));
      void tracker.add(widget);
    }
    if (!widget.isAttached) app.shell.add(widget, 'main');
    app.shell.activateById(widget.id);
    return widget;
  }

  app.commands.addCommand(CommandIDs.dashboard, {
    label: 'Pipelines Dashboard',
    caption: 'Runs going on, failures, SLA misses and the latest activity of every pipeline',
    icon: (args) => (args.isPalette ? undefined : pipelinesIcon),
    execute: async () => {
      const w = show(dashboards, NAMESPACES.dashboard, () => ({
        content: new PipelinesDashboard({ ...screenOptions, onOpenList: () => void app.commands.execute(CommandIDs.list) }),
        label: 'Pipelines Dashboard',
        caption: 'Pipelines: runs going on, failures, alerts',
      }));
      await w.content.pending;
    },
  });

  app.commands.addCommand(CommandIDs.list, {
    label: 'All Pipelines',
    caption: 'Every pipeline of the workspace with its run-history matrix',
    icon: (args) => (args.isPalette ? undefined : pipelinesIcon),
    execute: async () => {
      const w = show(lists, NAMESPACES.list, () => ({ content: new PipelinesList(screenOptions), label: 'Pipelines', caption: 'Every pipeline of the workspace' }));
      await w.content.pending;
    },
  });

  app.commands.addCommand(CommandIDs.open, {
    label: (args) => (typeof args.path === 'string' ? `Open Pipeline ${args.path}` : 'Open Pipeline'),
    caption: 'A pipeline’s page: its tasks, schedule, parameters, runs and YAML',
    icon: (args) => (args.isPalette ? undefined : pipelinesIcon),
    describedBy: { args: { type: 'object', properties: { id: { type: 'string' }, path: { type: 'string', description: 'The workspace path of its *.pipeline.yaml' } } } },
    execute: async (args) => {
      let id = typeof args.id === 'string' ? args.id : undefined;
      if (id === undefined && typeof args.path === 'string') {
        const path = args.path;
        id = (await client.pipelines()).find((p) => p.path === path)?.id;
        if (id === undefined) {
          Notification.error(`Cannot open pipeline ${path}: no such pipeline (is the file saved, with a name ending in .pipeline.yaml?)`, { autoClose: 8000 });
          return;
        }
      }
      if (id === undefined) return;
      const pipelineId = id;
      const w = show(pages, idOf(NAMESPACES.pipeline, pipelineId), () => ({ content: new PipelinePage({ ...screenOptions, pipelineId }), label: 'Pipeline', caption: `Pipeline ${pipelineId}` }));
      await w.content.pending;
    },
  });

  app.commands.addCommand(CommandIDs.openRun, {
    label: 'Open Run',
    caption: 'A run’s page: its tasks, attempts, progress, outputs and live logs',
    icon: (args) => (args.isPalette ? undefined : pipelinesIcon),
    describedBy: { args: { type: 'object', properties: { id: { type: 'string' }, check: { type: 'string', description: 'A check to bring into view' } }, required: ['id'] } },
    execute: async (args) => {
      if (typeof args.id !== 'string') return;
      const runId = args.id;
      const check = typeof args.check === 'string' && args.check !== '' ? args.check : undefined;
      let made = false;
      const w = show(runs, idOf(NAMESPACES.run, runId), () => {
        made = true;
        return { content: new RunPage({ ...screenOptions, runId, ...(check !== undefined ? { focusCheck: check } : {}) }), label: 'Run', caption: `Run ${runId}` };
      });
      if (!made && check !== undefined) w.content.focusCheck(check);
      await w.content.pending;
    },
  });

  const notebookOf = (args: { readonly [key: string]: unknown }) => {
    const path = typeof args.path === 'string' ? args.path : undefined;
    return path === undefined ? (notebooks?.currentWidget ?? null) : (notebooks?.find((p) => p.context.path === path) ?? null);
  };

  app.commands.addCommand(CommandIDs.createJob, {
    label: 'Create Job…',
    caption: 'Make a scheduled pipeline that runs the notebook',
    icon: (args) => (args.isPalette ? undefined : pipelinesIcon),
    isEnabled: (args) => notebookOf(args) !== null,
    describedBy: { args: { type: 'object', properties: { path: { type: 'string', description: 'The notebook (default: the current one)' } } } },
    execute: async (args): Promise<PipelineRecord | null> => {
      const panel = notebookOf(args);
      if (!panel) return null;
      await panel.context.ready;
      // A pipeline runs the file as saved.
      if (panel.context.model.dirty) await panel.context.save();
      const created = await showCreateJobDialog({ client, notebook: panel.context.path, parametersSource: parametersOf(panel) });
      if (!created) return null;
      await app.commands.execute(CommandIDs.open, { id: created.id });
      return created;
    },
  });

  // The templates library (@workbench/templates-extension) installs it and opens the pipeline's page.
  app.commands.addCommand(CommandIDs.fromTemplate, {
    label: 'New Pipeline from Template…',
    caption: 'Install a template holding a pipeline (such as the month-end close) into a folder, with its parameters, then open the pipeline',
    icon: (args) => (args.isPalette ? undefined : pipelinesIcon),
    isEnabled: () => app.commands.hasCommand(TEMPLATES_INSTALL),
    execute: () => app.commands.execute(TEMPLATES_INSTALL, { pipelines: true }),
  });

  const sidebar = new PipelinesSidebar({
    client,
    onOpenPipeline: screenOptions.onOpenPipeline,
    onOpenDashboard: () => void app.commands.execute(CommandIDs.dashboard),
    onOpenList: () => void app.commands.execute(CommandIDs.list),
  });
  sidebar.id = PANEL_ID;
  sidebar.title.icon = pipelinesIcon;
  sidebar.title.caption = 'Pipelines';

  app.commands.addCommand(CommandIDs.panel, {
    label: 'Pipelines Panel',
    caption: 'The Pipelines side panel',
    execute: async () => {
      app.shell.activateById(sidebar.id);
      await sidebar.ensureLoaded();
    },
  });

  for (const command of [CommandIDs.dashboard, CommandIDs.list, CommandIDs.createJob, CommandIDs.fromTemplate, CommandIDs.panel]) palette?.addItem({ command, category: CATEGORY });
  launcher?.add({ command: CommandIDs.dashboard, category: CATEGORY, rank: 10 });
  launcher?.add({ command: CommandIDs.fromTemplate, category: CATEGORY, rank: 11 });
  app.docRegistry.addWidgetExtension('Notebook', new CreateJobButton(app.commands));
  app.shell.add(sidebar, 'left', { rank: 660, type: 'Pipelines' });
  // A link from a run's email or webhook: /lab?pipeline-run=<id>[&check=<name>] opens that run's page (then the address is tidied).
  void app.restored.then(() => {
    const query = new URLSearchParams(window.location.search);
    const runId = query.get('pipeline-run');
    if (runId === null || runId === '') return;
    const check = query.get('check');
    query.delete('pipeline-run');
    query.delete('check');
    const rest = query.toString();
    window.history.replaceState(window.history.state, '', `${window.location.pathname}${rest ? `?${rest}` : ''}${window.location.hash}`);
    void app.commands.execute(CommandIDs.openRun, { id: runId, ...(check ? { check } : {}) });
  });
  if (restorer) {
    restorer.add(sidebar, PANEL_ID);
    void restorer.restore(dashboards, { command: CommandIDs.dashboard, args: () => ({}), name: () => 'dashboard' });
    void restorer.restore(lists, { command: CommandIDs.list, args: () => ({}), name: () => 'list' });
    void restorer.restore(pages, { command: CommandIDs.open, args: (w) => ({ id: w.content.pipelineId }), name: (w) => w.content.pipelineId });
    void restorer.restore(runs, { command: CommandIDs.openRun, args: (w) => ({ id: w.content.runId }), name: (w) => w.content.runId });
  }
  return sidebar;
}

export const pipelinesPlugin: JupyterFrontEndPlugin<PipelinesSidebar> = {
  id: PLUGIN_ID,
  description: 'Pipelines: dashboard, list with run-history matrix, pipeline pages (DAG, schedules, parameters, runs, YAML), run pages with live logs, and Create job in the notebook toolbar.',
  autoStart: true,
  optional: [ICommandPalette, ILayoutRestorer, ILauncher, INotebookTracker],
  activate,
};
