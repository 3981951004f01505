/**
 * The JSON of Workbench's connections API, as the client sees it. Mirrors
 * `server/connections/src/connection-spec.ts` (`ConnectionModel`), the
 * settings and credential schemas of `server/connections/src/kinds/*.ts`
 * and `test-result.ts` (`TestResult`), served by
 * `server/http/src/routes/connections.ts`. This package runs in the
 * browser, so it does not import them.
 */

export const CONNECTION_KINDS = ['postgres', 'duckdb', 'rest', 's3', 'sftp', 'superset', 'odoo'] as const;
export type ConnectionKind = (typeof CONNECTION_KINDS)[number];

/** disable: plain TCP; require: TLS, any certificate; verify-full: TLS, certificate and host name checked. */
export type SslMode = 'disable' | 'require' | 'verify-full';

export interface PoolSettings {
  max: number;
  idle_timeout_s: number;
  statement_timeout_s: number;
  connect_timeout_s: number;
}

/** PostgreSQL settings: nothing secret. */
export interface PostgresSettings {
  host: string;
  port: number;
  database: string;
  user: string;
  ssl: SslMode;
  /** PEM, for verify-full against a private CA. */
  ca?: string;
  schemas: string[];
  pool: PoolSettings;
}

/** A DuckDB database file on the server; no credential (access is the file system's). */
export interface DuckDbSettings {
  /** Absolute. */
  path: string;
  read_only: boolean;
  schemas: string[];
}

export type RestAuthType = 'none' | 'bearer' | 'basic' | 'api_key' | 'oauth2_client_credentials';

/** How a REST connection authenticates; the secret itself is the credential. */
export type RestAuth =
  | { type: 'none' }
  | { type: 'bearer' }
  | { type: 'basic'; username: string }
  | { type: 'api_key'; header: string }
  | { type: 'oauth2_client_credentials'; token_url: string; client_id: string; scopes: string[]; token_auth: 'basic' | 'post' };

export interface RestSettings {
  base_url: string;
  auth: RestAuth;
  /** What Test requests (GET), relative to base_url. */
  health_path: string;
  /** Sent with every request; not secret. */
  headers: Record<string, string>;
  ca?: string;
  timeouts: { connect_s: number; request_s: number };
  retry: { attempts: number; base_ms: number; cap_ms: number; max_retry_after_s: number };
}

/** S3-compatible storage: a bucket and the prefix the connection is for. */
export interface S3Settings {
  /** An S3-compatible server's URL; absent: AWS S3 in `region`. */
  endpoint?: string;
  region: string;
  bucket: string;
  prefix: string;
  force_path_style: boolean;
  ca?: string;
  timeouts: { connect_s: number; request_s: number };
  max_attempts: number;
}

export interface SftpSettings {
  host: string;
  port: number;
  username: string;
  /** The connection's folder, absolute or relative to the login folder. */
  root: string;
  /** "SHA256:<base64>" as `ssh-keygen -lf` prints it; absent: any host key is accepted. */
  host_key_fingerprint?: string;
  timeouts: { connect_s: number };
}

/** Superset as a publish target: who logs in, and the Superset database (over the serving PostgreSQL) whose datasets are published. */
export interface SupersetSettings {
  /** Superset's root URL (no /api/v1). */
  url: string;
  username: string;
  /** Flask-AppBuilder's login provider. */
  provider: SupersetProvider;
  /** The Superset database's database_name. */
  database: string;
}

export type SupersetProvider = 'db' | 'ldap';

export type OdooProtocol = 'jsonrpc' | 'xmlrpc';

/** Odoo through its external API: where, which database, who logs in, and the company documents are posted in. */
export interface OdooSettings {
  /** Odoo's root URL (where /jsonrpc and /xmlrpc/2 are). */
  url: string;
  /** The Odoo database. */
  database: string;
  /** The user's login. */
  login: string;
  protocol: OdooProtocol;
  /** res.company id, sent as context allowed_company_ids; absent: the user's default company. */
  company_id?: number;
}

export interface PostgresCredential {
  password: string;
}

/** Exactly one, the one the auth type needs (bearer: token, basic: password, api_key: api_key, oauth2: client_secret). */
export type RestCredential = { token: string } | { password: string } | { api_key: string } | { client_secret: string };

export interface S3Credential {
  access_key_id: string;
  secret_access_key: string;
}

export type SftpCredential = { password: string } | { private_key: string; passphrase?: string };

export interface SupersetCredential {
  password: string;
}

/** An Odoo API key, or the user's password. */
export interface OdooCredential {
  api_key: string;
}

