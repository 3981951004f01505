/**
 * How connections and test results read on the panel, and the checks the
 * form applies before anything is sent. The checks mirror the server's
 * schema (`server/connections/src/connection-spec.ts`) so most mistakes are
 * named at once, beside their field; the server checks again and its 400
 * message is shown as is. Pure, testable in node.
 */
import type { ConnectionModel, CredentialState, PoolSettings, PostgresSettings, SslMode, TestResult, TestStage } from './types';

/** The server's defaults for a new PostgreSQL connection (host, database and user have none). */
export const DEFAULT_SETTINGS: Readonly<Omit<PostgresSettings, 'host' | 'database' | 'user'>> = {
  port: 5432,
  ssl: 'disable',
  schemas: ['public'],
  pool: { max: 5, idle_timeout_s: 30, statement_timeout_s: 300, connect_timeout_s: 10 },
};

/** The server's connection NAME pattern. */
export const NAME_PATTERN = /^[a-z][a-z0-9_-]{0,62}$/;

export const SSL_CHOICES: readonly { value: SslMode; label: string }[] = [
  { value: 'disable', label: 'No TLS' },
  { value: 'require', label: 'TLS, any certificate' },
  { value: 'verify-full', label: 'TLS, verify certificate and host' },
];

/** Short labels for the list. */
const SSL_SHORT: Record<SslMode, string> = { disable: 'no TLS', require: 'TLS', 'verify-full': 'TLS verified' };

export function sslLabel(ssl: SslMode): string {
  return SSL_SHORT[ssl];
}

/** "host:port/database"; IPv6 literals in brackets. */
export function formatAddress(s: Pick<PostgresSettings, 'host' | 'port' | 'database'>): string {
  const host = s.host.includes(':') ? `[${s.host}]` : s.host;
  return `${host}:${s.port}/${s.database}`;
}

/** "Password v2", "No password". */
export function credentialLabel(c: CredentialState): string {
  if (!c.stored || c.version === null) return 'No password';
  return `Password v${c.version}`;
}

/** "Rotation staged (v3)", or null when none is. */
export function rotationLabel(c: CredentialState): string | null {
  return c.pending_version === null ? null : `Rotation staged (v${c.pending_version})`;
}

