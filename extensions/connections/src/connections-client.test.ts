import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ServerConnection } from '@jupyterlab/services';
import { ConnectionsError } from './connections-api';
import { ConnectionsClient } from './connections-client';

/** A real HTTP server on port 0 answering every request with `status` and `body`, recording what it was sent. */
async function answering(status: number, body: object): Promise<{ server: Server; baseUrl: string; seen: string[] }> {
  const seen: string[] = [];
  const server = createServer((req, res) => {
    seen.push(`${req.method} ${req.url}`);
    res.writeHead(status, { 'Content-Type': 'application/json' }).end(JSON.stringify(body));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, seen };
}

const client = (baseUrl: string) => new ConnectionsClient({ serverSettings: ServerConnection.makeSettings({ baseUrl, wsUrl: baseUrl.replace('http', 'ws'), token: 't', appendToken: false }) });

describe('ConnectionsClient', () => {
  let server: Server | undefined;
  afterEach(async () => {
    await new Promise((resolve) => server?.close(resolve));
    server = undefined;
  });

  it("keeps the failed test a refused activation carries (409), with the server's message", async () => {
    const test = { ok: false, stage: 'auth', message: 'Cannot call http://x/health: 401 Unauthorized: the bearer token was not accepted', elapsed_ms: 4, status: 401 };
    const s = await answering(409, { message: 'Cannot activate the new credential of connection api: it fails its test, so the credential in use stays: ...', reason: null, code: 'conflict', test });
    server = s.server;
    const err = await client(s.baseUrl).activateRotation('api').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConnectionsError);
    expect(err).toMatchObject({ kind: 'conflict', status: 409, message: expect.stringMatching(/^Cannot activate the new credential of connection api: it fails its test/), test });
    expect(s.seen).toEqual(['POST /api/connections/api/rotate/activate']);
  });

  it('has no test on other refusals', async () => {
    const s = await answering(409, { message: 'Cannot activate the new credential of connection api: no rotation is staged (POST .../rotate first)', reason: null, code: 'conflict' });
    server = s.server;
    const err = await client(s.baseUrl).activateRotation('api').catch((e: unknown) => e);
    expect(err).toMatchObject({ kind: 'conflict', test: undefined });
  });
});
