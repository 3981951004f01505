/**
 * A simulator of Odoo's external API, for tests. Odoo itself cannot run
 * here, so this speaks its two wire protocols faithfully enough for
 * OdooClient and for Python's xmlrpc.client, over the SAME PostgreSQL
 * database generateOdooDemo made (Odoo 17 tables, read and written in
 * place, one transaction per call as Odoo does):
 *
 *   POST /jsonrpc            {jsonrpc: "2.0", method: "call", params: {service, method, args}, id}
 *   POST /xmlrpc/2/common    version, login, authenticate, about
 *   POST /xmlrpc/2/object    execute_kw, execute
 *
 * Covered: `common.version` (server_version 17.0, protocol_version 1);
 * `authenticate`/`login` against res_users (password or API key; wrong
 * credentials answer false like Odoo); `execute_kw` with security.check
 * (AccessDenied), private methods (AccessError), unknown models
 * (UserError) and methods (AttributeError); on res.partner, res.company,
 * account.account, account.journal, account.move and account.move.line:
 * `search`, `search_count`, `search_read`, `read`, `fields_get` (also on
 * res.currency and account.tax) with
 * Odoo's domains (domain.ts) and the multi-company rule of the context's
 * `allowed_company_ids`; on account.move: `create`, `write`, `unlink`,
 * `action_post`, `button_draft`, `button_cancel` (simulator-moves.ts).
 * Errors are Odoo's: JSON-RPC `{code: 200, message: "Odoo Server Error",
 * data: {name, message, arguments, context, debug}}`, XML-RPC faults
 * 1 (traceback) / 2 (UserError and kin) / 3 (AccessDenied) / 4 (AccessError).
 *
 * Not covered: the web client and its session routes (/web/session/*,
 * /web/dataset/call_kw), the `db` service (always AccessDenied), other
 * models, create/write on models other than account.move, record rules
 * beyond multi-company, access rights per group, payments and
 * reconciliation, name_search/name_create, read_group, onchange,
 * translations other than en_US, and Odoo 18's JSON-2 API (that is 19.0).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Pool, type ClientConfig } from 'pg';
import { dayFromDate } from '../accounting-date';
import { timestamp } from '../demo/ledger';
import { decodeMethodCall, encodeFault, encodeMethodResponse, XmlRpcParseError, type XmlRpcValue } from '../xmlrpc';
import { OdooException, pyRepr, typeError, userError } from './odoo-exception';
import { fieldsGet, read, search, searchCount, searchRead, SimRegistry, type SimModel } from './simulator-models';
import { cancelMoves, createMoves, draftMoves, postMoves, unlinkMoves, writeMoves, type MoveEnv } from './simulator-moves';
import { SimUsers, type SimulatorUser } from './simulator-users';

export interface OdooApiSimulatorOptions {
  /** The demo database (generateOdooDemo's). */
  connection: ClientConfig | string;
  /** The database name clients pass; default the PostgreSQL database's name. */
  db?: string;
  /** Default: admin / admin, an adviser. */
  users?: readonly SimulatorUser[];
  /** The server's clock ("today" for accounting dates); default Date.now. */
  now?: () => Date;
  host?: string;
  /** Default 0: any free port. */
  port?: number;
  /** Largest request body; default 10 MiB. */
  maxBodyBytes?: number;
  /**
   * Called after a call's transaction committed and before its answer is
   * sent; the answer waits for it. Tests use it to stop a client between
   * "Odoo did it" and "the client heard" (a crash there must not make a
   * retry do it twice).
   */
  afterCommit?: (call: { model: string; method: string; result: unknown }) => Promise<void> | void;
}

export const SIMULATED_VERSION = { server_version: '17.0', server_version_info: [17, 0, 0, 'final', 0, ''], server_serie: '17.0', protocol_version: 1 };

const SIGNATURES: Record<string, readonly string[]> = {
  search: ['domain', 'offset', 'limit', 'order', 'count'],
  search_count: ['domain', 'limit'],
  search_read: ['domain', 'fields', 'offset', 'limit', 'order'],
  read: ['ids', 'fields', 'load'],
  fields_get: ['allfields', 'attributes'],
  create: ['vals_list'],
  write: ['ids', 'vals'],
  unlink: ['ids'],
  action_post: ['ids'],
  button_draft: ['ids'],
  button_cancel: ['ids'],
};
const MOVE_ONLY = new Set(['create', 'write', 'unlink', 'action_post', 'button_draft', 'button_cancel']);

/** Python's name for an exception class in a traceback's last line. */
const qualname = (exception: string) => exception.replace(/^builtins\./, '');

