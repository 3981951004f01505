/**
 * The one place that reads argv, env and config files. Produces a frozen,
 * typed config; everything else receives slices of it.
 *
 * Precedence: command line > --config JSON file > jupyter_server_config.json
 * in JUPYTER_CONFIG_DIR (the common keys, for people migrating) > env
 * (JUPYTER_TOKEN) > defaults.
 */
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { configSchema, type ConfigFile } from './config-schema';
import { JupyterConfigError, readJupyterConfig } from './jupyter-config';
import { randomToken } from '@workbench/auth';

export { configJsonSchema, type ConfigFile } from './config-schema';

export interface WorkbenchConfig {
  readonly ip: string;
  readonly port: number;
  readonly rootDir: string;
  readonly token: string;
  readonly tokenGenerated: boolean;
  readonly openBrowser: boolean;
  readonly baseUrl: string;
  readonly defaultKernel: string | undefined;
  readonly runtimeDir: string;
  /** Per-user state (JupyterLab settings, workspaces, config sections): `<dataDir>/users/<user>/`. */
  readonly dataDir: string;
  readonly logLevel: string;
  readonly maxBodyBytes: number;
  /** Largest WebSocket message from a client; tornado's websocket_max_message_size default, 10 MiB. */
  readonly maxWsMessageBytes: number;
  readonly cors: { readonly allowOrigins: readonly string[]; readonly allowOriginPattern: string | undefined };
  /** Believe a reverse proxy's X-Forwarded-* headers (see config-schema.ts). */
  readonly trustXheaders: boolean;
  readonly sql: {
    /** Relative to the root unless absolute. */
    readonly warehouse: string;
    readonly connectionsFile: string | undefined;
    readonly secretsFile: string | undefined;
    readonly maxRows: number;
  };
  readonly catalog: {
    /** 0: discovery only on demand. */
    readonly refreshIntervalMinutes: number;
  };
  readonly pipelines: {
    readonly enabled: boolean;
    readonly slots: number;
    readonly leaseMs: number;
    readonly pollMs: number;
    readonly runsDir: string;
    readonly smtp: { readonly host: string; readonly port: number; readonly secure: boolean; readonly user: string | undefined; readonly passwordFile: string | undefined; readonly from: string } | undefined;
    readonly publicUrl: string | undefined;
  };
  readonly documents: {
    readonly enabled: boolean;
    readonly workers: boolean;
    readonly dir: string;
    readonly ocrConnection: string | undefined;
    readonly odooConnection: string | undefined;
    readonly confidenceThreshold: number;
    readonly autoApprove: boolean;
    readonly fourEyes: Readonly<Record<string, string>>;
    readonly maxBytes: number;
    readonly maxPages: number;
    readonly postingLeaseMs: number;
  };
  readonly lab: {
    /** The lab-ui build folder; undefined: lab-ui's default (`lab-ui/build`). */
    readonly buildDir: string | undefined;
    readonly exposeAppInBrowser: boolean;
    readonly disabledExtensions: readonly string[];
  };
  readonly terminals: {
    readonly enabled: boolean;
    /** Shell command line; undefined: $SHELL, else /bin/bash, else /bin/sh. */
    readonly shell: string | undefined;
  };
  readonly contents: {
    readonly allowHidden: boolean;
    readonly maxFileBytes: number;
    readonly stripOutputs: boolean;
    readonly autosaveDebounceS: number;
    readonly autosaveMaxDelayS: number;
    readonly versioning: boolean;
  };
  readonly kernels: {
    readonly maxKernels: number;
    readonly maxKernelsPerUser: number;
    readonly launchTimeoutS: number;
    readonly restartLimit: number;
    readonly shutdownWaitS: number;
    readonly cullIdleTimeoutS: number;
    readonly cullIntervalS: number;
    readonly cullConnected: boolean;
    readonly cullBusy: boolean;
    readonly envInherit: readonly string[] | undefined;
    readonly envAllow: readonly string[] | undefined;
    readonly bufferMaxMessages: number;
    readonly bufferMaxBytes: number;
    readonly bufferTtlS: number;
    readonly clientMaxBufferBytes: number;
    readonly heartbeatIntervalS: number;
    readonly heartbeatMisses: number;
    readonly launcher: 'local' | 'kubernetes';
    readonly pool: Readonly<Record<string, number>>;
    /** When not empty, only these kernelspecs are listed and startable (jupyter_client's allowed_kernelspecs). */
    readonly allowedKernelspecs: readonly string[];
  };
  /** The metadata store: PostgreSQL when `url` is set, else the SQLite file. */
  readonly database: { readonly url: string | undefined; readonly sqlitePath: string };
  /** A configured key file for secrets at rest (undefined: the environment or the default file). */
  readonly secrets: { readonly keyFile: string | undefined };
  /** Whether audit records go through the journal (server/audit/src/journal.ts): by default on the embedded store only. */
  readonly audit: { readonly journal: boolean };
  readonly collaboration: {
    readonly enabled: boolean;
    readonly diskCheckS: number;
    readonly saveDelayS: number;
  };
  /** Per-project Python environments (server/environments). */
  readonly environments: {
    readonly enabled: boolean;
    readonly dir: string;
    readonly indexUrl: string | undefined;
    readonly extraIndexUrls: readonly string[];
    readonly buildTimeoutS: number;
    /** Unneeded environments are deleted after this many unused days; 0 keeps them. */
    readonly keepDays: number;
  };
  readonly sandbox: {
    readonly mode: 'bubblewrap' | 'none';
    readonly onMissing: 'refuse' | 'unsandboxed';
    readonly network: boolean;
    readonly uid: number;
    readonly gid: number;
    readonly hostUid: number | undefined;
    readonly hostGid: number | undefined;
    readonly readOnlyPaths: readonly string[];
    /** As written ("4Gi"); parsed by the kernel manager. */
    readonly memoryLimit: string | number | undefined;
    readonly cpusLimit: number | undefined;
    readonly pidsLimit: number | undefined;
    readonly maxMemoryLimit: string | number | undefined;
    readonly maxCpusLimit: number | undefined;
  };
  readonly auth: {
    /** SSO (OpenID Connect); undefined: not configured. */
    readonly oidc: OidcConfig | undefined;
  };
  /** The `kubernetes` section as written (the Kubernetes launcher reads it). */
  readonly kubernetes: NonNullable<ConfigFile['kubernetes']>;
}