/** Each kind's settings and credential (`never`: the kind takes none). */
export interface KindShapes {
  postgres: { settings: PostgresSettings; credential: PostgresCredential };
  duckdb: { settings: DuckDbSettings; credential: never };
  rest: { settings: RestSettings; credential: RestCredential };
  s3: { settings: S3Settings; credential: S3Credential };
  sftp: { settings: SftpSettings; credential: SftpCredential };
  superset: { settings: SupersetSettings; credential: SupersetCredential };
  odoo: { settings: OdooSettings; credential: OdooCredential };
}
export type SettingsOf<K extends ConnectionKind> = KindShapes[K]['settings'];
export type CredentialOf<K extends ConnectionKind> = KindShapes[K]['credential'];
export type ConnectionSettings = SettingsOf<ConnectionKind>;
export type ConnectionCredential = CredentialOf<ConnectionKind>;

/** A kind with its settings, discriminated by `kind`. */
export type KindSettings = { [K in ConnectionKind]: { kind: K; settings: SettingsOf<K> } }[ConnectionKind];

export interface CredentialState {
  /** Whether a credential is stored (never the credential itself). */
  stored: boolean;
  /** The version in use, or null. */
  version: number | null;
  /** A staged rotation's version, or null. */
  pending_version: number | null;
}

export interface ConnectionBase {
  name: string;
  description: string;
  credential: CredentialState;
  /** ISO 8601. */
  created: string;
  created_by: string | null;
  updated: string;
  updated_by: string | null;
}

/** A connection as `GET api/connections` lists it; discriminated by `kind`. */
export type ConnectionModel = ConnectionBase & KindSettings;

/**
 * A listed connection of a kind this client does not know (a newer
 * server's): its settings are not read, it is shown read-only, and it is
 * managed through the API. `kind` is 'unsupported' so that the known kinds
 * stay a closed union; the server's own kind is `server_kind`.
 */
export interface UnsupportedConnection extends ConnectionBase {
  kind: 'unsupported';
  server_kind: string;
}

/** What the list holds: connections of the known kinds, and any of kinds this client does not know. */
export type ListedConnection = ConnectionModel | UnsupportedConnection;

/** `POST api/connections`. */
export type NewConnection = KindSettings & {
  name: string;
  description?: string;
  credential?: ConnectionCredential;
};

/** `PATCH api/connections/:name` (the credential changes by rotation; the kind never changes). */
export interface ConnectionPatch {
  description?: string;
  settings?: ConnectionSettings;
}

/** `POST api/connections/test`: a form's settings before they are saved. */
export type ConnectionDraft = KindSettings & { credential?: ConnectionCredential };

/**
 * Where a test stopped ('ok' when it did not). hostkey: the SSH host key is
 * not the pinned one; file: a DuckDB file missing, unreadable, not a
 * database or locked; not_found: a REST path, an S3 bucket, an SFTP folder.
 */
export type TestStage = 'dns' | 'network' | 'timeout' | 'tls' | 'hostkey' | 'auth' | 'file' | 'database' | 'schema' | 'not_found' | 'permission' | 'query' | 'ok';

export interface SchemaCheck {
  name: string;
  exists: boolean;
  /** Whether the role may use it (USAGE). */
  usage: boolean;
}

/** What `POST api/connections/:name/test` (and the draft test, stage and activate) answer. */
export interface TestResult {
  ok: boolean;
  stage: TestStage;
  message: string;
  elapsed_ms: number;
  /** The server's version or software, once connected (PostgreSQL, DuckDB, SSH server, HTTP `server` header). */
  server?: string;
  /** PostgreSQL and DuckDB. */
  schemas?: SchemaCheck[];
  /** REST: the HTTP status of the health request. */
  status?: number;
  /** SFTP: the server's host key, "SHA256:...", also when none is pinned (to pin it). */
  host_key_fingerprint?: string;
}

/** `POST api/connections/:name/rotate`: the staged credential and its test; the one in use keeps serving. */
export interface StagedRotation {
  connection: ConnectionModel;
  test: TestResult;
}

/** `POST api/connections/:name/rotate/activate`. */
export interface ActivatedRotation {
  connection: ConnectionModel;
  previous_version: number | null;
  version: number;
  test: TestResult;
}

/** What the signed-in user may do with connections (`GET api/me?permissions=`, the server's role policy). */
export interface ConnectionAbilities {
  /** See the list (viewer and up). */
  read: boolean;
  /** Test saved connections (analyst and up). */
  test: boolean;
  /** Add, change, delete, rotate, test a form (engineer and up). */
  write: boolean;
}
