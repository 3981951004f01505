/**
 * The config file's schema (zod): every key Workbench reads, with its type.
 * Unknown keys are an error. Defaults and the resolved config are in
 * config.ts; the Helm chart's `config` values are checked against
 * `configJsonSchema()`.
 */
import { z } from 'zod';

/** The four Workbench roles (server/auth's OIDC_ROLES; repeated here so the schema has no runtime import). */
const ROLE = z.enum(['viewer', 'analyst', 'engineer', 'admin']);

/** An http(s) URL. A pattern rather than zod's url(): the Helm values schema is generated from this one, and its validator knows no "uri" format. */
const httpUrl = z.string().regex(/^https?:\/\/[^\s/?#]+[^\s]*$/, 'must be an http:// or https:// URL');

export const configSchema = z
  .object({
    ip: z.string(),
    port: z.number().int().min(0).max(65535),
    root_dir: z.string(),
    token: z.string(),
    open_browser: z.boolean(),
    base_url: z.string(),
    default_kernel: z.string(),
    runtime_dir: z.string(),
    data_dir: z.string(),
    log_level: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']),
    max_body_bytes: z.number().int().positive(),
    ws_max_message_bytes: z.number().int().positive(),
    allow_origin: z.array(z.string()),
    allow_origin_pat: z.string(),
    /** Behind a TLS-terminating reverse proxy: trust its X-Forwarded-* / X-Real-Ip / X-Scheme headers (client address in the audit log, Secure cookies). jupyter_server's ServerApp.trust_xheaders. */
    trust_xheaders: z.boolean(),
    sql: z
      .object({
        warehouse: z.string(),
        connections_file: z.string(),
        secrets_file: z.string(),
        max_rows: z.number().int().positive(),
      })
      .partial()
      .strict(),
    catalog: z
      .object({
        /** Discover every source again this often (0: only on demand). */
        refresh_interval_minutes: z.number().int().min(0).max(10080),
      })
      .partial()
      .strict(),
    pipelines: z
      .object({
        /** Work the pipeline queue in this process (false: this replica only serves the API). */
        enabled: z.boolean(),
        /** Tasks this process runs at once. */
        slots: z.number().int().min(1).max(256),
        /** A running task's lease: a worker that stops renewing it (killed) loses the task after this long. */
        lease_seconds: z.number().min(1).max(3600),
        /** How often to look at the shared queue for other replicas' changes (milliseconds). */
        poll_ms: z.number().int().min(50).max(60000),
        /** Workspace folder of run outputs (one folder per run). */
        runs_dir: z.string().min(1),
        /** Outgoing email for notifications. */
        smtp: z
          .object({
            host: z.string().min(1),
            port: z.number().int().min(1).max(65535),
            /** TLS from the start (port 465); otherwise STARTTLS when the server offers it. */
            secure: z.boolean(),
            user: z.string(),
            /** A file holding the SMTP password (never the password itself in config). */
            password_file: z.string(),
            from: z.string().min(3),
          })
          .partial()
          .strict(),
        /** Public URL of Workbench for links in notifications. */
        public_url: z.string().regex(/^https?:\/\/[^\s]+$/, 'must be an http(s) URL'),
      })
      .partial()
      .strict(),
    documents: z
      .object({
        /** Receive, read and post documents in this server (false: the routes are not there). */
        enabled: z.boolean(),
        /** Read documents in this process (false: this replica only serves the API). */
        workers: z.boolean(),
        /** Where files and page images are kept; default <data_dir>/documents. */
        dir: z.string().min(1),
        /** Read documents with an OCR service (PRD §6.3: POST /api/v1/extract) through this connection of kind rest, instead of the built-in tesseract. */
        ocr_connection: z.string().min(1),
        /** The connection of kind odoo bills are matched against and posted to. */
        odoo_connection: z.string().min(1),
        /** A required field read below this confidence (0..1) waits for a person. */
        confidence_threshold: z.number().min(0).max(1),
        /** Approve confident, clean documents without a person. */
        auto_approve: z.boolean(),
        /** Currency -> amount at or over which the approver must not be who uploaded or corrected it; "*" for the others. */
        four_eyes: z.record(z.string().regex(/^([A-Z]{3}|\*)$/, 'must be an ISO 4217 code or *'), z.string().regex(/^\d{1,12}(\.\d{1,2})?$/, 'must be an amount')),
        max_bytes: z.number().int().min(1024).max(1024 * 1024 * 1024),
        max_pages: z.number().int().min(1).max(500),
        /** A posting this old is taken over by another worker (a crashed one's). */
        posting_lease_seconds: z.number().min(1).max(86400),
      })
      .partial()
      .strict(),
    lab: z
      .object({
        build_dir: z.string(),
        expose_app_in_browser: z.boolean(),
        disabled_extensions: z.array(z.string()),
      })
      .partial()
      .strict(),
    terminals: z
      .object({
        enabled: z.boolean(),
        shell: z.string().min(1),
      })
      .partial()
      .strict(),
    contents: z
      .object({
        allow_hidden: z.boolean(),
        max_file_bytes: z.number().int().positive(),
        strip_outputs: z.boolean(),
        autosave_debounce_s: z.number().min(0),
        autosave_max_delay_s: z.number().min(0),
        versioning: z.boolean(),
      })
      .partial()
      .strict(),
    kernels: z
      .object({
        max_kernels: z.number().int().positive(),
        max_kernels_per_user: z.number().int().positive(),
        launch_timeout_s: z.number().positive(),
        restart_limit: z.number().int().min(0),
        shutdown_wait_s: z.number().positive(),
        cull_idle_timeout: z.number().min(0),
        cull_interval: z.number().positive(),
        cull_connected: z.boolean(),
        cull_busy: z.boolean(),
        env_inherit: z.array(z.string()),
        env_allow: z.array(z.string()),
        buffer_max_messages: z.number().int().positive(),
        buffer_max_bytes: z.number().int().positive(),
        buffer_ttl_s: z.number().positive(),
        client_max_buffer_bytes: z.number().int().positive(),
        heartbeat_interval_s: z.number().min(0),
        heartbeat_misses: z.number().int().positive(),
        /** Default launcher: "local" (sandboxed child processes) or "kubernetes" (pods). A kernelspec may pick its own. */
        launcher: z.enum(['local', 'kubernetes']),
        /** Pre-started kernels kept idle per kernelspec name ({"python3": 2}): start-to-idle in milliseconds. */
        pool: z.record(z.string(), z.number().int().min(0).max(50)),
        /** When not empty, only these kernelspec names are listed and can be started (jupyter_client's KernelSpecManager.allowed_kernelspecs). */
        allowed_kernelspecs: z.array(z.string()),
      })
      .partial()
      .strict(),
    database: z
      .object({
        /** PostgreSQL for the metadata store (users, tokens, audit, secrets, ...): several gateway replicas share it. Absent: SQLite. */
        url: z.string().regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL'),
        /** The embedded SQLite file when no url is set (default <data_dir>/workbench.db). */
        sqlite_path: z.string(),
      })
      .partial()
      .strict(),
    audit: z
      .object({
        /** Audit records go through a journal in data_dir, flushed before each answer and copied into the store in batches (default: true on the embedded store, false on PostgreSQL; set true there only when data_dir is on a persistent volume). */
        journal: z.boolean(),
      })
      .partial()
      .strict(),
    secrets: z
      .object({
        /** Key file for secrets at rest (else WORKBENCH_SECRET_KEY_FILE, WORKBENCH_SECRET_KEY, or <data_dir>/secret-keys.json, created on first start). */
        key_file: z.string(),
      })
      .partial()
      .strict(),
    collaboration: z
      .object({
        /** Real-time collaboration (JupyterLab's docprovider talks to /api/collaboration); off: single-user documents. */
        enabled: z.boolean(),
        /** How often open shared documents are compared with their files on disk (git checkout, other editors), in seconds; 0: never. */
        disk_check_s: z.number().min(0),
        /** Quiet time before a shared document is saved to its file, in seconds. */
        save_delay_s: z.number().min(0),
      })
      .partial()
      .strict(),
    /** Per-project Python environments (server/environments): a folder's requirements.txt or pyproject.toml. */
    environments: z
      .object({
        /** false: Python kernels always run in their kernelspec's interpreter. */
        enabled: z.boolean(),
        /** Where the environments are kept (default <data_dir>/envs). */
        dir: z.string(),
        /** The package index for builds and %pip (a company mirror), pip's --index-url / PIP_INDEX_URL. */
        index_url: httpUrl,
        /** More indexes searched too (--extra-index-url / PIP_EXTRA_INDEX_URL). */
        extra_index_url: z.union([httpUrl, z.array(httpUrl)]),
        /** Longest an environment build may take, in seconds. */
        build_timeout_s: z.number().positive(),
        /** Environments no project needs any more (superseded requirements, project gone) are deleted once unused this many days; 0 keeps them. Checked daily. */
        keep_days: z.number().min(0),
      })
      .partial()
      .strict(),
    sandbox: z
      .object({
        /** "bubblewrap": namespaces + cgroups (default on Linux); "none": plain child processes. */
        mode: z.enum(['bubblewrap', 'none']),
        /** When the sandbox tools are missing: refuse to start kernels, or run them unsandboxed (said loudly at start). */
        on_missing: z.enum(['refuse', 'unsandboxed']),
        /** Network for kernels (off: only ZeroMQ over ipc sockets reaches them). */
        network: z.boolean(),
        /** The uid/gid a kernel sees itself as. */
        uid: z.number().int().min(1),
        gid: z.number().int().min(1),
        /** When the server runs as root: the unprivileged uid/gid kernels run as on the host. */
        host_uid: z.number().int().min(1),
        host_gid: z.number().int().min(1),
        /** Extra host paths visible read-only inside the sandbox. */
        read_only_paths: z.array(z.string()),
        /** Defaults when neither kernelspec nor request says ("2Gi", "512Mi", "1G", bytes as a number). */
        memory_limit: z.union([z.string(), z.number().int().positive()]),
        cpus_limit: z.number().positive(),
        pids_limit: z.number().int().positive(),
        /** Policy caps on what a request (KERNEL_MEMORY_LIMIT, KERNEL_CPUS_LIMIT...) may ask for. */
        max_memory_limit: z.union([z.string(), z.number().int().positive()]),
        max_cpus_limit: z.number().positive(),
      })
      .partial()
      .strict(),
    auth: z
      .object({
        /** SSO through an OpenID Connect provider (Authorization Code + PKCE). Token login keeps working beside it. */
        oidc: z
          .object({
            /** The provider's issuer URL (discovery reads <issuer>/.well-known/openid-configuration); https, or http on loopback / with allow_insecure_http. */
            issuer: httpUrl,
            client_id: z.string().min(1),
            /** Else WORKBENCH_OIDC_CLIENT_SECRET; absent both: a public client (PKCE only). */
            client_secret: z.string().min(1).optional(),
            /** Default openid, profile, email (+ the groups claim's scope when the provider advertises one). */
            scopes: z.array(z.string().min(1)).optional(),
            /** The claim carrying groups (default "groups"; a dotted path such as "realm_access.roles" works). */
            groups_claim: z.string().min(1).optional(),
            /** Group -> Workbench roles ({"finance-analysts": ["analyst"]}). A user whose groups map to no role (and no default_roles) is refused. */
            role_mapping: z.record(z.string(), z.array(ROLE)),
            /** Roles everyone who signs in gets (default none). */
            default_roles: z.array(ROLE).optional(),
            /** Allow a plain-http issuer that is not loopback (testing only). */
            allow_insecure_http: z.boolean().optional(),
            /** How long an SSO session lasts at most, in seconds (default 28800, 8 hours); the provider's tokens are refreshed within it. */
            session_max_age_s: z.number().int().positive().optional(),
            /** The callback URL registered at the provider (default <this server's URL>auth/oidc/callback; set it behind a proxy). */
            redirect_uri: httpUrl.optional(),
            /** Where the provider sends the browser after logout (default the login page next to redirect_uri); must be registered there too. */
            post_logout_redirect_uri: httpUrl.optional(),
          })
          .strict(),
      })
      .partial()
      .strict(),
    kubernetes: z
      .object({
        /** Namespace of kernel pods (shared), or the prefix of per-user namespaces. */
        namespace: z.string().min(1),
        namespace_per_user: z.boolean(),
        /** Image per kernelspec name, and the fallback. */
        images: z.record(z.string(), z.string()),
        default_image: z.string(),
        image_pull_policy: z.enum(['Always', 'IfNotPresent', 'Never']),
        service_account: z.string(),
        /** PVC holding the workspace, mounted into every kernel pod. */
        workspace_pvc: z.string(),
        workspace_mount_path: z.string(),
        launch_timeout_s: z.number().positive(),
        /** "in-cluster", or a kubeconfig path. */
        kubeconfig: z.string(),
        gpu_resource: z.string(),
        node_selector: z.record(z.string(), z.string()),
        /** Leave kernel pods running when the gateway stops, for the next one to adopt (default true); false deletes them. */
        keep_kernels_on_shutdown: z.boolean(),
      })
      .partial()
      .strict(),
  })
  .partial()
  .strict();

/** The config file's JSON Schema (the Helm chart's `config` values are checked against it). */
export function configJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(configSchema) as Record<string, unknown>;
}

export type ConfigFile = z.infer<typeof configSchema>;