export class OdooApiSimulator {
  private readonly registry = new SimRegistry();
  private disposed = false;

  private constructor(
    private readonly server: Server,
    private readonly pool: Pool,
    private readonly users: SimUsers,
    readonly db: string,
    readonly url: string,
    private readonly now: () => Date,
    private readonly maxBodyBytes: number,
    private readonly afterCommit: OdooApiSimulatorOptions['afterCommit'],
  ) {}

  static async start(options: OdooApiSimulatorOptions): Promise<OdooApiSimulator> {
    const pool = new Pool({ ...(typeof options.connection === 'string' ? { connectionString: options.connection } : options.connection), max: 4 });
    pool.on('error', () => undefined);
    try {
      const now = options.now ?? (() => new Date());
      const database = (await pool.query<{ db: string }>('SELECT current_database() AS db')).rows[0]!.db;
      const users = await SimUsers.install(pool, options.users ?? [{ login: 'admin', password: 'admin', adviser: true }], timestamp(Math.floor(now().getTime() / 1000)));
      let self: OdooApiSimulator | undefined;
      const server = createServer((req, res) => void self!.onRequest(req, res));
      server.on('clientError', (_err, socket) => socket.destroy());
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
      });
      const { address, port } = server.address() as AddressInfo;
      const host = address.includes(':') ? `[${address}]` : address;
      self = new OdooApiSimulator(server, pool, users, options.db ?? database, `http://${host}:${port}`, now, options.maxBodyBytes ?? 10 * 1024 * 1024, options.afterCommit);
      return self;
    } catch (err) {
      await pool.end().catch(() => undefined);
      throw err;
    }
  }

  /** The uid of a configured user. */
  uidOf(login: string): number {
    const uid = this.users.uidOf(login);
    if (uid === undefined) throw new Error(`no simulated user ${login}`);
    return uid;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
    await this.pool.end();
  }

  // --- HTTP -------------------------------------------------------------------

  private async onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    req.on('error', () => res.destroy());
    res.on('error', () => undefined);
    const path = (req.url ?? '/').split('?')[0]!;
    const xml = /^\/xmlrpc\/2\/(common|object|db)$/.exec(path);
    if (path !== '/jsonrpc' && !xml) return this.send(res, 404, 'text/html', '<!DOCTYPE html><title>404 Not Found</title><h1>Not Found</h1>');
    if (req.method !== 'POST') return this.send(res, 405, 'text/plain', 'Method Not Allowed');
    let body: string;
    try {
      body = await this.readBody(req);
    } catch {
      return this.send(res, 413, 'text/plain', 'Request Entity Too Large');
    }
    if (xml) return this.onXmlRpc(res, xml[1]!, body);
    return this.onJsonRpc(res, body);
  }

  private readBody(req: IncomingMessage): Promise<string> {
    return new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      let size = 0;
      req.on('data', (c: Buffer) => {
        size += c.length;
        if (size > this.maxBodyBytes) {
          reject(new Error('too large'));
          req.destroy();
        } else chunks.push(c);
      });
      req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
      req.on('error', reject);
    });
  }

  private send(res: ServerResponse, status: number, type: string, body: string): void {
    if (res.destroyed) return;
    res.writeHead(status, { 'content-type': `${type}; charset=utf-8`, 'content-length': Buffer.byteLength(body) });
    res.end(body);
  }

  private async onJsonRpc(res: ServerResponse, body: string): Promise<void> {
    let msg: { id?: unknown; params?: unknown };
    try {
      msg = JSON.parse(body) as typeof msg;
      if (typeof msg !== 'object' || msg === null || Array.isArray(msg)) throw new Error('not an object');
    } catch {
      return this.send(res, 400, 'text/html', '<!DOCTYPE html><title>400 Bad Request</title><h1>Bad Request</h1><p>Invalid JSON data</p>');
    }
    const id = msg.id ?? null;
    let reply: object;
    try {
      const p = (msg.params ?? {}) as { service?: unknown; method?: unknown; args?: unknown };
      for (const k of ['service', 'method', 'args'] as const) if (p[k] === undefined) throw typeError(`RPC.jsonrpc() missing 1 required positional argument: '${k}'`);
      if (typeof p.service !== 'string' || typeof p.method !== 'string' || !Array.isArray(p.args)) throw typeError('service and method must be strings and args a list');
      const result = await this.dispatch(p.service, p.method, p.args as unknown[]);
      // Odoo leaves `result` out when the method returned None.
      reply = result === null || result === undefined ? { jsonrpc: '2.0', id } : { jsonrpc: '2.0', id, result };
    } catch (err) {
      const e = this.asOdoo(err);
      reply = { jsonrpc: '2.0', id, error: { code: 200, message: 'Odoo Server Error', data: { name: e.exception, message: e.message, arguments: [e.message], context: {}, debug: this.traceback(e) } } };
    }
    this.send(res, 200, 'application/json', JSON.stringify(reply));
  }

  private async onXmlRpc(res: ServerResponse, service: string, body: string): Promise<void> {
    let out: string;
    try {
      const call = decodeMethodCall(body);
      const result = await this.dispatch(service, call.method, call.params);
      // Odoo's marshaller has allow_none=False: a method returning None fails on the way out.
      if (result === null || result === undefined) throw new OdooException('builtins.TypeError', 'cannot marshal None unless allow_none is enabled');
      out = encodeMethodResponse(result as XmlRpcValue);
    } catch (err) {
      const e = err instanceof XmlRpcParseError ? new OdooException('xml.parsers.expat.ExpatError', err.message) : this.asOdoo(err);
      // rpc.py xmlrpc_handle_exception_int: AccessError 4, AccessDenied 3, UserError and its kin 2, anything else 1 with the traceback.
      const code = e.exception === 'odoo.exceptions.AccessError' ? 4 : e.exception === 'odoo.exceptions.AccessDenied' ? 3 : /^odoo\.exceptions\.(UserError|ValidationError|MissingError|RedirectWarning)$/.test(e.exception) ? 2 : 1;
      out = encodeFault({ faultCode: code, faultString: code === 1 ? this.traceback(e) : e.message });
    }
    this.send(res, 200, 'text/xml', out);
  }

  private asOdoo(err: unknown): OdooException {
    if (err instanceof OdooException) return err;
    const pg = err as { code?: string; message?: string };
    // An IntegrityError becomes a ValidationError (odoo/service/model.py _as_validation_error).
    if (typeof pg.code === 'string' && pg.code.startsWith('23')) return new OdooException('odoo.exceptions.ValidationError', `The operation cannot be completed: ${pg.message}`);
    if (typeof pg.code === 'string') return new OdooException('psycopg2.errors.Error', String(pg.message));
    return new OdooException('builtins.Exception', err instanceof Error ? err.message : String(err));
  }

  private traceback(e: OdooException): string {
    return `Traceback (most recent call last):\n  File "/usr/lib/python3/dist-packages/odoo/addons/base/controllers/rpc.py", line 165, in xmlrpc_2\n    response = self._xmlrpc(service)\n  File "<odoo-api-simulator>", line 1, in dispatch\n${qualname(e.exception)}: ${e.message}\n`;
  }

  // --- services ---------------------------------------------------------------

  private checkDb(db: unknown): void {
    if (db !== this.db) throw new OdooException('psycopg2.OperationalError', `connection to server failed: FATAL:  database ${JSON.stringify(String(db))} does not exist`);
  }

  private async dispatch(service: string, method: string, args: unknown[]): Promise<unknown> {
    if (service === 'common') {
      if (method === 'version') return SIMULATED_VERSION;
      if (method === 'about') return 'See http://openerp.com';
      if (method === 'login' || method === 'authenticate') {
        const [db, login, password] = args;
        if (args.length !== (method === 'login' ? 3 : 4)) throw typeError(`exp_${method}() takes ${method === 'login' ? 3 : 4} positional arguments but ${args.length} were given`);
        this.checkDb(db);
        if (typeof login !== 'string' || typeof password !== 'string') return false;
        return this.users.authenticate(login, password);
      }
      throw new OdooException('builtins.KeyError', `'exp_${method}'`);
    }
    if (service === 'object') {
      if (method === 'execute_kw') {
        if (args.length < 6 || args.length > 7) throw typeError(`execute_kw() takes from 6 to 7 positional arguments but ${args.length} were given`);
        const [db, uid, password, model, name, margs, kwargs] = args;
        return this.executeKw(db, uid, password, model, name, margs, kwargs ?? {});
      }
      if (method === 'execute') {
        const [db, uid, password, model, name, ...rest] = args;
        return this.executeKw(db, uid, password, model, name, rest, {});
      }
      throw new OdooException('builtins.NameError', `Method not available ${method}`);
    }
    if (service === 'db') throw new OdooException('odoo.exceptions.AccessDenied', 'Access Denied');
    throw new OdooException('builtins.KeyError', `'${service}'`);
  }

  private async executeKw(db: unknown, uid: unknown, password: unknown, modelName: unknown, method: unknown, args: unknown, kwargs: unknown): Promise<unknown> {
    this.checkDb(db);
    if (!Number.isInteger(uid) || typeof password !== 'string' || !(await this.users.check(uid as number, password))) throw new OdooException('odoo.exceptions.AccessDenied', 'Access Denied');
    if (typeof modelName !== 'string' || typeof method !== 'string') throw typeError('model and method must be strings');
    if (method.startsWith('_')) throw new OdooException('odoo.exceptions.AccessError', `Private methods (such as ${method}) cannot be called remotely.`);
    const model = this.registry.served(modelName);
    if (!model) throw userError(`Object ${modelName} doesn't exist`);
    const signature = SIGNATURES[method];
    if (!signature) throw new OdooException('builtins.AttributeError', `type object '${modelName}' has no attribute '${method}'`);
    if (MOVE_ONLY.has(method) && model.name !== 'account.move') throw new OdooException('builtins.NotImplementedError', `The Odoo API simulator does not ${method} ${model.name} records`);
    if (!Array.isArray(args)) throw typeError(`args must be a list, not ${pyRepr(args)}`);
    if (typeof kwargs !== 'object' || kwargs === null || Array.isArray(kwargs)) throw typeError(`kwargs must be a dict, not ${pyRepr(kwargs)}`);
    const { context, ...named } = kwargs as Record<string, unknown>;
    const bound = bind(method, signature, args, named);
    const companies = companiesOf(context);
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      const now = this.now();
      const info = this.users.info(uid as number);
      const env: MoveEnv = { db: client, uid: uid as number, companies, today: dayFromDate(now), now: timestamp(Math.floor(now.getTime() / 1000)), adviser: info.adviser, userCompanyId: info.companyId };
      const result = await this.call(model, method, bound, env);
      await client.query('COMMIT');
      await this.afterCommit?.({ model: model.name, method, result });
      return result;
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      client.release();
    }
  }

  private async call(model: SimModel, method: string, a: Record<string, unknown>, env: MoveEnv): Promise<unknown> {
    const reg = this.registry;
    switch (method) {
      case 'search':
        return a.count ? searchCount(reg, model, env, a) : search(reg, model, env, a);
      case 'search_count':
        return searchCount(reg, model, env, a);
      case 'search_read':
        return searchRead(reg, model, env, a);
      case 'read':
        return read(reg, model, env, recordIds(a.ids), a.fields);
      case 'fields_get':
        return fieldsGet(model, a.allfields, a.attributes);
      case 'create':
        return createMoves(reg, env, a.vals_list);
      case 'write':
        return writeMoves(reg, env, a.ids, a.vals);
      case 'unlink':
        return unlinkMoves(env, a.ids);
      case 'action_post':
        return postMoves(env, a.ids);
      case 'button_draft':
        return draftMoves(env, a.ids);
      default:
        return cancelMoves(env, a.ids);
    }
  }
}

