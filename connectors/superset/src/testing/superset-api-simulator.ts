/**
 * A simulator of Superset's REST API, for tests: Superset itself cannot run
 * here. A node:http server on 127.0.0.1, port 0, answering the endpoints
 * the client (../superset-client.ts) uses the way Superset 4.1/5.x with
 * Flask-AppBuilder, flask_jwt_extended and Flask-WTF answers them, each
 * shape taken from their source (cited where it is produced):
 *
 *   POST /api/v1/security/login         FAB SecurityApi.login: LoginPost schema, provider check, 401 "Not authorized"
 *   POST /api/v1/security/refresh       FAB SecurityApi.refresh (jwt_required(refresh=True))
 *   GET  /api/v1/security/csrf_token/   superset/security/api.py: {result}; sets Flask's session cookie
 *   GET  /api/v1/database/              list with rison q: filters on database_name and flags
 *   GET  /api/v1/dataset/               list with rison q: filters on id, uuid, database, catalog, schema, table_name, sql
 *   GET  /api/v1/dataset/<int:pk>       show, with columns and metrics
 *   POST /api/v1/dataset/               create (CreateDatasetCommand), columns read from PostgreSQL
 *   PUT  /api/v1/dataset/<pk>           update of the scalar fields and owners
 *   PUT  /api/v1/dataset/<pk>/refresh   refresh (RefreshDatasetCommand), columns re-read from PostgreSQL
 *
 * Around them, in Flask's order: routing (unknown URL 404, wrong method 405,
 * a missing trailing slash 308, in Superset's SIP-40 error shape); Flask-WTF's
 * CSRF check of every POST/PUT/PATCH/DELETE but FAB's security API (400 with
 * Flask-WTF's reason, or a 302 to /login/ when the request is not JSON:
 * superset/views/error_handling.py refresh_csrf_token); then FAB's @protect:
 * the bearer JWT (flask_jwt_extended's {msg} answers: 401 missing or expired,
 * 422 undecodable) and the role's permission (403 "Forbidden").
 *
 * Users are Admin (everything) or Gamma (reads, but sees no database or
 * dataset, as Superset's DatabaseFilter/DatasourceFilter give a Gamma user
 * without grants; writes 403). Databases have a name and optionally a
 * PostgreSQL connection; with one, create and refresh read the table's
 * columns from its information_schema (sim-postgres.ts) and the catalog is
 * that database's name; without one, every table exists, with no columns.
 * Tokens and CSRF tokens expire by the injected clock.
 *
 * Not covered: virtual (SQL) datasets, PUT of table_name/schema/catalog/
 * database_id/sql/columns/metrics and ?override_columns (answered 501, which
 * Superset never sends), filters on owners/created_by/changed_by (501),
 * DELETE, other endpoints (404), roles other than Admin and Gamma, ownership
 * rules beyond "Admin or owner", list responses' label/description metadata,
 * dataset versioning fields of the newest releases, API keys, guest tokens,
 * rate limits, and Werkzeug's exact JSON decode error texts.
 */
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes, randomUUID } from 'node:crypto';
import { LOGIN_POST, loadSchema } from './sim-schemas';
import { FATAL, METHOD_NOT_ALLOWED, NOT_AUTHORIZED, ROUTE_NOT_FOUND, fab, httpException, jwt, type SimAnswer } from './sim-responses';
import { csrfFailure, loadSession, signCsrf, signJwt, signSession, verifyJwt, type FlaskSession, type TokenType } from './sim-security';
import { SimState, type SimRole, type SimUser } from './sim-state';
import { datasetRoutes } from './sim-dataset-routes';
import type { PostgresConnectionConfig } from './sim-postgres';

export interface SimUserConfig {
  readonly username: string;
  readonly password: string;
  readonly first_name?: string;
  readonly last_name?: string;
  /** Default Admin. */
  readonly role?: SimRole;
  readonly active?: boolean;
}

export interface SimDatabaseConfig {
  /** database_name. */
  readonly name: string;
  /** Default "postgresql" with a PostgreSQL connection, else "sqlite". */
  readonly backend?: string;
  readonly postgres?: PostgresConnectionConfig;
}

export interface SupersetApiSimulatorOptions {
  readonly users: readonly SimUserConfig[];
  readonly databases?: readonly SimDatabaseConfig[];
  /** Milliseconds since the epoch; default Date.now. */
  readonly clock?: () => number;
  /** SECRET_KEY: signs JWTs, CSRF tokens and the session; default random. */
  readonly secretKey?: string;
  /** JWT_ACCESS_TOKEN_EXPIRES: default 15 minutes (flask_jwt_extended). */
  readonly accessTokenTtlSeconds?: number;
  /** JWT_REFRESH_TOKEN_EXPIRES: default 30 days (flask_jwt_extended). */
  readonly refreshTokenTtlSeconds?: number;
  /** WTF_CSRF_TIME_LIMIT: default one week (superset/config.py). */
  readonly csrfTimeLimitSeconds?: number;
  /** WTF_CSRF_ENABLED: default true. */
  readonly csrfEnabled?: boolean;
  /** AUTH_TYPE's provider: the only one FAB's login accepts (validate_provider). Default "db". */
  readonly authProvider?: 'db' | 'ldap';
}

