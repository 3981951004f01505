/**
 * The document review queue in JupyterLab: main-area screens (the queue,
 * and a page per document; opening one again brings it to the front, and
 * they come back after a reload), the queue in the launcher (category
 * "Workbench"), and these commands (palette category "Workbench"):
 *
 *   workbench-review:queue   the review queue {tab?: review|failed|posted|all}
 *   workbench-review:open    a document's page {id}
 *
 * A link `/lab?document=<id>` (the one written into each Odoo bill, and
 * what a colleague sends to ask for a second pair of eyes) opens that
 * document's page, then the address is tidied.
 *
 * What the user may do comes from `GET api/me?permissions=` (asked once):
 * the screens hide what the role does not allow; the server checks every
 * request anyway.
 */
import { ILayoutRestorer, type JupyterFrontEnd, type JupyterFrontEndPlugin } from '@jupyterlab/application';
import { ICommandPalette, MainAreaWidget, WidgetTracker } from '@jupyterlab/apputils';
import { ILauncher } from '@jupyterlab/launcher';
import { refreshIcon, ToolbarButton } from '@jupyterlab/ui-components';
import type { Widget } from '@lumino/widgets';
import { DocumentPage, READ_ONLY, ReviewClient, ReviewQueue, type QueueTab, type ReviewAbilities, type ReviewScreenOptions } from '@workbench/review-ui';
import { CommandIDs, DOCUMENT_PARAM, NAMESPACES, PLUGIN_ID } from './ids';
import { reviewIcon } from './review-icon';

const CATEGORY = 'Workbench';
const TABS: readonly QueueTab[] = ['review', 'failed', 'posted', 'all'];

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

function activate(app: JupyterFrontEnd, palette: ICommandPalette | null, restorer: ILayoutRestorer | null, launcher: ILauncher | null): void {
  const client = new ReviewClient({ serverSettings: app.serviceManager.serverSettings });
  let asked: Promise<ReviewAbilities> | null = null;
  const abilities = (): Promise<ReviewAbilities> =>
    (asked ??= client.abilities().catch((err: unknown) => {
      // Without an answer the screens stay read-only (and ask again next time); the server decides anyway.
      console.warn(`${PLUGIN_ID}: cannot read what you may do, so the documents are read-only:`, err);
      asked = null;
      return READ_ONLY;
    }));
  const screenOptions: ReviewScreenOptions = {
    client,
    abilities,
    onOpenDocument: (id) => void app.commands.execute(CommandIDs.open, { id }),
  };

  const queues = new WidgetTracker<MainAreaWidget<ReviewQueue>>({ namespace: NAMESPACES.queue });
  const documents = new WidgetTracker<MainAreaWidget<DocumentPage>>({ namespace: NAMESPACES.document });

  /** Brings the screen with `id` to the front, making it with `make` first when there is none. */
  function show<T extends Screen>(tracker: WidgetTracker<MainAreaWidget<T>>, id: string, make: () => { content: T; label: string; caption: string }): { widget: MainAreaWidget<T>; made: boolean } {
    let widget = tracker.find((w) => w.id === id);
    let made = false;
    if (!widget || widget.isDisposed) {
      made = true;
      const { content, label, caption } = make();
      widget = new MainAreaWidget({ content });
      widget.id = id;
      widget.addClass('wb-review-main');
      widget.title.label = label;
      widget.title.caption = caption;
      widget.title.icon = reviewIcon;
      widget.title.closable = true;
      widget.toolbar.addItem('refresh', new ToolbarButton({ icon: refreshIcon, tooltip: 'Reload', className: 'wb-review-reload', onClick: () => void content.refresh() }));
      void tracker.add(widget);
    }
    if (!widget.isAttached) app.shell.add(widget, 'main');
    app.shell.activateById(widget.id);
    return { widget, made };
  }

  app.commands.addCommand(CommandIDs.queue, {
    label: 'Review Queue',
    caption: 'Receipts and vendor bills waiting for review, failed postings, what was posted to Odoo; upload documents',
    icon: (args) => (args.isPalette ? undefined : reviewIcon),
    describedBy: { args: { type: 'object', properties: { tab: { type: 'string', enum: [...TABS] } } } },
    execute: async (args) => {
      const tab = TABS.find((t) => t === args.tab);
      const { widget, made } = show(queues, NAMESPACES.queue, () => ({ content: new ReviewQueue({ ...screenOptions, tab }), label: 'Review Queue', caption: 'Documents: the review queue' }));
      if (!made && tab !== undefined) await widget.content.showTab(tab);
      await widget.content.pending;
    },
  });

  app.commands.addCommand(CommandIDs.open, {
    label: 'Open Document',
    caption: 'A document’s page: its pages with the fields read, the form to correct them, approve or reject, its history',
    icon: (args) => (args.isPalette ? undefined : reviewIcon),
    describedBy: { args: { type: 'object', properties: { id: { type: 'string' } }, required: ['id'] } },
    execute: async (args) => {
      if (typeof args.id !== 'string' || args.id === '') return;
      const documentId = args.id;
      const { widget } = show(documents, idOf(NAMESPACES.document, documentId), () => ({ content: new DocumentPage({ ...screenOptions, documentId }), label: 'Document', caption: `Document ${documentId}` }));
      await widget.content.pending;
      // The tab says which file once it is known.
      const doc = widget.content.document;
      if (doc && !widget.isDisposed) {
        widget.title.label = doc.filename;
        widget.title.caption = `${doc.filename} (${doc.status.replace('_', ' ')})`;
      }
    },
  });

  palette?.addItem({ command: CommandIDs.queue, category: CATEGORY });
  launcher?.add({ command: CommandIDs.queue, category: CATEGORY, rank: 20 });
  // A link to a document: /lab?document=<id> opens its page (then the address is tidied).
  void app.restored.then(() => {
    const query = new URLSearchParams(window.location.search);
    const id = query.get(DOCUMENT_PARAM);
    if (id === null || id === '') return;
    query.delete(DOCUMENT_PARAM);
    const rest = query.toString();
    window.history.replaceState(window.history.state, '', `${window.location.pathname}${rest ? `?${rest}` : ''}${window.location.hash}`);
    void app.commands.execute(CommandIDs.open, { id });
  });
  if (restorer) {
    void restorer.restore(queues, { command: CommandIDs.queue, args: (w) => ({ tab: w.content.currentTab }), name: () => 'queue' });
    void restorer.restore(documents, { command: CommandIDs.open, args: (w) => ({ id: w.content.documentId }), name: (w) => w.content.documentId });
  }
}

export const reviewPlugin: JupyterFrontEndPlugin<void> = {
  id: PLUGIN_ID,
  description: 'Documents: the review queue of receipts and vendor bills (upload, filter tabs, replay), document pages with the fields highlighted on the page images, corrections, approve (four-eyes) and reject, and /lab?document= links.',
  autoStart: true,
  optional: [ICommandPalette, ILayoutRestorer, ILauncher],
  activate,
};
