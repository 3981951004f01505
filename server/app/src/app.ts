/**
 * The composition root: builds every part from the frozen config, wires
 * them, listens, and disposes everything in reverse on shutdown.
 */
import { mkdir } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import pino from 'pino';
import { DisposableStore, isAppError, Logger, toAsyncDisposable } from '@workbench/core';
import { ConnectionManager } from '@workbench/connections';
import { Catalog } from '@workbench/catalog';
import type { PipelineService } from '@workbench/pipelines';
import { createPipelines } from './pipelines';
import { createDocuments } from './documents';
import { ApiTokens, ExtraUser, IdentityProvider, makeUser, type User, randomToken, RolePolicy, SsoSessions, UserAdmin } from '@workbench/auth';
import { CollaborationService, contentsPortFor, COLLABORATION_PLUGINS } from '@workbench/collab';
import { createHttpServer, HttpServer } from '@workbench/http';
import { buildKernelEnv, DEFAULT_ENV_POLICY, jupyterKernelDirs, KernelManager, KernelSpecManager, parseMemory, PythonResolver, ResourcePolicy, SessionManager } from '@workbench/manager';
import { LauncherRegistry } from '@workbench/launcher';
import { LocalLauncher } from '@workbench/launcher-local';
import { KubernetesLauncher } from '@workbench/launcher-k8s';
import { ContentsManager, EventBus, FrontendConfigStore, GitVersionStore, publishContentsEvents, SettingsStore, UserFiles, WorkspaceStore } from '@workbench/contents';
import { GitRepository } from '@workbench/git';
import { defaultBuildDir } from '@workbench/lab-ui';
import { resolveShell, TerminalManager } from '@workbench/terminals';
import { KernelLanguageInfoRepository, openStore, UserRepository, type MetadataStore, type User as StoredUser } from '@workbench/store';
import { KeyRing, REDACTED, redactingLogger, resolveKeySource, SecretStore, StoreSecretStorage } from '@workbench/secrets';
import { AuditLog } from '@workbench/audit';
import type { DocumentService } from '@workbench/documents';
import { contentsModelReader, DependencyAnalyzer, withNotebookAnalysis } from '@workbench/dependencies';
import { TemplateLibrary } from '@workbench/templates';
import { contentsTemplateWorkspace } from './template-workspace';
import { EnvironmentManager } from '@workbench/environments';
import { auditJournalPath } from './audit-journal';
import { builtinKernelSpecs } from './builtin-kernels';
import type { WorkbenchConfig } from './config';
import { labAssetsSource } from './lab-assets-source';
import { randomBytes } from 'node:crypto';

export const VERSION = '2.14.2'; // the jupyter_server REST API level we implement


/** The `workbench` Python package kernels import (kernels/python). */
const PYTHON_HELPERS = resolve(__dirname, '..', '..', '..', 'kernels', 'python');
/** Templates shipped with the product (month-end close, ...). */
const TEMPLATES = resolve(__dirname, '..', '..', '..', 'templates');
export interface Workbench extends AsyncDisposable {
  readonly port: number;
  readonly url: string;
  readonly config: WorkbenchConfig;
  readonly kernels: KernelManager;
  readonly contents: ContentsManager;
  readonly versions: GitVersionStore | undefined;
  readonly http: HttpServer;
  /** Undefined when terminals are disabled. */
  readonly terminals: TerminalManager | undefined;
  readonly events: EventBus;
  readonly logger: Logger;
  /** The metadata store (users, tokens, audit, secrets, ...). */
  readonly metadata: MetadataStore;
  readonly secrets: SecretStore;
  readonly audit: AuditLog;
  readonly connections: ConnectionManager;
  /** The data catalog (discovery, search, previews, usage, lineage). */
  readonly catalog: Catalog;
  /** Pipelines, their runs and the queue worker. */
  readonly pipelines: PipelineService;
  /** Receipts and vendor bills; undefined when documents.enabled is false. */
  readonly documents: DocumentService | undefined;
  /** Resolves when someone asked the server to stop (POST /api/shutdown). */
  readonly shutdownRequested: Promise<void>;
}

