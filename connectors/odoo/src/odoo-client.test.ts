/**
 * OdooClient's edges over a real socket, with a stand-in server per case:
 * the JSON-RPC envelope it sends, Odoo's error shape mapped to OdooError,
 * `result` left out for None, XML-RPC fault codes to exception names,
 * timeouts and aborts, HTTP errors and answers that are not Odoo's.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { isAppError } from '@workbench/core';
import { OdooClient } from './odoo-client';
import { exceptionOfFault, OdooError } from './odoo-error';
import { encodeFault, encodeMethodResponse } from './xmlrpc';

type Handler = (req: IncomingMessage, body: string, res: ServerResponse) => void;

describe('OdooClient', () => {
  let server: Server;
  let url: string;
  let handler: Handler;
  const seen: { path: string; type: string | undefined; body: string }[] = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        seen.push({ path: req.url!, type: req.headers['content-type'], body });
        handler(req, body, res);
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });
  beforeEach(() => (seen.length = 0));

  const json = (res: ServerResponse, v: unknown, status = 200) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(v));
  };
  const echoId = (body: string) => (JSON.parse(body) as { id: number }).id;

  it('sends the JSON-RPC envelope Odoo expects and returns the result', async () => {
    handler = (_req, body, res) => json(res, { jsonrpc: '2.0', id: echoId(body), result: 7 });
    const client = new OdooClient({ url: `${url}/`, db: 'prod' });
    expect(await client.authenticate('admin', 'key')).toBe(7);
    expect(seen[0]!.path).toBe('/jsonrpc');
    expect(seen[0]!.type).toBe('application/json');
    expect(JSON.parse(seen[0]!.body)).toEqual({ jsonrpc: '2.0', method: 'call', params: { service: 'common', method: 'authenticate', args: ['prod', 'admin', 'key', {}] }, id: expect.any(Number) });
    await client.executeKw(7, 'key', 'res.partner', 'search_read', [[['is_company', '=', true]]], { fields: ['name'], limit: 5 });
    expect(JSON.parse(seen[1]!.body).params).toEqual({ service: 'object', method: 'execute_kw', args: ['prod', 7, 'key', 'res.partner', 'search_read', [[['is_company', '=', true]]], { fields: ['name'], limit: 5 }] });
  });

  it('maps Odoo\'s JSON-RPC error to OdooError with the exception name, and a missing result to null', async () => {
    handler = (_req, body, res) =>
      json(res, {
        jsonrpc: '2.0', id: echoId(body),
        error: { code: 200, message: 'Odoo Server Error', data: { name: 'odoo.exceptions.ValidationError', message: 'Cannot create a purchase document in a non purchase journal', arguments: ['Cannot create a purchase document in a non purchase journal'], context: {}, debug: 'Traceback…' } },
      });
    const client = new OdooClient({ url, db: 'prod' });
    const err = await client.executeKw(2, 'k', 'account.move', 'create', [{}]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OdooError);
    expect(err).toMatchObject({ exception: 'odoo.exceptions.ValidationError', exceptionClass: 'ValidationError', code: 'bad_request', odooMessage: 'Cannot create a purchase document in a non purchase journal', extra: { debug: 'Traceback…' } });
    expect((err as Error).message).toBe('Cannot call account.move.create on Odoo: ValidationError: Cannot create a purchase document in a non purchase journal');
    handler = (_req, body, res) => json(res, { jsonrpc: '2.0', id: echoId(body) });
    expect(await client.executeKw(2, 'k', 'account.move', 'button_draft', [[1]])).toBeNull();
  });

  it('XML-RPC: posts to /xmlrpc/2/<service>; fault codes become exception names', async () => {
    let fault = { faultCode: 2, faultString: 'The entry is already posted.' } as { faultCode: number | string; faultString: string };
    handler = (req, _body, res) => {
      res.writeHead(200, { 'content-type': 'text/xml' });
      res.end(req.url === '/xmlrpc/2/common' ? encodeMethodResponse(false) : encodeFault(fault));
    };
    const client = new OdooClient({ url, db: 'prod', protocol: 'xmlrpc' });
    expect(await client.authenticate('a', 'b')).toBe(false);
    expect(seen[0]).toMatchObject({ path: '/xmlrpc/2/common', type: 'text/xml' });
    expect(seen[0]!.body).toContain('<methodName>authenticate</methodName>');
    const call = () => client.executeKw(2, 'k', 'account.move', 'action_post', [[1]]).catch((e: OdooError) => e);
    expect(await call()).toMatchObject({ exception: 'odoo.exceptions.UserError', code: 'conflict', odooMessage: 'The entry is already posted.', extra: { faultCode: 2 } });
    fault = { faultCode: 4, faultString: 'You are not allowed to access Journal Entry' };
    expect(await call()).toMatchObject({ exception: 'odoo.exceptions.AccessError', code: 'forbidden' });
    fault = { faultCode: 3, faultString: 'Access Denied' };
    expect(await call()).toMatchObject({ exception: 'odoo.exceptions.AccessDenied', code: 'unauthenticated' });
    fault = { faultCode: 1, faultString: 'Traceback (most recent call last):\n  File "x.py", line 1\nValueError: Invalid field account.move.nope in leaf (\'nope\', \'=\', 1)\n' };
    expect(await call()).toMatchObject({ exception: 'builtins.ValueError', code: 'bad_request', odooMessage: "Invalid field account.move.nope in leaf ('nope', '=', 1)" });
  });

  it('reads the exception out of a traceback', () => {
    expect(exceptionOfFault(1, 'Traceback (most recent call last):\n  File "a"\npsycopg2.errors.UndefinedTable: relation "x" does not exist\nLINE 1: select\n')).toEqual({ exception: 'psycopg2.errors.UndefinedTable', message: 'relation "x" does not exist\nLINE 1: select' });
    expect(exceptionOfFault(1, 'Traceback:\nodoo.exceptions.MissingError: Record does not exist')).toEqual({ exception: 'odoo.exceptions.MissingError', message: 'Record does not exist' });
    expect(exceptionOfFault(1, 'something odd')).toEqual({ exception: 'builtins.Exception', message: 'something odd' });
  });

  it('times out, honours an abort signal, and reports HTTP errors and foreign answers as unavailable', async () => {
    handler = () => undefined; // never answers
    const client = new OdooClient({ url, db: 'prod', timeoutMs: 50 });
    const timedOut = await client.version().catch((e: unknown) => e);
    expect(isAppError(timedOut, 'timeout')).toBe(true);
    expect((timedOut as Error).message).toBe('Cannot read the Odoo version: timed out');
    const ac = new AbortController();
    const pending = client.version({ signal: ac.signal, timeoutMs: 60_000 }).catch((e: unknown) => e);
    ac.abort(new Error('user went away'));
    expect(((await pending) as Error).message).toBe('user went away');

    // The answers below come back at once; the 50 ms client above would time out on a loaded machine.
    const answering = new OdooClient({ url, db: 'prod' });
    handler = (_req, _body, res) => json(res, { message: 'nope' }, 502);
    expect(await answering.version().catch((e: unknown) => e)).toMatchObject({ code: 'unavailable', message: 'Cannot read the Odoo version: Odoo answered HTTP 502' });
    handler = (_req, _body, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<html>login</html>');
    };
    expect(await answering.version().catch((e: unknown) => e)).toMatchObject({ code: 'unavailable', message: 'Cannot read the Odoo version: Odoo sent something other than JSON' });
    handler = (_req, _body, res) => json(res, { jsonrpc: '2.0', id: -1, result: {} });
    expect(await answering.version().catch((e: unknown) => e)).toMatchObject({ code: 'unavailable', message: 'Cannot read the Odoo version: Odoo sent a JSON-RPC answer to another request' });
    const xml = new OdooClient({ url, db: 'prod', protocol: 'xmlrpc' });
    handler = (_req, _body, res) => res.end('<methodResponse><params>');
    expect(await xml.version().catch((e: unknown) => e)).toMatchObject({ code: 'unavailable', message: expect.stringMatching(/^Cannot read the Odoo version: Odoo sent a malformed XML-RPC answer/) });
    const refused = new OdooClient({ url: 'http://127.0.0.1:1', db: 'prod' });
    expect(await refused.version().catch((e: unknown) => e)).toMatchObject({ code: 'unavailable' });
  });
});