/** One request as the simulator saw it, and its status. */
export interface SimRequestRecord {
  readonly method: string;
  readonly path: string;
  readonly query: Readonly<Record<string, string>>;
  readonly headers: IncomingHttpHeaders;
  readonly body: unknown;
  readonly status: number;
}

/** What a route gets: the parsed request and the simulator's services. */
export interface SimContext {
  readonly method: string;
  readonly path: string;
  readonly params: Readonly<Record<string, string>>;
  readonly query: URLSearchParams;
  readonly headers: IncomingHttpHeaders;
  /** request.is_json: an application/json (or +json) content type. */
  readonly isJson: boolean;
  /** The JSON body; `undefined` for none; a SyntaxError when it does not parse. */
  readonly json: unknown;
  readonly state: SimState;
  /** The user of the bearer access token, or the flask_jwt_extended answer refusing it. */
  authenticate(): SimUser | SimAnswer;
}

export interface SimRoute {
  readonly method: string;
  /** Flask-style: /api/v1/dataset/<int:pk>, /api/v1/dataset/<pk>/refresh. */
  readonly pattern: string;
  /** Exempt from Flask-WTF's check (FAB's SecurityApi blueprint: csrf_exempt). */
  readonly csrfExempt?: boolean;
  readonly handle: (ctx: SimContext) => Promise<SimAnswer> | SimAnswer;
}

const MAX_BODY = 1 << 20;

export class SupersetApiSimulator implements AsyncDisposable {
  readonly url: string;
  private readonly log: SimRequestRecord[] = [];
  private closing: Promise<void> | undefined;

