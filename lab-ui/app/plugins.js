/**
 * The packages bundled into Workbench's JupyterLab, in one list read by the
 * webpack build (scripts/plugin-modules-loader.js turns it into imports) and
 * by scripts/build.js (setting schemas, themes, manifest). Plain CommonJS:
 * Node reads it, webpack never bundles it.
 *
 * Left out on purpose (see README.md): extensionmanager, pluginmanager, hub,
 * debugger, workspaces-extension (not installed, or they need server pieces
 * Workbench does not have).
 *
 * A package's own `jupyterlab.disabledExtensions` (plugins it replaces) is
 * honoured while the package itself is enabled, as jupyterlab_server does for
 * prebuilt extensions: see app/index.js.
 */
'use strict';

/** Plugin packages (`jupyterlab.extension`), each default-exporting one plugin or an array of them. */
const extensions = [
  // Real-time collaboration (jupyter-collaboration 5.0, server side in server/collab):
  // user menu, collaborators panel, global awareness, remote cursors, shared link.
  '@jupyter/collaboration-extension',
  // The 'rtc' content provider: notebooks and text files open as Yjs documents
  // synced over /api/collaboration/room; replaces the notebook cell executor.
  '@jupyter/docprovider-extension',
  '@jupyterlab/application-extension', // shell, router, tree resolver, status, top bar, property inspector
  '@jupyterlab/apputils-extension', // themes, palette, splash, sanitizer, notification, toolbar registry, workspaces, state, settings
  '@jupyterlab/cell-toolbar-extension',
  '@jupyterlab/celltags-extension',
  '@jupyterlab/codemirror-extension', // editor; language modes load lazily
  '@jupyterlab/completer-extension',
  '@jupyterlab/console-extension',
  '@jupyterlab/csvviewer-extension',
  '@jupyterlab/docmanager-extension',
  '@jupyterlab/documentsearch-extension',
  '@jupyterlab/filebrowser-extension',
  '@jupyterlab/fileeditor-extension',
  '@jupyterlab/help-extension',
  '@jupyterlab/htmlviewer-extension',
  '@jupyterlab/imageviewer-extension',
  '@jupyterlab/inspector-extension',
  '@jupyterlab/launcher-extension',
  '@jupyterlab/logconsole-extension',
  '@jupyterlab/lsp-extension', // off unless a language server answers /lsp/status
  '@jupyterlab/mainmenu-extension',
  '@jupyterlab/markdownviewer-extension',
  '@jupyterlab/markedparser-extension', // markdown renderer; marked and mermaid load lazily
  '@jupyterlab/mathjax-extension', // MathJax loads lazily on the first formula
  '@jupyterlab/metadataform-extension',
  '@jupyterlab/notebook-extension',
  '@jupyterlab/rendermime-extension',
  '@jupyterlab/running-extension',
  '@jupyterlab/settingeditor-extension',
  '@jupyterlab/shortcuts-extension',
  '@jupyterlab/statusbar-extension',
  '@jupyterlab/terminal-extension',
  '@jupyterlab/theme-dark-extension',
  '@jupyterlab/theme-light-extension',
  '@jupyterlab/toc-extension',
  '@jupyterlab/tooltip-extension',
  '@jupyterlab/translation-extension',
  '@jupyterlab/ui-components-extension',
  '@workbench/history-extension', // workspace package: version history panel
  '@workbench/admin-extension', // workspace package: API tokens, users and roles, audit log screens
  '@workbench/connections-extension', // workspace package: Connections side panel
  '@workbench/catalog-extension', // workspace package: Data Catalog side panel, table pages, Insert SELECT
  '@workbench/pipelines-extension', // workspace package: pipelines dashboard, list, pipeline and run pages, Create job
  '@workbench/review-extension', // workspace package: documents review queue, document pages, /lab?document= links
  '@workbench/environments-extension', // workspace package: the Python Environments screen
  '@workbench/templates-extension', // workspace package: the templates library (launcher cards, install with parameters, Save as Template…)
  // workspace package: cell dependencies (stale badges, run downstream / what a cell needs, Dependencies panel). Its cell
  // executor supersedes notebook-extension's and docprovider-extension's: the last plugin providing a token gets it, so it stays after them.
  '@workbench/dependencies-extension',
];

/** Mime renderer packages (`jupyterlab.mimeExtension`), each default-exporting IRenderMime.IExtensionModule(s). */
const mimeExtensions = [
  '@jupyterlab/javascript-extension',
  '@jupyterlab/json-extension',
  '@jupyterlab/pdf-extension',
  '@workbench/dataresource-extension', // workspace package: application/vnd.dataresource+json tables
];

/**
 * Plugins of bundled packages that are never registered: the server's
 * PageConfig `disabledExtensions` can switch off more at run time.
 */
const excludedPlugins = [
  // Asks to fetch Jupyter news from the internet through /lab/api/news and
  // /lab/api/update; a self-hosted Workbench makes no such calls.
  '@jupyterlab/apputils-extension:announcements',
  // The document timeline slider in the status bar reads
  // /api/collaboration/timeline and forks rooms through /api/collaboration/undo_redo,
  // which server/collab does not serve; Workbench's history panel shows versions.
  '@jupyter/docprovider-extension:statusBarTimeline',
];

/** Workspace packages (extensions/*), left out when WORKBENCH_LAB_SKIP_WORKSPACE_EXTENSIONS=1. */
const isWorkspacePackage = (name) => name.startsWith('@workbench/');

module.exports = { extensions, mimeExtensions, excludedPlugins, isWorkspacePackage };
