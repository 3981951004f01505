/**
 * Test harness: a real Workbench on 127.0.0.1 port 0 with real kernels,
 * and @jupyterlab/services settings pointing at it (token in header and,
 * like VS Code, appended to URLs).
 */
import { appendFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import WebSocket from 'ws';
import { ServerConnection } from '@jupyterlab/services';
import './lumino-poll';
import { silentLogger, type Logger } from '@workbench/core';
import type { ExtraUser, RolePolicy } from '@workbench/auth';
import { loadConfig } from '../config';
import { AuditCoverage, type CoverageReport } from './audit-coverage';
import { startWorkbench, Workbench } from '../app';

export const TOKEN = 'test-token-0123456789';

export interface TestServer extends AsyncDisposable {
  wb: Workbench;
  baseUrl: string;
  rootDir: string;
  settings: ServerConnection.ISettings;
}

export interface TestServerOptions {
  /** More token users (e.g. one without the admin role). */
  users?: readonly ExtraUser[];
  /** Which roles may use which resources. */
  rolePolicy?: RolePolicy;
  /** Written as jupyter_server_config.json into the server's JUPYTER_CONFIG_DIR. */
  jupyterConfig?: object;
  /** The server's logger (default: silent, or pino with WB_TEST_LOG set). */
  logger?: Logger;
  /** The server's clock for login cookies and SSO sessions (epoch ms). */
  clock?: () => number;
  /**
   * Check at dispose that every data action the suite's clients took has
   * its audit record (testing/audit-coverage.ts). Default on; off only for
   * a suite that breaks or edits the audit log on purpose (say why).
   */
  auditCoverage?: boolean;
}

export async function startTestServer(extraArgs: string[] = [], env: NodeJS.ProcessEnv = process.env, configJson?: object, options: TestServerOptions = {}): Promise<TestServer> {
  const dir = await mkdtemp(join(tmpdir(), 'wb-test-'));
  const rootDir = join(dir, 'root');
  const args = ['--port', '0', '--no-browser', '--token', TOKEN, '--root-dir', rootDir, ...extraArgs];
  if (configJson) {
    await writeFile(join(dir, 'config.json'), JSON.stringify(configJson));
    args.push('--config', join(dir, 'config.json'));
  }
  if (options.jupyterConfig) {
    await mkdir(join(dir, 'jupyter-config'));
    await writeFile(join(dir, 'jupyter-config', 'jupyter_server_config.json'), JSON.stringify(options.jupyterConfig));
  }
  // Per-user state goes to the test's folder unless the config names a data_dir (to survive a restart).
  const { config } = loadConfig(args, { ...env, JUPYTER_RUNTIME_DIR: join(dir, 'runtime'), JUPYTER_CONFIG_DIR: join(dir, 'jupyter-config'), WORKBENCH_DATA_DIR: join(dir, 'data') }, dir);
  const wb = await startWorkbench(config, { env, logger: options.logger ?? (process.env.WB_TEST_LOG ? undefined : silentLogger), users: options.users, rolePolicy: options.rolePolicy, clock: options.clock });
  const baseUrl = `http://127.0.0.1:${wb.port}/`;
  const coverage = options.auditCoverage === false ? undefined : new AuditCoverage(wb);
  return {
    wb,
    baseUrl,
    rootDir: config.rootDir, // extraArgs may name another --root-dir
    settings: makeSettings(baseUrl),
    async [Symbol.asyncDispose]() {
      const report = await coverage?.report();
      coverage?.dispose();
      await wb[Symbol.asyncDispose]();
      await rm(dir, { recursive: true, force: true });
      if (report) {
        await recordCoverage(report);
        if (report.missing.length > 0) throw new Error(`${report.missing.length} data action(s) left no audit record:\n${report.missing.slice(0, 20).join('\n')}`);
      }
    },
  };
}

export function makeSettings(baseUrl: string, token = TOKEN): ServerConnection.ISettings {
  return ServerConnection.makeSettings({
    baseUrl,
    wsUrl: baseUrl.replace(/^http/, 'ws'),
    token,
    appendToken: true,
    WebSocket: WebSocket as unknown as typeof globalThis.WebSocket,
    fetch: globalThis.fetch,
    Request: globalThis.Request,
    Headers: globalThis.Headers,
  });
}

/** fetch against the server with the token header unless told otherwise. */
export function api(ts: TestServer, path: string, init: RequestInit & { token?: string | null } = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  if (init.token !== null) headers.set('Authorization', `token ${init.token ?? TOKEN}`);
  return fetch(ts.baseUrl + path.replace(/^\//, ''), { ...init, headers, redirect: 'manual' });
}

/** A route's path with example values for its parameters ("/api/kernels/:kernel_id" -> "api/kernels/x-kernel_id"). */
export function concretePath(path: string): string {
  return path
    .replace(/\{\/\*([A-Za-z_]+)\}/g, '/x-$1')
    .replace(/[:*]([A-Za-z_]+)/g, 'x-$1')
    .replace(/^\//, '');
}

const REPO = resolve(__dirname, '..', '..', '..', '..');

/** One line per test server in test-artifacts/audit-coverage.jsonl: the suite, the data actions it took, how many lacked a record. */
async function recordCoverage(report: CoverageReport): Promise<void> {
  const suite = relative(REPO, (expect.getState().testPath as string | undefined) ?? 'unknown');
  await mkdir(join(REPO, 'test-artifacts'), { recursive: true });
  await appendFile(join(REPO, 'test-artifacts', 'audit-coverage.jsonl'), JSON.stringify({ suite, requests: report.requests, executes: report.executes, missing: report.missing.length }) + '\n');
}
