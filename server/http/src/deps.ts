import type { Logger } from '@workbench/core';
import type { IdentityProvider } from '@workbench/auth';
import type { KernelManager, KernelSpecManager, SessionManager } from '@workbench/manager';
import type { CorsConfig } from './auth-middleware';
import type { ContentsManager } from '@workbench/contents';
import type { VersionInfo } from '@workbench/git';

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
  startedAt: Date;
  maxBodyBytes: number;
  /** Per-client WebSocket send buffer above which a client is "too slow" and asked to reconnect. */
  maxClientBufferBytes: number;
  /** Reply to `POST /api/shutdown` (admin). */
  requestShutdown: () => void;
}
