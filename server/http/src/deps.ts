import type { Logger } from '@workbench/core';
import type { ApiTokens, IdentityProvider, SsoSessions, UserAdmin } from '@workbench/auth';
import type { ConnectionManager } from '@workbench/connections';
import type { KernelManager, KernelSpecManager, SessionManager } from '@workbench/manager';
import type { CorsConfig } from './auth-middleware';
import type { ContentsManager, EventBus, FrontendConfigStore, SettingsStore, WorkspaceStore } from '@workbench/contents';
import type { VersionInfo } from '@workbench/git';
import type { LabAssets } from '@workbench/lab-ui';
import type { TerminalManager } from '@workbench/terminals';
import type { CollaborationService } from '@workbench/collab';
import type { AuditLog } from '@workbench/audit';
import type { Catalog } from '@workbench/catalog';
import type { PipelineService } from '@workbench/pipelines';
import type { DocumentService, IntakeSources } from '@workbench/documents';
import type { TemplateLibrary } from '@workbench/templates';
import type { EnvironmentManager } from '@workbench/environments';
import type { DependencyAnalyzer } from '@workbench/dependencies';

/** The JupyterLab application and the per-user state it keeps on the server. */
export interface LabDeps {
  /** The current build (re-read when it changes), or undefined while the UI is not built. */
  assets(): LabAssets | undefined;
  /** Shown on the "not built" page: how to build the UI. */
  buildHint: string;
  /** PageConfig serverRoot: the workspace root on disk. */
  serverRoot: string;
  /** PageConfig exposeAppInBrowser (window.jupyterapp, for browser automation). */
  exposeAppInBrowser: boolean;
  disabledExtensions: readonly string[];
  settings: SettingsStore;
  workspaces: WorkspaceStore;
}

/** What the HTTP face needs, handed in by server/app. */
export interface HttpDeps {
  kernels: KernelManager;
  sessions: SessionManager;
  specs: KernelSpecManager;
  /** The workspace's files; optional so a pure kernel gateway can run without one. */
  contents?: ContentsManager;
  /** Version history (git) of the workspace. */
  history?: {
    versions(path: string, limit?: number): Promise<VersionInfo[]>;
    contentAt(path: string, version: string): Promise<Buffer>;
  };
  identity: IdentityProvider;
  logger: Logger;
  /** Always starts and ends with "/". */
  baseUrl: string;
  version: string;
  cors: CorsConfig;
  /** Behind a TLS-terminating proxy: believe its X-Real-Ip/X-Forwarded-For and X-Scheme/X-Forwarded-Proto (jupyter_server's trust_xheaders). */
  trustXheaders?: boolean;
  startedAt: Date;
  maxBodyBytes: number;
  /** Largest WebSocket message a client may send (jupyter_server/tornado: 10 MiB); bigger ones close with 1009. */
  maxWsMessageBytes: number;
  /** Per-client WebSocket send buffer above which a client is "too slow" and asked to reconnect. */
  maxClientBufferBytes: number;
  /** Reply to `POST /api/shutdown` (admin). */
  requestShutdown: () => void;
  /** /lab, its static files, settings, workspaces, themes; absent: /lab says the UI is not available. */
  lab?: LabDeps;
  /** /api/config sections, per user. */
  frontendConfig?: FrontendConfigStore;
  /** /api/events and its WebSocket. */
  events?: EventBus;
  /** Terminals; absent when disabled (their endpoints then answer 404, as jupyter_server without terminals). */
  terminals?: TerminalManager;
  /** Personal API tokens (`/api/tokens`); absent: the routes answer 404. */
  apiTokens?: ApiTokens;
  /** Users and roles (/api/users), with the metadata store. */
  users?: UserAdmin;
  /** Connections to outside systems (/api/connections). */
  connections?: ConnectionManager;
  /** The data catalog (/api/catalog); absent: the routes are not there. */
  catalog?: Catalog;
  /** Pipelines and runs (/api/pipelines, /api/runs); absent: the routes are not there. */
  pipelines?: PipelineService;
  /** Receipts and vendor bills (/api/documents, /api/intake); absent: the routes are not there. */
  documents?: { service: DocumentService; sources: IntakeSources };
  /** Per-project Python environments (/api/environments); absent when disabled. */
  environments?: EnvironmentManager;
  /** The templates library (/api/templates); absent: the routes are not there. */
  templates?: TemplateLibrary;
  /** Cell dependency analysis (/api/dependencies/analyze); absent: the route is not there. */
  dependencies?: DependencyAnalyzer;
  /** The audit log: data actions are recorded before they happen (see audit-hook.ts); absent: nothing is recorded. */
  audit?: AuditLog;
  /** SSO login (auth.oidc); absent when not configured (the routes are then not there). Its sessions are resolved through `identity.sessions`. */
  sso?: SsoSessions;
  /** Real-time collaboration; absent when disabled (its endpoints then answer 404). */
  collaboration?: CollaborationService;
}