export interface OidcConfig {
  readonly issuer: string;
  readonly clientId: string;
  /** From the config file, else WORKBENCH_OIDC_CLIENT_SECRET; undefined: a public client. */
  readonly clientSecret: string | undefined;
  readonly scopes: readonly string[] | undefined;
  readonly groupsClaim: string | undefined;
  readonly roleMapping: Readonly<Record<string, readonly ('viewer' | 'analyst' | 'engineer' | 'admin')[]>>;
  readonly defaultRoles: readonly ('viewer' | 'analyst' | 'engineer' | 'admin')[];
  readonly allowInsecureHttp: boolean;
  readonly sessionMaxAgeS: number;
  /** undefined: derived from the server's own URL once it listens. */
  readonly redirectUri: string | undefined;
  readonly postLogoutRedirectUri: string | undefined;
}

export const ENV_OIDC_CLIENT_SECRET = 'WORKBENCH_OIDC_CLIENT_SECRET';

function isLoopbackHost(hostname: string): boolean {
  return hostname === '127.0.0.1' || hostname === '[::1]' || hostname === 'localhost';
}

/** auth.oidc as the server uses it, with the checks the schema cannot make; a ConfigError naming the key otherwise. */
export function resolveOidcConfig(file: NonNullable<ConfigFile['auth']>['oidc'], env: NodeJS.ProcessEnv): OidcConfig | undefined {
  if (!file) return undefined;
  const issuer = new URL(file.issuer);
  if (issuer.protocol !== 'https:' && issuer.protocol !== 'http:') throw new ConfigError(`Cannot use auth.oidc.issuer ${file.issuer}: must be an https URL`);
  if (issuer.protocol === 'http:' && !isLoopbackHost(issuer.hostname) && file.allow_insecure_http !== true) {
    throw new ConfigError(`Cannot use auth.oidc.issuer ${file.issuer}: must be https (plain http is allowed only on loopback, or with auth.oidc.allow_insecure_http for testing)`);
  }
  if (issuer.search || issuer.hash) throw new ConfigError(`Cannot use auth.oidc.issuer ${file.issuer}: must not have a query or fragment`);
  const defaultRoles = file.default_roles ?? [];
  if (Object.keys(file.role_mapping).length === 0 && defaultRoles.length === 0) {
    throw new ConfigError('Cannot use auth.oidc: role_mapping is empty and there are no default_roles, so nobody could sign in; map at least one group to a role');
  }
  for (const [name, value] of [['redirect_uri', file.redirect_uri], ['post_logout_redirect_uri', file.post_logout_redirect_uri]] as const) {
    if (value !== undefined && !/^https?:$/.test(new URL(value).protocol)) throw new ConfigError(`Cannot use auth.oidc.${name} ${value}: must be an http(s) URL`);
  }
  const envSecret = env[ENV_OIDC_CLIENT_SECRET];
  return {
    issuer: file.issuer,
    clientId: file.client_id,
    clientSecret: file.client_secret ?? (envSecret ? envSecret : undefined),
    scopes: file.scopes,
    groupsClaim: file.groups_claim,
    roleMapping: file.role_mapping,
    defaultRoles,
    allowInsecureHttp: file.allow_insecure_http ?? false,
    sessionMaxAgeS: file.session_max_age_s ?? 8 * 3600,
    redirectUri: file.redirect_uri,
    postLogoutRedirectUri: file.post_logout_redirect_uri,
  };
}