  private constructor(
    private readonly server: Server,
    private readonly state: SimState,
    private readonly config: Config,
  ) {
    this.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  static async start(options: SupersetApiSimulatorOptions): Promise<SupersetApiSimulator> {
    const clock = options.clock ?? Date.now;
    const state = new SimState(clock);
    for (const u of options.users) state.users.push({ id: state.id(), username: u.username, password: u.password, first_name: u.first_name ?? u.username, last_name: u.last_name ?? '', role: u.role ?? 'Admin', active: u.active ?? true });
    for (const d of options.databases ?? []) {
      state.databases.push({ id: state.id(), uuid: randomUUID(), database_name: d.name, backend: d.backend ?? (d.postgres ? 'postgresql' : 'sqlite'), catalog: d.postgres?.database ?? null, postgres: d.postgres });
    }
    const config: Config = {
      clock,
      secret: options.secretKey ?? randomBytes(24).toString('hex'),
      accessTtl: options.accessTokenTtlSeconds ?? 15 * 60,
      refreshTtl: options.refreshTokenTtlSeconds ?? 30 * 24 * 3600,
      csrfLimit: options.csrfTimeLimitSeconds ?? 7 * 24 * 3600,
      csrfEnabled: options.csrfEnabled ?? true,
      provider: options.authProvider ?? 'db',
    };
    const routes = [...securityRoutes(config), ...datasetRoutes()];
    let sim: SupersetApiSimulator | undefined;
    const server = createServer((req, res) => {
      // The server owns each request until its answer is written; a failure ends that exchange only.
      res.on('error', () => {});
      void handleRequest(req, res, routes, state, config).then(
        (rec) => sim?.log.push(rec),
        () => {
          if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
          res.end(JSON.stringify(FATAL.body));
        },
      );
    });
    server.on('clientError', (_err, socket) => socket.destroy());
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
    sim = new SupersetApiSimulator(server, state, config);
    return sim;
  }

  /** Every request answered so far, in order. */
  get requests(): readonly SimRequestRecord[] {
    return this.log;
  }

  clearRequests(): void {
    this.log.length = 0;
  }

  /** The id Superset gave the database named `name`. */
  databaseId(name: string): number {
    const db = this.state.databases.find((d) => d.database_name === name);
    if (!db) throw new Error(`The simulator has no database named ${name}`);
    return db.id;
  }

  /** A snapshot of the datasets, for assertions. */
  datasets(): { id: number; catalog: string | null; schema: string | null; table_name: string; columns: string[]; description: unknown }[] {
    return this.state.datasets.map((d) => ({ id: d.id, catalog: d.catalog, schema: d.schema, table_name: d.table_name, columns: d.columns.map((c) => c.column_name), description: d.fields.description ?? null }));
  }

  /** Deactivate or reactivate a user (their tokens stop working, as FAB's load_user_jwt refuses inactive users). */
  setUserActive(username: string, active: boolean): void {
    const user = this.state.users.find((u) => u.username === username);
    if (!user) throw new Error(`The simulator has no user ${username}`);
    user.active = active;
  }

  /** A new SECRET_KEY, as after a redeploy with another key: every JWT, CSRF token and session issued so far stops verifying. */
  rotateSecretKey(secretKey: string = randomBytes(24).toString('hex')): void {
    this.config.secret = secretKey;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    this.closing ??= new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
    return this.closing;
  }
}

export function startSupersetApiSimulator(options: SupersetApiSimulatorOptions): Promise<SupersetApiSimulator> {
  return SupersetApiSimulator.start(options);
}

interface Config {
  readonly clock: () => number;
  /** Mutable: rotateSecretKey. */
  secret: string;
  readonly accessTtl: number;
  readonly refreshTtl: number;
  readonly csrfLimit: number;
  readonly csrfEnabled: boolean;
  readonly provider: 'db' | 'ldap';
}

const seconds = (config: Config) => config.clock() / 1000;

function securityRoutes(config: Config): SimRoute[] {
  const issue = (user: SimUser, type: TokenType, fresh: boolean) => signJwt(config.secret, { sub: String(user.id), type, fresh, nowSeconds: seconds(config), ttlSeconds: type === 'access' ? config.accessTtl : config.refreshTtl });
  return [
    {
      method: 'POST',
      pattern: '/api/v1/security/login',
      csrfExempt: true,
      handle: (ctx) => {
        if (!ctx.isJson) return fab(400, 'Request payload is not JSON');
        if (ctx.json instanceof SyntaxError) return fab(400, `400 Bad Request: Failed to decode JSON object: ${ctx.json.message}`);
        const loaded = loadSchema(LOGIN_POST, ctx.json);
        const errors = loaded.ok ? {} : { ...loaded.errors };
        const provider = (ctx.json as { provider?: unknown } | undefined)?.provider;
        if (typeof provider === 'string' && provider !== config.provider) errors.provider = [...(errors.provider ?? []), 'Alternative authentication provider is not allowed'];
        if (!loaded.ok || Object.keys(errors).length > 0) return fab(400, errors);
        const body = loaded.value as { username: string; password: string; provider?: string; refresh?: boolean };
        if (body.provider === undefined) return FATAL; // login reads login_payload["provider"]: a KeyError, which @safe answers 500
        const user = ctx.state.users.find((u) => u.username === body.username && u.password === body.password && u.active);
        if (!user) return NOT_AUTHORIZED;
        return { status: 200, body: { access_token: issue(user, 'access', true), ...(body.refresh ? { refresh_token: issue(user, 'refresh', false) } : {}) } };
      },
    },
    {
      method: 'POST',
      pattern: '/api/v1/security/refresh',
      csrfExempt: true,
      handle: (ctx) => {
        const who = bearerUser(ctx.headers, ctx.state, config, 'refresh');
        if (!('id' in who)) return who;
        return { status: 200, body: { access_token: issue(who, 'access', false) } };
      },
    },
    {
      method: 'GET',
      pattern: '/api/v1/security/csrf_token/',
      handle: (ctx) => {
        const who = ctx.authenticate();
        if (!('id' in who)) return who;
        const session = loadSession(config.secret, cookieValue(ctx.headers, 'session'), seconds(config));
        const headers: Record<string, string> = {};
        if (!session.csrf_token) {
          session.csrf_token = randomBytes(20).toString('hex');
          headers['set-cookie'] = `session=${signSession(config.secret, session, seconds(config))}; HttpOnly; Path=/; SameSite=Lax`;
        }
        return { status: 200, body: { result: signCsrf(config.secret, session.csrf_token, seconds(config)) }, headers };
      },
    },
  ];
}

function cookieValue(headers: IncomingHttpHeaders, name: string): string | undefined {
  for (const part of (headers.cookie ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

/** verify_jwt_in_request from the Authorization header (flask_jwt_extended/view_decorators.py), then FAB's load_user_jwt. */
function bearerUser(headers: IncomingHttpHeaders, state: SimState, config: Config, type: TokenType): SimUser | SimAnswer {
  const auth = (headers.authorization ?? '').trim().replace(/,+$/, '');
  if (!auth) return jwt(401, 'Missing Authorization Header');
  const fields = auth.split(/,\s*/).filter((f) => f && f.split(/\s+/)[0] === 'Bearer');
  if (fields.length !== 1) return jwt(401, "Missing 'Bearer' type in 'Authorization' header. Expected 'Authorization: Bearer <JWT>'");
  const parts = fields[0]!.split(/\s+/);
  if (parts.length !== 2) return jwt(422, "Bad Authorization header. Expected 'Authorization: Bearer <JWT>'");
  const check = verifyJwt(config.secret, parts[1]!, seconds(config), type);
  if (!check.ok) return jwt(check.status, check.msg);
  const user = state.users.find((u) => String(u.id) === check.claims.sub);
  if (!user || !user.active) return jwt(401, `Error loading the user ${check.claims.sub}`);
  return user;
}

function matchRoute(pattern: string, path: string): Record<string, string> | undefined {
  const names: string[] = [];
  const rx = new RegExp(`^${pattern.replace(/<(?:(int):)?(\w+)>/g, (_m, conv: string | undefined, name: string) => (names.push(name), conv === 'int' ? '(\\d+)' : '([^/]+)'))}$`);
  const m = rx.exec(path);
  if (!m) return undefined;
  return Object.fromEntries(names.map((n, i) => [n, decodeURIComponent(m[i + 1]!)]));
}

async function readBody(req: IncomingMessage): Promise<Buffer | undefined> {
  // Read to the end even past the limit, so the answer can still be written on this connection.
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size <= MAX_BODY) chunks.push(chunk as Buffer);
  }
  return size > MAX_BODY ? undefined : Buffer.concat(chunks);
}

async function handleRequest(req: IncomingMessage, res: ServerResponse, routes: readonly SimRoute[], state: SimState, config: Config): Promise<SimRequestRecord> {
  const url = new URL(req.url ?? '/', `http://${req.headers.host ?? '127.0.0.1'}`);
  const method = req.method ?? 'GET';
  const raw = await readBody(req);
  const contentType = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  const isJson = contentType === 'application/json' || (contentType.startsWith('application/') && contentType.endsWith('+json'));
  let json: unknown;
  // werkzeug's get_json on an empty JSON body fails as Python's json.loads('') does.
  if (raw && raw.length === 0 && isJson) json = new SyntaxError('Expecting value: line 1 column 1 (char 0)');
  if (raw && raw.length > 0 && isJson) {
    try {
      json = JSON.parse(raw.toString('utf8')) as unknown;
    } catch (err) {
      json = err instanceof SyntaxError ? err : new SyntaxError(String(err));
    }
  }
  const answer = raw === undefined ? httpException(413, 'The data value transmitted exceeds the capacity limit.') : await dispatch({ method, url, headers: req.headers, isJson, json }, routes, state, config);
  const headers: Record<string, string | string[]> = { ...(answer.headers ?? {}) };
  let payload = '';
  if (answer.body !== undefined) {
    headers['content-type'] = 'application/json';
    payload = JSON.stringify(answer.body);
  }
  res.writeHead(answer.status, headers).end(payload);
  return { method, path: url.pathname, query: Object.fromEntries(url.searchParams), headers: req.headers, body: json instanceof SyntaxError ? raw?.toString('utf8') : json, status: answer.status };
}

async function dispatch(req: { method: string; url: URL; headers: IncomingHttpHeaders; isJson: boolean; json: unknown }, routes: readonly SimRoute[], state: SimState, config: Config): Promise<SimAnswer> {
  const path = req.url.pathname;
  const matches = routes.map((r) => ({ route: r, params: matchRoute(r.pattern, path) })).filter((m) => m.params);
  if (matches.length === 0) {
    // werkzeug's strict_slashes: a rule ending in "/" redirects the URL without it (308).
    if (routes.some((r) => matchRoute(r.pattern, `${path}/`))) return { status: 308, headers: { location: `${req.url.origin}${path}/${req.url.search}` } };
    return ROUTE_NOT_FOUND;
  }
  const hit = matches.find((m) => m.route.method === req.method);
  if (!hit) return METHOD_NOT_ALLOWED;
  if (config.csrfEnabled && !hit.route.csrfExempt && ['POST', 'PUT', 'PATCH', 'DELETE'].includes(req.method)) {
    const header = req.headers['x-csrftoken'] ?? req.headers['x-csrf-token'];
    const session: FlaskSession = loadSession(config.secret, cookieValue(req.headers, 'session'), seconds(config));
    const reason = csrfFailure(config.secret, Array.isArray(header) ? header[0] : header, session, seconds(config), config.csrfLimit);
    if (reason) return req.isJson ? httpException(400, reason) : { status: 302, headers: { location: '/login/' } };
  }
  return hit.route.handle({
    method: req.method,
    path,
    params: hit.params!,
    query: req.url.searchParams,
    headers: req.headers,
    isJson: req.isJson,
    json: req.json,
    state,
    authenticate: () => bearerUser(req.headers, state, config, 'access'),
  });
}