export function sortConnections(list: readonly ConnectionModel[]): ConnectionModel[] {
  return [...list].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

const STAGE_LABELS: Record<TestStage, string> = {
  dns: 'DNS',
  network: 'Network',
  timeout: 'Timeout',
  tls: 'TLS',
  auth: 'Login',
  database: 'Database',
  schema: 'Schema',
  permission: 'Permission',
  query: 'Query',
  ok: 'OK',
};

/** Where a test stopped, as a label ("DNS", "Login"). */
export function stageLabel(stage: TestStage): string {
  return STAGE_LABELS[stage];
}

/** "Connected" or "Failed at DNS". */
export function verdictText(result: Pick<TestResult, 'ok' | 'stage'>): string {
  return result.ok ? 'Connected' : `Failed at ${stageLabel(result.stage)}`;
}

/** "38 ms", "1.2 s", "12 s". */
export function formatElapsed(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = ms / 1000;
  return s < 10 ? `${s.toFixed(1)} s` : `${Math.round(s)} s`;
}

/** "PostgreSQL 16.4" out of `select version()`'s long string (the whole one goes in a tooltip). */
export function shortServerVersion(version: string): string {
  const m = /^(\S+ \d+(?:\.\d+)*(?:\w+)?)/.exec(version.trim());
  return m ? m[1]! : version.trim();
}

// ------------------------------------------------------------------ form

/** The form's inputs, as text. */
export interface FormValues {
  name: string;
  description: string;
  host: string;
  port: string;
  database: string;
  user: string;
  ssl: string;
  ca: string;
  /** Comma or newline separated. */
  schemas: string;
  max: string;
  idle_timeout_s: string;
  statement_timeout_s: string;
  connect_timeout_s: string;
  /** Empty: none sent. */
  password: string;
}

export type FormField = keyof FormValues;

/** What the form shows for a new connection (the server's defaults) or one being edited (its settings; never a password). */
export function formValues(connection?: ConnectionModel): FormValues {
  const s = connection?.settings;
  const pool: PoolSettings = s?.pool ?? DEFAULT_SETTINGS.pool;
  return {
    name: connection?.name ?? '',
    description: connection?.description ?? '',
    host: s?.host ?? '',
    port: String(s?.port ?? DEFAULT_SETTINGS.port),
    database: s?.database ?? '',
    user: s?.user ?? '',
    ssl: s?.ssl ?? DEFAULT_SETTINGS.ssl,
    ca: s?.ca ?? '',
    schemas: (s?.schemas ?? DEFAULT_SETTINGS.schemas).join(', '),
    max: String(pool.max),
    idle_timeout_s: String(pool.idle_timeout_s),
    statement_timeout_s: String(pool.statement_timeout_s),
    connect_timeout_s: String(pool.connect_timeout_s),
    password: '',
  };
}

export interface FormProblem {
  field: FormField;
  message: string;
}

export type FormReading =
  | { ok: true; name: string; description: string; settings: PostgresSettings; password: string | undefined }
  | { ok: false; problems: FormProblem[] };

function integer(text: string, min: number, max: number): number | null {
  const t = text.trim();
  if (!/^\d+$/.test(t)) return null;
  const n = Number(t);
  return n >= min && n <= max ? n : null;
}

/** Why `name` cannot name a connection, or null when it can. */
export function nameProblem(name: string): string | null {
  if (name === '') return 'Give the connection a name, e.g. "odoo".';
  if (!NAME_PATTERN.test(name)) return 'The name must be 1-63 lowercase letters, digits, _ or -, starting with a letter.';
  return null;
}

/**
 * The form read into what the API takes, or every problem found (in the
 * form's order). Text is trimmed, except the password, sent as typed.
 */
export function readForm(values: FormValues): FormReading {
  const problems: FormProblem[] = [];
  const problem = (field: FormField, message: string) => problems.push({ field, message });
  const text = (field: FormField, label: string, max: number): string => {
    const v = values[field].trim();
    if (v === '') problem(field, `${label} is required.`);
    else if (v.length > max) problem(field, `${label} is ${v.length} characters long: at most ${max}.`);
    return v;
  };
  const whole = (field: FormField, label: string, min: number, max: number): number => {
    const n = integer(values[field], min, max);
    if (n === null) problem(field, `${label} must be a whole number from ${min} to ${max}.`);
    return n ?? min;
  };

  const name = values.name.trim();
  const bad = nameProblem(name);
  if (bad) problem('name', bad);
  const description = values.description.trim();
  if (description.length > 2000) problem('description', `The description is ${description.length} characters long: at most 2000.`);
  const host = text('host', 'Host', 255);
  const port = whole('port', 'Port', 1, 65535);
  const database = text('database', 'Database', 63);
  const user = text('user', 'User', 63);
  const ssl = SSL_CHOICES.find((c) => c.value === values.ssl)?.value;
  if (!ssl) problem('ssl', 'Choose a TLS mode.');
  const ca = values.ca.trim();
  if (ca.length > 65536) problem('ca', 'The CA certificate is longer than 64 KiB.');
  const schemas = values.schemas
    .split(/[\s,]+/)
    .map((s) => s.trim())
    .filter((s) => s !== '');
  const longSchema = schemas.find((s) => s.length > 63);
  if (longSchema !== undefined) problem('schemas', `Schema names are at most 63 characters: "${longSchema.slice(0, 20)}…" is longer.`);
  else if (schemas.length > 100) problem('schemas', `At most 100 schemas: ${schemas.length} given.`);
  const max = whole('max', 'Pool size', 1, 100);
  const idle = whole('idle_timeout_s', 'Idle timeout', 1, 3600);
  const statement = whole('statement_timeout_s', 'Statement timeout', 1, 86400);
  const connect = whole('connect_timeout_s', 'Connect timeout', 1, 120);
  if (values.password.length > 1024) problem('password', 'The password is longer than 1024 characters.');

  if (problems.length > 0) return { ok: false, problems };
  const settings: PostgresSettings = {
    host,
    port,
    database,
    user,
    ssl: ssl!,
    ...(ssl === 'verify-full' && ca !== '' && { ca }),
    schemas,
    pool: { max, idle_timeout_s: idle, statement_timeout_s: statement, connect_timeout_s: connect },
  };
  return { ok: true, name, description, settings, password: values.password === '' ? undefined : values.password };
}

/** Only what differs from the saved connection, for a PATCH; null when nothing does. */
export function connectionPatch(saved: ConnectionModel, description: string, settings: PostgresSettings): { description?: string; settings?: PostgresSettings } | null {
  const patch: { description?: string; settings?: PostgresSettings } = {};
  if (description !== saved.description) patch.description = description;
  if (JSON.stringify(canonical(settings)) !== JSON.stringify(canonical(saved.settings))) patch.settings = settings;
  return Object.keys(patch).length ? patch : null;
}

function canonical(s: PostgresSettings): unknown {
  return [s.host, s.port, s.database, s.user, s.ssl, s.ca ?? '', s.schemas, s.pool.max, s.pool.idle_timeout_s, s.pool.statement_timeout_s, s.pool.connect_timeout_s];
}
