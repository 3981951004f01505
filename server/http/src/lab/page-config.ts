/**
 * PageConfig for the JupyterLab page (jupyterlab_server `handlers.py`
 * LabHandler.get_page_config plus the keys jupyterlab's LabApp adds).
 * URLs come in two forms, as there: `xxxUrl` relative to the base URL
 * with a leading slash ("/lab/api/settings"; the frontend joins them with
 * baseUrl), and `fullXxxUrl` with the base URL in front. `appUrl` stays
 * relative: @jupyterlab/services builds `baseUrl + appUrl + "/api/..."`.
 * Pure: no request, no I/O.
 */
import { UNTRACKED_MESSAGE_TYPES } from '@workbench/manager';

export interface PageConfigInput {
  /** Starts and ends with "/". */
  baseUrl: string;
  appName: string;
  appVersion: string;
  /** jupyter_server API level we implement, "2.14.2". */
  serverVersion: string;
  serverRoot: string;
  /** Only when the page was opened with ?token= (else the app lives on the login cookie + _xsrf). */
  token: string;
  treePath: string;
  workspace: string;
  mode: 'multiple-document' | 'single-document';
  exposeAppInBrowser: boolean;
  terminalsAvailable: boolean;
  /** May this user shut the server down (File > Shut Down)? */
  quitButton: boolean;
  disabledExtensions: readonly string[];
}

export type PageConfig = Record<string, unknown> & { fullStaticUrl: string };

const RELATIVE_URLS = {
  appUrl: '/lab',
  staticUrl: '/static/lab',
  settingsUrl: '/lab/api/settings',
  themesUrl: '/lab/api/themes',
  listingsUrl: '/lab/api/listings',
  workspacesApiUrl: '/lab/api/workspaces',
  translationsApiUrl: '/lab/api/translations',
  treeUrl: '/lab/tree',
  workspacesUrl: '/lab/workspaces',
  labextensionsUrl: '/lab/extensions',
} as const;

export function buildPageConfig(i: PageConfigInput): PageConfig {
  const full: Record<string, string> = {};
  for (const [key, rel] of Object.entries(RELATIVE_URLS)) {
    full[`full${key[0]!.toUpperCase()}${key.slice(1)}`] = i.baseUrl + rel.slice(1);
  }
  const v = i.serverVersion.split('.').map((n) => Number(n) || 0);
  return {
    appName: i.appName,
    appNamespace: 'workbench',
    appVersion: i.appVersion,
    baseUrl: i.baseUrl,
    wsUrl: '',
    token: i.token,
    ...RELATIVE_URLS,
    ...full,
    fullStaticUrl: `${i.baseUrl}static/lab`,
    // The licenses report is not served: an empty URL makes JupyterLab say so instead of failing.
    licensesUrl: '',
    treePath: i.treePath,
    workspace: i.workspace,
    defaultWorkspace: 'default',
    mode: i.mode,
    serverRoot: i.serverRoot,
    preferredPath: '/',
    exposeAppInBrowser: i.exposeAppInBrowser,
    terminalsAvailable: i.terminalsAvailable,
    quitButton: i.quitButton,
    notebookStartsKernel: true,
    // Statuses answering these do not move the kernel indicator (as LabApp passes the kernel manager's list).
    untracked_message_types: [...UNTRACKED_MESSAGE_TYPES],
    cacheFiles: true,
    devMode: false,
    buildAvailable: false,
    buildCheck: false,
    // Client code expects a JSON-encoded list (jupyterlab LabApp: json.dumps(version_info)).
    notebookVersion: JSON.stringify(v),
    federated_extensions: [],
    disabledExtensions: [...i.disabledExtensions],
    deferredExtensions: [],
    ignorePlugins: [],
    hubHost: '',
    hubPrefix: '',
    hubUser: '',
    hubServerName: '',
  };
}