/** Positional and keyword arguments onto the method's parameters, as Python would (TypeError otherwise). */
function bind(method: string, signature: readonly string[], args: unknown[], kwargs: Record<string, unknown>): Record<string, unknown> {
  if (args.length > signature.length) throw typeError(`${method}() takes ${signature.length + 1} positional arguments but ${args.length + 1} were given`);
  const out: Record<string, unknown> = {};
  args.forEach((v, i) => (out[signature[i]!] = v));
  for (const [k, v] of Object.entries(kwargs)) {
    if (!signature.includes(k)) throw typeError(`${method}() got an unexpected keyword argument '${k}'`);
    if (k in out) throw typeError(`${method}() got multiple values for argument '${k}'`);
    out[k] = v;
  }
  if (signature[0] === 'ids' && !('ids' in out)) throw typeError(`${method}() missing 1 required positional argument: 'ids'`);
  return out;
}

function recordIds(v: unknown): number[] {
  const list = Array.isArray(v) ? v : [v];
  if (!list.every((x) => Number.isInteger(x))) throw typeError(`ids must be a list of integers, not ${pyRepr(v)}`);
  return list as number[];
}

function companiesOf(context: unknown): number[] | null {
  if (context === undefined || context === null || context === false) return null;
  if (typeof context !== 'object' || Array.isArray(context)) throw typeError(`context must be a dict, not ${pyRepr(context)}`);
  const ids = (context as { allowed_company_ids?: unknown }).allowed_company_ids;
  if (ids === undefined) return null;
  if (!Array.isArray(ids) || !ids.length || !ids.every((x) => Number.isInteger(x))) throw typeError(`allowed_company_ids must be a list of company ids, not ${pyRepr(ids)}`);
  return ids as number[];
}
