/**
 * Odoo's external API (17.0/18.0; odoo/addons/base/controllers/rpc.py,
 * odoo/service/common.py, odoo/service/model.py), over either protocol:
 *
 *   JSON-RPC  POST /jsonrpc  {jsonrpc: "2.0", method: "call", params: {service, method, args}, id}
 *   XML-RPC   POST /xmlrpc/2/common | /xmlrpc/2/object  <methodCall>…
 *
 * `common.version()`, `common.authenticate(db, login, password or API key, {})`
 * (a uid, or false for bad credentials), and `object.execute_kw(db, uid,
 * password, model, method, args, kwargs)`. Odoo errors become OdooError
 * with Odoo's exception name; transport failures AppError `unavailable`,
 * timeouts AppError `timeout`. Every call takes `{ signal }` and has a
 * timeout (default 30 s).
 *
 * Idempotency is the caller's: nothing is retried here, and Odoo runs
 * each call in its own transaction, so a `create` whose answer is lost
 * (timeout, dropped connection) may or may not have happened. Before
 * re-sending a write, look for its effect (e.g. `search` by a reference
 * you set), or make the write naturally idempotent.
 */
import { AppError, abortError } from '@workbench/core';
import { exceptionOfFault, OdooError } from './odoo-error';
import { decodeMethodResponse, encodeMethodCall, XmlRpcParseError, type XmlRpcValue } from './xmlrpc';

export type OdooProtocol = 'jsonrpc' | 'xmlrpc';
/** Values Odoo's RPC carries (JSON-like; XML-RPC adds dates and binary). */
export type OdooValue = XmlRpcValue;
/** A domain in Odoo's prefix notation: `['|', ['state', '=', 'posted'], ['ref', 'ilike', 'INV']]`. */
export type OdooDomain = (string | [string, string, OdooValue] | readonly [string, string, OdooValue])[];

export interface OdooClientOptions {
  /** The server's base URL, e.g. `https://erp.example.com`. */
  url: string;
  db: string;
  /** Default `jsonrpc`. */
  protocol?: OdooProtocol;
  /** Per call; default 30000. */
  timeoutMs?: number;
  fetch?: typeof fetch;
}

export interface CallOptions {
  signal?: AbortSignal;
  timeoutMs?: number;
}

export interface OdooVersion {
  server_version: string;
  server_version_info: OdooValue[];
  server_serie: string;
  protocol_version: number;
}

export class OdooClient {
  readonly protocol: OdooProtocol;
  private readonly base: string;
  private readonly fetch: typeof fetch;
  private nextId = 1;

  constructor(private readonly options: OdooClientOptions) {
    this.protocol = options.protocol ?? 'jsonrpc';
    this.base = options.url.replace(/\/+$/, '');
    this.fetch = options.fetch ?? globalThis.fetch;
  }

  get db(): string {
    return this.options.db;
  }

  async version(opts: CallOptions = {}): Promise<OdooVersion> {
    const v = await this.rpc('common', 'version', [], 'read the Odoo version', opts);
    if (typeof v !== 'object' || v === null || typeof (v as unknown as OdooVersion).server_version !== 'string') throw new AppError('unavailable', 'Cannot read the Odoo version: the answer is not a version');
    return v as unknown as OdooVersion;
  }

  /** The user's id, or false when Odoo refuses the login and password (or API key). */
  async authenticate(login: string, password: string, opts: CallOptions = {}): Promise<number | false> {
    const uid = await this.rpc('common', 'authenticate', [this.options.db, login, password, {}], `log in to Odoo as ${JSON.stringify(login)}`, opts);
    if (uid === false || (typeof uid === 'number' && Number.isInteger(uid) && uid > 0)) return uid;
    throw new AppError('unavailable', `Cannot log in to Odoo as ${JSON.stringify(login)}: the answer is not a user id`);
  }

  executeKw(uid: number, password: string, model: string, method: string, args: readonly OdooValue[] = [], kwargs: Record<string, OdooValue> = {}, opts: CallOptions = {}): Promise<OdooValue> {
    return this.rpc('object', 'execute_kw', [this.options.db, uid, password, model, method, [...args], kwargs], `call ${model}.${method} on Odoo`, opts);
  }

  /** Calls as one user; logs in on first use. */
  session(login: string, password: string): OdooSession {
    return new OdooSession(this, login, password);
  }