export interface WorkbenchOptions {
  env?: NodeJS.ProcessEnv;
  logger?: Logger;
  /** More token users with their own roles, for programs that embed the server (and tests). */
  users?: readonly ExtraUser[];
  /** Which roles may use which resources (default: DEFAULT_ROLE_POLICY). */
  rolePolicy?: RolePolicy;
  /** Epoch ms for login cookies and SSO sessions (tests move it forward). Default Date.now. */
  clock?: () => number;
  /** Transport to the OIDC provider (default the global fetch). */
  oidcFetch?: typeof fetch;
}

export function createLogger(level: string): Logger {
  return pino({ level, base: { name: 'workbench' }, timestamp: pino.stdTimeFunctions.isoTime }, pino.destination({ dest: 2, sync: false })) as unknown as Logger;
}

export async function startWorkbench(config: WorkbenchConfig, options: WorkbenchOptions = {}): Promise<Workbench> {
  const env = options.env ?? process.env;
  const baseLogger = options.logger ?? createLogger(config.logLevel);
  const store = new DisposableStore();
  try {
    await mkdir(config.rootDir, { recursive: true });
    // The metadata store, secrets and the audit log come first: everything after records through them,
    // and they are disposed last.
    const metadata = store.add(await openStore({ url: config.database.url, sqlitePath: config.database.sqlitePath, logger: baseLogger }));
    const keyRing = store.add(await KeyRing.open(resolveKeySource({ env, configuredFile: config.secrets.keyFile, defaultFile: join(config.dataDir, 'secret-keys.json') }), { logger: baseLogger }));
    const secrets = store.add(await SecretStore.open({ storage: new StoreSecretStorage(metadata), keyRing, logger: baseLogger }));
    // No known secret value reaches the log, whatever a message or field carries (the OIDC client secret included).
    const clientSecret = config.auth.oidc?.clientSecret;
    const logger = redactingLogger(baseLogger, (text) => {
      const redacted = secrets.redact(text);
      return clientSecret ? redacted.split(clientSecret).join(REDACTED) : redacted;
    });
    // On the embedded store records go through a journal beside the database (server/audit/src/journal.ts); what a crash left there is copied now.
    // On PostgreSQL (audit.journal set) the journal lives in data_dir: each replica has its own.
    const audit = store.add(await AuditLog.open({ store: metadata, logger, journal: config.audit.journal && { path: auditJournalPath(config) } }));
    // Pools to outside systems close before the store their settings and credentials come from.
    const connections = store.add(new ConnectionManager({ store: metadata, secrets, logger: logger.child({ component: 'connections' }), clock: options.clock }));
    // The catalog stops (its refreshes aborted) before the connections it reads through.
    const catalog = store.add(new Catalog({ store: metadata, connections, warehousePath: resolve(config.rootDir, config.sql.warehouse), logger: logger.child({ component: 'catalog' }), clock: options.clock, refreshIntervalMs: config.catalog.refreshIntervalMinutes * 60_000, workspaceRoot: config.rootDir }));
    await catalog.start();
    const python = new PythonResolver(['python3', '/usr/bin/python3', '/usr/local/bin/python3', 'python']);
    const specs = new KernelSpecManager({
      dirs: jupyterKernelDirs(env),
      builtin: builtinKernelSpecs({
        warehouse: resolve(config.rootDir, config.sql.warehouse),
        connectionsFile: config.sql.connectionsFile ?? (existsSync(join(config.rootDir, '.workbench', 'connections.json')) ? join(config.rootDir, '.workbench', 'connections.json') : undefined),
        secretsFile: config.sql.secretsFile,
        maxRows: config.sql.maxRows,
      }),
      transform: (s) => python.transform(s),
      defaultName: config.defaultKernel,
      allowed: config.kernels.allowedKernelspecs,
      logger,
    });
    const launchers = new LauncherRegistry(config.kernels.launcher);
    const sb = config.sandbox;
    const local = new LocalLauncher({
      runtimeDir: config.runtimeDir,
      logger,
      sandbox:
        sb.mode === 'none'
          ? undefined
          : { mode: sb.mode, onMissing: sb.onMissing, network: sb.network, uid: sb.uid, gid: sb.gid, hostUid: sb.hostUid, hostGid: sb.hostGid, readOnlyPaths: [...sb.readOnlyPaths, PYTHON_HELPERS], workspace: config.rootDir },
    });
    launchers.register(local);
    const kc = config.kubernetes;
    let k8s: KubernetesLauncher | undefined;
    if (config.kernels.launcher === 'kubernetes' || kc.namespace !== undefined) {
      // Kernels as pods (default launcher, or per kernelspec with metadata.workbench.launcher "kubernetes").
      if (!kc.default_image && !kc.images) throw new Error('Cannot use the Kubernetes launcher: set kubernetes.default_image (or kubernetes.images per kernelspec)');
      k8s = store.add(
          new KubernetesLauncher({
            namespace: kc.namespace ?? 'workbench',
            namespacePerUser: kc.namespace_per_user ?? false,
            images: kc.images,
            defaultImage: kc.default_image ?? '',
            imagePullPolicy: kc.image_pull_policy,
            serviceAccount: kc.service_account,
            workspace: kc.workspace_pvc ? { pvc: kc.workspace_pvc, mountPath: kc.workspace_mount_path ?? '/home/jovyan/work', root: config.rootDir } : undefined,
            gpuResource: kc.gpu_resource,
            nodeSelector: kc.node_selector,
            launchTimeoutMs: kc.launch_timeout_s === undefined ? undefined : kc.launch_timeout_s * 1000,
            kubeconfig: kc.kubeconfig,
            keepKernelsOnShutdown: kc.keep_kernels_on_shutdown,
            logger,
          }),
        );
      launchers.register(k8s);
    }
    const sandboxStatus = await local.sandboxStatus();
    if (!sandboxStatus) logger.warn({}, 'kernel sandbox: off (sandbox.mode "none"): kernels run as plain processes with the server\'s rights');
    else if (sandboxStatus.active) logger.info({ problems: sandboxStatus.problems }, sandboxStatus.summary);
    else if (sandboxStatus.refuse) logger.error({ problems: sandboxStatus.problems }, sandboxStatus.summary);
    else logger.warn({ problems: sandboxStatus.problems }, sandboxStatus.summary);
    const resourcePolicy: ResourcePolicy = {
      defaults: {
        memoryLimitBytes: sb.memoryLimit === undefined ? undefined : parseMemory(sb.memoryLimit, 'sandbox.memory_limit'),
        cpusLimit: sb.cpusLimit,
        pidsLimit: sb.pidsLimit,
      },
      max: {
        memoryLimitBytes: sb.maxMemoryLimit === undefined ? undefined : parseMemory(sb.maxMemoryLimit, 'sandbox.max_memory_limit'),
        cpusLimit: sb.maxCpusLimit,
      },
    };
    const k = config.kernels;
    // What every kernel is told. WORKBENCH_API_URL (the server itself, over loopback) lets code in a
    // kernel query the server's connections as its owner, signing with the kernel's own key; with
    // port 0 it is known, and added here, once the server listens.
    const ownHost = ['0.0.0.0', '::', '', 'localhost'].includes(config.ip) ? '127.0.0.1' : config.ip.includes(':') ? `[${config.ip}]` : config.ip;
    const loopback = (port: number) => `http://${ownHost}:${port}${config.baseUrl}`;
    const kernelEnv: Record<string, string> = {
      WORKBENCH_WAREHOUSE: resolve(config.rootDir, config.sql.warehouse),
      ...(config.port ? { WORKBENCH_API_URL: loopback(config.port) } : {}),
      // `import workbench` in Python kernels (kernels/python: workbench.connect("odoo")).
      PYTHONPATH: [PYTHON_HELPERS, env.PYTHONPATH].filter(Boolean).join(':'),
    };
    // Python kernels of notebooks in a project folder run in its own environment (disposed after the kernels).
    const environments = config.environments.enabled
      ? store.add(new EnvironmentManager({ rootDir: config.rootDir, envsDir: config.environments.dir, indexUrl: config.environments.indexUrl, extraIndexUrls: config.environments.extraIndexUrls, env, logger: logger.child({ component: 'environments' }), buildTimeoutMs: config.environments.buildTimeoutS * 1000, now: options.clock, locks: { hold: (name, signal) => metadata.holdLock(name, signal), tryHold: (name) => metadata.tryHoldLock(name) } }))
      : undefined;
    if (environments && config.environments.keepDays > 0) environments.schedulePrune(config.environments.keepDays * 24 * 60 * 60_000);
    const kernels = new KernelManager({
      specs,
      launchers,
      rootDir: config.rootDir,
      logger,
      serverEnv: env,
      // Every kernel can find the shared warehouse; TypeScript kernels can require the
      // project's @duckdb/node-api to read it (see README, "Reaching the warehouse").
      kernelEnv,
      envPolicy: { inherit: k.envInherit ?? DEFAULT_ENV_POLICY.inherit, allowFromRequest: k.envAllow ?? DEFAULT_ENV_POLICY.allowFromRequest },
      maxKernels: k.maxKernels,
      maxKernelsPerUser: k.maxKernelsPerUser,
      culling: { idleTimeoutS: k.cullIdleTimeoutS, intervalS: k.cullIntervalS, connected: k.cullConnected, busy: k.cullBusy },
      launchTimeoutMs: k.launchTimeoutS * 1000,
      restartLimit: k.restartLimit,
      shutdownWaitMs: k.shutdownWaitS * 1000,
      buffer: { maxMessages: k.bufferMaxMessages, maxBytes: k.bufferMaxBytes, ttlMs: k.bufferTtlS * 1000 },
      heartbeat: { intervalMs: k.heartbeatIntervalS * 1000, timeoutMs: Math.min(3000, k.heartbeatIntervalS * 1000), misses: k.heartbeatMisses },
      resources: resourcePolicy,
      pool: k.pool,
      prepareKernel: environments?.prepareKernel,
      // What template installs write as language_info, after a restart too (templates README).
      languageInfoStore: new KernelLanguageInfoRepository(metadata.db, options.clock ?? Date.now),
    });
    store.add(kernels);
    if (k8s) {
      // Kernel pods outlive a gateway rollout: take back every one still running.
      for (const found of await k8s.discover()) {
        try {
          const proc = await k8s.restore(found.snapshot);
          if (!proc) continue;
          await kernels.adopt({ id: found.kernelId, name: found.kernelName, owner: found.user ?? 'unknown', key: found.connection.key, process: proc, launcher: k8s.name });
        } catch (err) {
          logger.warn({ kernel_id: found.kernelId, err: err instanceof Error ? err.message : String(err) }, 'could not adopt a running kernel pod');
        }
      }
    }
    const sessions = new SessionManager(kernels);
    let versions: GitVersionStore | undefined;
    if (config.contents.versioning) {
      const repo = store.add(await GitRepository.open({ root: config.rootDir, committer: { name: 'Workbench', email: 'workbench@localhost' }, logger }));
      versions = store.add(
        new GitVersionStore({
          repo,
          root: config.rootDir,
          stripOutputs: config.contents.stripOutputs,
          autosaveDebounceMs: config.contents.autosaveDebounceS * 1000,
          autosaveMaxDelayMs: config.contents.autosaveMaxDelayS * 1000,
          logger,
        }),
      );
    }
    const contents = new ContentsManager({ root: config.rootDir, allowHidden: config.contents.allowHidden, maxFileBytes: config.contents.maxFileBytes, versions, logger });
    store.add({ [Symbol.dispose]: () => contents.dispose() });
    const events = new EventBus({ logger });
    store.add({ [Symbol.dispose]: () => events.dispose() });
    store.add(publishContentsEvents(contents, events, logger));
    const pipelines = await createPipelines({ config, disposables: store, store: metadata, contents, kernels, audit, secrets, logger, clock: options.clock });
    const documents = config.documents.enabled ? createDocuments({ config, store: metadata, secrets, connections, audit, logger, now: options.clock }) : undefined;
    if (documents) {
      store.add(documents.service);
      await documents.service.start();
    }
    // `%build_models` folders are read through the Contents API (its path checks), relative to the notebook the request names.
    const dependencies = store.add(new DependencyAnalyzer({ readModels: contentsModelReader(contents) }));
    const templates = new TemplateLibrary({
      shippedDir: TEMPLATES,
      store: metadata,
      workspace: contentsTemplateWorkspace(contents),
      connections: async (name) => {
        try {
          return { kind: (await connections.get(name)).kind };
        } catch (err) {
          if (isAppError(err, 'not_found')) return undefined;
          throw err;
        }
      },
      now: options.clock,
      // Installed notebooks carry what JupyterLab would write when their kernel connects, so they open unmodified.
      kernelMetadata: (name) => kernels.notebookMetadata(name),
      prepareNotebook: (path, text) => withNotebookAnalysis(text, (cells) => dependencies.analyzeNotebook(cells, { path })),
      logger: logger.child({ component: 'templates' }),
    });
    const oidc = config.auth.oidc;
    const sso = oidc
      ? store.add(
          new SsoSessions({
            store: metadata,
            keyRing,
            client: {
              issuer: oidc.issuer,
              clientId: oidc.clientId,
              clientSecret: oidc.clientSecret,
              scopes: oidc.scopes,
              groupsClaim: oidc.groupsClaim,
              roleMapping: oidc.roleMapping,
              defaultRoles: oidc.defaultRoles,
              allowInsecureHttp: oidc.allowInsecureHttp,
              fetch: options.oidcFetch,
            },
            sessionMaxAgeMs: oidc.sessionMaxAgeS * 1000,
            // The token users' names: an SSO user may not pass for them.
            reservedUsernames: ['workbench', ...(options.users ?? []).map((u) => u.username)],
            clock: options.clock,
            logger,
          }),
        )
      : undefined;
    const apiTokens = new ApiTokens({ store: metadata, clock: options.clock });
    const storedUsers = new UserRepository(metadata.db, { clock: { now: options.clock ?? Date.now } });
    const identity: IdentityProvider = new IdentityProvider({
      apiTokens,
      token: config.token,
      cookieSecret: randomBytes(32),
      cookieName: `workbench-${randomToken(4)}`,
      cookieMaxAgeS: 14 * 24 * 3600,
      extraUsers: options.users,
      rolePolicy: options.rolePolicy,
      sessions: sso,
      // Code in a kernel calls the API as the kernel's owner, signing with the kernel's own key (no token in its env).
      kernelKeys: async (kernelId): Promise<{ key: string; user: User } | undefined> => {
        if (!kernels.has(kernelId)) return undefined;
        const k = kernels.get(kernelId);
        const user: User | StoredUser | undefined = identity.tokenUser(k.owner) ?? (await storedUsers.getByUsername(k.owner));
        if (!user) return undefined;
        if ('disabledAt' in user) return user.disabledAt === null ? { key: k.signingKey, user: makeUser(user.username, user.roles, user.displayName) } : undefined;
        return { key: k.signingKey, user };
      },
      clock: options.clock,
    });
    const users = new UserAdmin({ store: metadata, configuredUsernames: () => identity.tokenUsernames, clock: options.clock });
    const userFiles = new UserFiles(join(config.dataDir, 'users'));
    const buildDir = config.lab.buildDir ?? defaultBuildDir;
    const assets = labAssetsSource(buildDir, logger);
    let terminals: TerminalManager | undefined;
    if (config.terminals.enabled) {
      const shell = resolveShell(config.terminals.shell, env.SHELL, !process.stdout.isTTY);
      terminals = store.add(
        new TerminalManager({
          shell,
          rootDir: config.rootDir,
          // The same allow-list as kernels: the server's token and secrets never reach a shell.
          env: terminalEnv(env, k.envInherit ?? DEFAULT_ENV_POLICY.inherit, { SHELL: shell[0]!, JUPYTER_SERVER_ROOT: config.rootDir, WORKBENCH_WAREHOUSE: resolve(config.rootDir, config.sql.warehouse) }),
          logger,
        }),
      );
    }
    let collaboration: CollaborationService | undefined;
    if (config.collaboration.enabled) {
      const collab = store.add(new CollaborationService({ dataDir: join(config.dataDir, 'collaboration'), contents: contentsPortFor(contents), saveDelayMs: config.collaboration.saveDelayS * 1000, logger }));
      collaboration = collab;
      // Shared documents follow their files: renames, deletes, and changes made elsewhere (REST
      // saves, version restores; a git checkout on disk is caught by the periodic check).
      const follow = contents.onDidChange((e) => {
        const done = (p: Promise<void>) => p.catch((err: unknown) => logger.warn({ path: e.path, err: err instanceof Error ? err.message : String(err) }, 'collaboration could not follow a file change'));
        if (e.type === 'renamed') collab.moved(e.oldPath, e.path);
        else if (e.type === 'deleted') void done(collab.deleted(e.path));
        else void done(collab.reloadFromDisk(e.path));
      });
      store.add(follow);
      if (config.collaboration.diskCheckS > 0) {
        const timer = setInterval(() => void collab.checkDisk().catch(() => undefined), config.collaboration.diskCheckS * 1000);
        timer.unref();
        store.add({ [Symbol.dispose]: () => clearInterval(timer) });
      }
    }
    let requestShutdown!: () => void;
    const shutdownRequested = new Promise<void>((r) => (requestShutdown = r));
    const http = createHttpServer({
      kernels,
      sessions,
      specs,
      contents,
      history: versions,
      identity,
      logger,
      baseUrl: config.baseUrl,
      version: VERSION,
      cors: { allowOrigins: config.cors.allowOrigins, allowOriginPattern: config.cors.allowOriginPattern ? new RegExp(config.cors.allowOriginPattern) : undefined },
      trustXheaders: config.trustXheaders,
      startedAt: new Date(),
      maxBodyBytes: config.maxBodyBytes,
      maxWsMessageBytes: config.maxWsMessageBytes,
      maxClientBufferBytes: k.clientMaxBufferBytes,
      requestShutdown: () => requestShutdown(),
      lab: {
        assets,
        buildHint: config.lab.buildDir ? `npm run build --workspace lab-ui    # or set lab.build_dir to a built copy (now ${buildDir})` : 'npm run build --workspace lab-ui',
        serverRoot: config.rootDir,
        exposeAppInBrowser: config.lab.exposeAppInBrowser,
        // RTC off: the collaboration plugins stay out of the page (JupyterLab then uses the plain drive).
        disabledExtensions: config.collaboration.enabled ? config.lab.disabledExtensions : [...config.lab.disabledExtensions, ...COLLABORATION_PLUGINS],
        settings: new SettingsStore({ files: userFiles, schemasDir: () => assets()?.schemasDir, logger }),
        workspaces: new WorkspaceStore(userFiles),
      },
      frontendConfig: new FrontendConfigStore(userFiles),
      events,
      terminals,
      collaboration,
      audit,
      sso,
      apiTokens,
      users,
      connections,
      catalog,
      pipelines,
      documents,
      dependencies,
      templates,
      environments,
    });
    // Close HTTP first (stop taking work), then terminals and kernels (added earlier, disposed later).
    store.add(http);
    const port = await http.listen(config.port, config.ip);
    kernelEnv.WORKBENCH_API_URL = loopback(port);
    // Kernels without network reach the server here (bound into their sandbox by the local launcher).
    const apiSocket = await local.apiSocketPath();
    await http.listenUnix(apiSocket).catch((err: unknown) => logger.warn({ path: apiSocket, err: String(err) }, 'kernels without network cannot reach the server: its Unix socket could not be opened (a runtime_dir path under 100 characters fixes a too-long path)'));
    const host = config.ip.includes(':') ? `[${config.ip}]` : config.ip === '0.0.0.0' ? '127.0.0.1' : config.ip;
    const url = `http://${host}:${port}${config.baseUrl}lab?token=${config.token}`;
    if (sso && oidc) {
      // The callback URL is known once we listen (port 0); behind a proxy auth.oidc.redirect_uri names the public one.
      const redirectUri = oidc.redirectUri ?? `http://${host}:${port}${config.baseUrl}auth/oidc/callback`;
      const status = await sso.start({ redirectUri, postLogoutRedirectUri: oidc.postLogoutRedirectUri ?? new URL(`${config.baseUrl}login`, redirectUri).href });
      if (status.state === 'ready') logger.info({ issuer: oidc.issuer, redirect_uri: redirectUri }, 'SSO is ready');
    }
    logger.info({ root_dir: config.rootDir, port, kernels: [...(await specs.list()).keys()], lab_ui: assets()?.version ?? `not built (${buildDir})`, terminals: config.terminals.enabled }, 'Workbench is running');
    store.add(toAsyncDisposable(() => logger.info({}, 'Workbench stopped')));
    return {
      port,
      url,
      config,
      kernels,
      contents,
      versions,
      http,
      terminals,
      events,
      logger,
      metadata,
      secrets,
      audit,
      connections,
      catalog,
      pipelines,
      documents: documents?.service,
      shutdownRequested,
      [Symbol.asyncDispose]: () => store[Symbol.asyncDispose](),
    };
  } catch (err) {
    await store[Symbol.asyncDispose]();
    throw err;
  }
}

/** A shell's environment: the allow-listed server variables, sane defaults, then ours. */
function terminalEnv(serverEnv: NodeJS.ProcessEnv, inherit: readonly string[], extra: Record<string, string>): Record<string, string> {
  const { env } = buildKernelEnv({ policy: { inherit, allowFromRequest: [] }, serverEnv, extra });
  env.PATH ??= '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
  env.HOME ??= homedir();
  env.LANG ??= 'C.UTF-8';
  env.TERM = 'xterm-256color';
  return env;
}
