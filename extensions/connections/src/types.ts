/**
 * The JSON of Workbench's connections API, as the client sees it. Mirrors
 * `server/connections/src/connection-spec.ts` (`ConnectionModel`, the
 * PostgreSQL settings schema) and `postgres-connection.ts` (`TestResult`),
 * served by `server/http/src/routes/connections.ts`. This package runs in
 * the browser, so it does not import them.
 */

export type ConnectionKind = 'postgres';

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

export interface CredentialState {
  /** Whether a credential is stored (never the credential itself). */
  stored: boolean;
  /** The version in use, or null. */
  version: number | null;
  /** A staged rotation's version, or null. */
  pending_version: number | null;
}

/** A connection as `GET api/connections` lists it. */
export interface ConnectionModel {
  name: string;
  kind: ConnectionKind;
  description: string;
  settings: PostgresSettings;
  credential: CredentialState;
  /** ISO 8601. */
  created: string;
  created_by: string | null;
  updated: string;
  updated_by: string | null;
}

export interface PostgresCredential {
  password: string;
}

/** `POST api/connections`. */
export interface NewConnection {
  name: string;
  kind: ConnectionKind;
  description?: string;
  settings: PostgresSettings;
  credential?: PostgresCredential;
}

/** `PATCH api/connections/:name` (the credential changes by rotation). */
export interface ConnectionPatch {
  description?: string;
  settings?: PostgresSettings;
}

/** `POST api/connections/test`: a form's settings before they are saved. */
export interface ConnectionDraft {
  kind: ConnectionKind;
  settings: PostgresSettings;
  credential?: PostgresCredential;
}

/** Where a test stopped ('ok' when it did not). */
export type TestStage = 'dns' | 'network' | 'timeout' | 'tls' | 'auth' | 'database' | 'schema' | 'permission' | 'query' | 'ok';

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
  /** The server's version string, once connected. */
  server?: string;
  schemas?: SchemaCheck[];
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