  private async rpc(service: string, method: string, args: OdooValue[], action: string, opts: CallOptions): Promise<OdooValue> {
    const timeout = AbortSignal.timeout(opts.timeoutMs ?? this.options.timeoutMs ?? 30_000);
    const signal = opts.signal ? AbortSignal.any([opts.signal, timeout]) : timeout;
    const json = this.protocol === 'jsonrpc';
    const id = this.nextId++;
    const url = json ? `${this.base}/jsonrpc` : `${this.base}/xmlrpc/2/${service}`;
    const body = json ? JSON.stringify({ jsonrpc: '2.0', method: 'call', params: { service, method, args }, id }) : encodeMethodCall(method, args);
    let text: string;
    try {
      const res = await this.fetch(url, { method: 'POST', headers: { 'content-type': json ? 'application/json' : 'text/xml' }, body, signal });
      text = await res.text();
      if (!res.ok) throw new AppError('unavailable', `Cannot ${action}: Odoo answered HTTP ${res.status}`);
    } catch (err) {
      if (signal.aborted) throw abortError(signal, action);
      if (err instanceof AppError) throw err;
      throw new AppError('unavailable', `Cannot ${action}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
    }
    return json ? this.fromJson(text, id, action) : this.fromXml(text, action);
  }

  private fromJson(text: string, id: number, action: string): OdooValue {
    let msg: unknown;
    try {
      msg = JSON.parse(text);
    } catch {
      throw new AppError('unavailable', `Cannot ${action}: Odoo sent something other than JSON`);
    }
    if (typeof msg !== 'object' || msg === null || (msg as { id?: unknown }).id !== id) throw new AppError('unavailable', `Cannot ${action}: Odoo sent a JSON-RPC answer to another request`);
    const { error, result } = msg as { error?: unknown; result?: OdooValue };
    if (error !== undefined) {
      const e = (typeof error === 'object' && error !== null ? error : {}) as { message?: unknown; data?: { name?: unknown; message?: unknown; debug?: unknown; arguments?: unknown } };
      const data = e.data ?? {};
      const name = typeof data.name === 'string' ? data.name : 'builtins.Exception';
      const message = typeof data.message === 'string' ? data.message : typeof e.message === 'string' ? e.message : 'Odoo Server Error';
      throw new OdooError(name, message, action, { debug: typeof data.debug === 'string' ? data.debug : undefined, arguments: Array.isArray(data.arguments) ? data.arguments : undefined });
    }
    // Odoo leaves `result` out when the method returned None.
    return result === undefined ? null : result;
  }

  private fromXml(text: string, action: string): OdooValue {
    let r: ReturnType<typeof decodeMethodResponse>;
    try {
      r = decodeMethodResponse(text);
    } catch (err) {
      if (err instanceof XmlRpcParseError) throw new AppError('unavailable', `Cannot ${action}: Odoo sent a malformed XML-RPC answer (${err.message})`, { cause: err });
      throw err;
    }
    if ('fault' in r) {
      const { exception, message } = exceptionOfFault(r.fault.faultCode, r.fault.faultString);
      throw new OdooError(exception, message, action, { faultCode: r.fault.faultCode, debug: r.fault.faultCode === 1 ? r.fault.faultString : undefined });
    }
    return r.value;
  }
}

export interface SearchReadOptions {
  fields?: string[];
  offset?: number;
  limit?: number;
  order?: string;
  context?: Record<string, OdooValue>;
}

export class OdooSession {
  private uidPromise: Promise<number> | undefined;

  constructor(
    readonly client: OdooClient,
    readonly login: string,
    private readonly password: string,
  ) {}

  /** The logged-in user's id; AppError `unauthenticated` when Odoo refuses the credentials. */
  uid(opts: CallOptions = {}): Promise<number> {
    this.uidPromise ??= this.client.authenticate(this.login, this.password, opts).then((uid) => {
      if (uid === false) throw new AppError('unauthenticated', `Cannot log in to Odoo as ${JSON.stringify(this.login)}: wrong login, password or API key`);
      return uid;
    });
    // A failed login is not remembered: the next call tries again.
    this.uidPromise.catch(() => (this.uidPromise = undefined));
    return this.uidPromise;
  }

  async call(model: string, method: string, args: readonly OdooValue[] = [], kwargs: Record<string, OdooValue> = {}, opts: CallOptions = {}): Promise<OdooValue> {
    return this.client.executeKw(await this.uid(opts), this.password, model, method, args, kwargs, opts);
  }

  async searchRead<T = Record<string, OdooValue>>(model: string, domain: OdooDomain, options: SearchReadOptions = {}, opts: CallOptions = {}): Promise<T[]> {
    const kwargs: Record<string, OdooValue> = {};
    for (const k of ['fields', 'offset', 'limit', 'order', 'context'] as const) if (options[k] !== undefined) kwargs[k] = options[k] as OdooValue;
    const rows = await this.call(model, 'search_read', [domain as OdooValue], kwargs, opts);
    if (!Array.isArray(rows)) throw new AppError('unavailable', `Cannot call ${model}.search_read on Odoo: the answer is not a list`);
    return rows as T[];
  }
}