export const USAGE = `Usage: workbench [options]

  --ip ADDR              address to listen on (default 127.0.0.1)
  --port N               port (default 8888; 0 picks a free one)
  --root-dir DIR         workspace folder (default ./workspace, created if missing)
  --token TOKEN          auth token (else $JUPYTER_TOKEN, else generated)
  --base-url PATH        URL prefix (default /)
  --default-kernel NAME  default kernelspec name
  --config FILE          JSON config file (keys as in the README)
  --no-browser           do not open a browser
  --log-level LEVEL      trace|debug|info|warn|error (default info)
  -h, --help             this help
`;

export class ConfigError extends Error {}

function readConfigFile(path: string): ConfigFile {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new ConfigError(`Cannot read config file ${path}: ${(err as Error).message}`);
  }
  const r = configSchema.safeParse(json);
  if (!r.success) {
    const i = r.error.issues[0]!;
    throw new ConfigError(`Cannot use config file ${path}: ${i.path.join('.') || '(root)'}: ${i.message}`);
  }
  return r.data;
}

export interface ParsedArgs {
  help: boolean;
  config: WorkbenchConfig;
}

export function loadConfig(argv: readonly string[], env: NodeJS.ProcessEnv, cwd: string): ParsedArgs {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        ip: { type: 'string' },
        port: { type: 'string' },
        'root-dir': { type: 'string' },
        token: { type: 'string' },
        'base-url': { type: 'string' },
        'default-kernel': { type: 'string' },
        config: { type: 'string' },
        'no-browser': { type: 'boolean' },
        'log-level': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (err) {
    throw new ConfigError(`${(err as Error).message}\n\n${USAGE}`);
  }
  let jupyter: ConfigFile;
  try {
    jupyter = readJupyterConfig(env);
  } catch (err) {
    if (err instanceof JupyterConfigError) throw new ConfigError(err.message);
    throw err;
  }
  const file = typeof values.config === 'string' ? readConfigFile(resolve(cwd, values.config)) : {};
  const pick = <K extends keyof ConfigFile>(k: K): ConfigFile[K] | undefined => file[k] ?? jupyter[k];
  const kf = { ...(jupyter.kernels ?? {}), ...(file.kernels ?? {}) };

  let port = pick('port') ?? 8888;
  if (typeof values.port === 'string') {
    port = Number(values.port);
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new ConfigError(`Cannot use --port ${values.port}: must be an integer from 0 to 65535`);
  }
  const cliToken = typeof values.token === 'string' ? values.token : undefined;
  const configured = cliToken ?? pick('token') ?? env.JUPYTER_TOKEN;
  const token = configured && configured.length > 0 ? configured : randomToken();
  let baseUrl = (values['base-url'] as string | undefined) ?? pick('base_url') ?? '/';
  if (!baseUrl.startsWith('/')) baseUrl = '/' + baseUrl;
  if (!baseUrl.endsWith('/')) baseUrl += '/';
  const pattern = pick('allow_origin_pat');
  if (pattern) {
    try {
      new RegExp(pattern);
    } catch {
      throw new ConfigError(`Cannot use allow_origin_pat ${JSON.stringify(pattern)}: not a valid regular expression`);
    }
  }
  const dataDir = resolve(cwd, file.data_dir ?? env.WORKBENCH_DATA_DIR ?? join(env.XDG_DATA_HOME ?? join(homedir(), '.local', 'share'), 'workbench'));

  const config: WorkbenchConfig = {
    ip: (values.ip as string | undefined) ?? pick('ip') ?? '127.0.0.1',
    port,
    rootDir: resolve(cwd, (values['root-dir'] as string | undefined) ?? pick('root_dir') ?? 'workspace'),
    token,
    tokenGenerated: !configured,
    openBrowser: values['no-browser'] ? false : (pick('open_browser') ?? true),
    baseUrl,
    defaultKernel: (values['default-kernel'] as string | undefined) ?? pick('default_kernel'),
    runtimeDir: resolve(pick('runtime_dir') ?? env.JUPYTER_RUNTIME_DIR ?? join(dataDir, 'runtime')),
    dataDir,
    logLevel: (values['log-level'] as string | undefined) ?? pick('log_level') ?? 'info',
    maxBodyBytes: pick('max_body_bytes') ?? 100 * 1024 * 1024,
    maxWsMessageBytes: pick('ws_max_message_bytes') ?? 10 * 1024 * 1024,
    cors: { allowOrigins: pick('allow_origin') ?? [], allowOriginPattern: pattern },
    trustXheaders: pick('trust_xheaders') ?? false,
    sql: {
      warehouse: file.sql?.warehouse ?? 'warehouse.duckdb',
      connectionsFile: file.sql?.connections_file ? resolve(cwd, file.sql.connections_file) : undefined,
      secretsFile: file.sql?.secrets_file ? resolve(cwd, file.sql.secrets_file) : undefined,
      maxRows: file.sql?.max_rows ?? 1000,
    },
    catalog: {
      refreshIntervalMinutes: file.catalog?.refresh_interval_minutes ?? 60,
    },
    pipelines: {
      enabled: file.pipelines?.enabled ?? true,
      slots: file.pipelines?.slots ?? 4,
      leaseMs: Math.round((file.pipelines?.lease_seconds ?? 30) * 1000),
      pollMs: file.pipelines?.poll_ms ?? 2000,
      runsDir: file.pipelines?.runs_dir ?? 'pipeline-runs',
      smtp: file.pipelines?.smtp?.host
        ? {
            host: file.pipelines.smtp.host,
            port: file.pipelines.smtp.port ?? 587,
            secure: file.pipelines.smtp.secure ?? false,
            user: file.pipelines.smtp.user,
            passwordFile: file.pipelines.smtp.password_file ? resolve(cwd, file.pipelines.smtp.password_file) : undefined,
            from: file.pipelines.smtp.from ?? 'workbench@localhost',
          }
        : undefined,
      publicUrl: file.pipelines?.public_url,
    },
    documents: {
      enabled: file.documents?.enabled ?? true,
      workers: file.documents?.workers ?? true,
      dir: resolve(cwd, file.documents?.dir ?? join(dataDir, 'documents')),
      ocrConnection: file.documents?.ocr_connection,
      odooConnection: file.documents?.odoo_connection,
      confidenceThreshold: file.documents?.confidence_threshold ?? 0.85,
      autoApprove: file.documents?.auto_approve ?? true,
      fourEyes: file.documents?.four_eyes ?? { '*': '1000' },
      maxBytes: file.documents?.max_bytes ?? 25 * 1024 * 1024,
      maxPages: file.documents?.max_pages ?? 20,
      postingLeaseMs: Math.round((file.documents?.posting_lease_seconds ?? 300) * 1000),
    },
    lab: {
      buildDir: file.lab?.build_dir ? resolve(cwd, file.lab.build_dir) : undefined,
      exposeAppInBrowser: file.lab?.expose_app_in_browser ?? false,
      disabledExtensions: file.lab?.disabled_extensions ?? [],
    },
    terminals: {
      enabled: file.terminals?.enabled ?? true,
      shell: file.terminals?.shell,
    },
    contents: {
      allowHidden: file.contents?.allow_hidden ?? jupyter.contents?.allow_hidden ?? false,
      maxFileBytes: file.contents?.max_file_bytes ?? 1024 * 1024 * 1024,
      stripOutputs: file.contents?.strip_outputs ?? false,
      autosaveDebounceS: file.contents?.autosave_debounce_s ?? 30,
      autosaveMaxDelayS: file.contents?.autosave_max_delay_s ?? 300,
      versioning: file.contents?.versioning ?? true,
    },
    kernels: {
      maxKernels: kf.max_kernels ?? 200,
      maxKernelsPerUser: kf.max_kernels_per_user ?? 200,
      launchTimeoutS: kf.launch_timeout_s ?? 60,
      restartLimit: kf.restart_limit ?? 5,
      shutdownWaitS: kf.shutdown_wait_s ?? 5,
      cullIdleTimeoutS: kf.cull_idle_timeout ?? 0,
      cullIntervalS: kf.cull_interval ?? 300,
      cullConnected: kf.cull_connected ?? false,
      cullBusy: kf.cull_busy ?? false,
      envInherit: kf.env_inherit,
      envAllow: kf.env_allow,
      bufferMaxMessages: kf.buffer_max_messages ?? 10_000,
      bufferMaxBytes: kf.buffer_max_bytes ?? 64 * 1024 * 1024,
      bufferTtlS: kf.buffer_ttl_s ?? 600,
      clientMaxBufferBytes: kf.client_max_buffer_bytes ?? 64 * 1024 * 1024,
      heartbeatIntervalS: kf.heartbeat_interval_s ?? 5,
      heartbeatMisses: kf.heartbeat_misses ?? 3,
      launcher: kf.launcher ?? 'local',
      pool: kf.pool ?? {},
      allowedKernelspecs: kf.allowed_kernelspecs ?? [],
    },
    database: {
      url: file.database?.url ?? env.WORKBENCH_DATABASE_URL,
      sqlitePath: resolve(cwd, file.database?.sqlite_path ?? join(dataDir, 'workbench.db')),
    },
    secrets: { keyFile: file.secrets?.key_file ? resolve(cwd, file.secrets.key_file) : undefined },
    audit: { journal: file.audit?.journal ?? (file.database?.url ?? env.WORKBENCH_DATABASE_URL) === undefined },
    collaboration: {
      enabled: file.collaboration?.enabled ?? true,
      diskCheckS: file.collaboration?.disk_check_s ?? 5,
      saveDelayS: file.collaboration?.save_delay_s ?? 1,
    },
    environments: {
      enabled: file.environments?.enabled ?? true,
      dir: resolve(cwd, file.environments?.dir ?? join(dataDir, 'envs')),
      indexUrl: file.environments?.index_url,
      extraIndexUrls: [file.environments?.extra_index_url ?? []].flat(),
      buildTimeoutS: file.environments?.build_timeout_s ?? 900,
      keepDays: file.environments?.keep_days ?? 14,
    },
    sandbox: {
      mode: file.sandbox?.mode ?? (process.platform === 'linux' ? 'bubblewrap' : 'none'),
      onMissing: file.sandbox?.on_missing ?? 'refuse',
      network: file.sandbox?.network ?? false,
      uid: file.sandbox?.uid ?? 1000,
      gid: file.sandbox?.gid ?? file.sandbox?.uid ?? 1000,
      hostUid: file.sandbox?.host_uid,
      hostGid: file.sandbox?.host_gid ?? file.sandbox?.host_uid,
      readOnlyPaths: (file.sandbox?.read_only_paths ?? []).map((p) => resolve(cwd, p)),
      memoryLimit: file.sandbox?.memory_limit ?? '4Gi',
      cpusLimit: file.sandbox?.cpus_limit,
      pidsLimit: file.sandbox?.pids_limit ?? 1024,
      maxMemoryLimit: file.sandbox?.max_memory_limit,
      maxCpusLimit: file.sandbox?.max_cpus_limit,
    },
    auth: { oidc: resolveOidcConfig(file.auth?.oidc, env) },
    kubernetes: file.kubernetes ?? {},
  };
  return { help: Boolean(values.help), config: deepFreeze(config) };
}

function deepFreeze<T>(o: T): T {
  if (o && typeof o === 'object') {
    for (const v of Object.values(o)) deepFreeze(v);
    Object.freeze(o);
  }
  return o;
}
