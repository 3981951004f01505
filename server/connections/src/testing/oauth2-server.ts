/**
 * A real OAuth2 authorization server for the client-credentials grant
 * (RFC 6749 4.4): npm `oidc-provider` (the certified implementation the
 * repo's auth tests use, server/auth/src/testing/oidc-provider.ts) with
 * its clientCredentials feature on, in process on 127.0.0.1 port 0. The
 * token endpoint, client authentication (client_secret_basic or
 * client_secret_post), scope checks, token lifetimes and opaque tokens
 * are the library's; `verify` looks a token up in the provider, as a
 * resource server's introspection would.
 *
 * oidc-provider 9 is ESM-only and is loaded through Node's own require;
 * on Node 20 it prints "Unsupported runtime" once (it asks for Node >= 22);
 * it works. It tells configuration objects by `constructor === Object`, so
 * they are rebuilt in the main realm (jest runs tests in a vm context).
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface TestOAuth2Client {
  clientId: string;
  clientSecret: string;
  /** Scopes the client may ask for. */
  scopes: string[];
  tokenEndpointAuthMethod?: 'client_secret_basic' | 'client_secret_post';
}

export interface TestOAuth2Server extends AsyncDisposable {
  issuer: string;
  tokenUrl: string;
  /** Token requests that reached the token endpoint (any outcome). */
  tokenRequests(): number;
  /** The client and scopes of a valid (known, unexpired) access token; undefined otherwise. */
  verify(token: string): Promise<{ clientId: string; scopes: string[] } | undefined>;
  /** Make a token invalid (as a revocation would). */
  revoke(token: string): Promise<void>;
}

interface ClientCredentialsToken {
  clientId: string;
  scope?: string;
  isExpired: boolean;
  destroy(): Promise<void>;
}
interface ProviderInstance {
  callback(): (req: IncomingMessage, res: ServerResponse) => void;
  ClientCredentials: { find(value: string): Promise<ClientCredentialsToken | undefined> };
  silent: boolean;
}
type ProviderConstructor = new (issuer: string, configuration: object) => ProviderInstance;

let providerModule: { Provider: ProviderConstructor } | undefined;
function loadProvider(): { Provider: ProviderConstructor } {
  providerModule ??= process.getBuiltinModule('node:module').createRequire(__filename)('oidc-provider') as { Provider: ProviderConstructor };
  return providerModule;
}

let realm: { Object: ObjectConstructor; Array: ArrayConstructor } | undefined;
function mainRealm<T>(value: T): T {
  realm ??= process.getBuiltinModule('node:vm').runInThisContext('({ Object, Array })') as { Object: ObjectConstructor; Array: ArrayConstructor };
  if (Array.isArray(value)) {
    const out = new realm.Array();
    for (const v of value) out.push(mainRealm(v));
    return out as T;
  }
  if (typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === Object.prototype) {
    const out = new realm.Object() as Record<string, unknown>;
    for (const [k, v] of Object.entries(value)) out[k] = mainRealm(v);
    return out as T;
  }
  return value;
}

/** oidc-provider's storage, in memory (its own built-in one warns at every start). One per server. */
function memoryAdapter() {
  const entries = new Map<string, { payload: Record<string, unknown>; expiresAt: number }>();
  class MemoryAdapter {
    constructor(private readonly model: string) {}
    private key(id: string) {
      return `${this.model}:${id}`;
    }
    async upsert(id: string, payload: Record<string, unknown>, expiresIn: number) {
      entries.set(this.key(id), { payload, expiresAt: Date.now() + expiresIn * 1000 });
    }
    async find(id: string) {
      const e = entries.get(this.key(id));
      return e && e.expiresAt > Date.now() ? e.payload : undefined;
    }
    async findByUid() {
      return undefined;
    }
    async findByUserCode() {
      return undefined;
    }
    async consume(id: string) {
      const e = entries.get(this.key(id));
      if (e) e.payload.consumed = Math.floor(Date.now() / 1000);
    }
    async destroy(id: string) {
      entries.delete(this.key(id));
    }
    async revokeByGrantId() {
      // no grants in client credentials
    }
  }
  // A factory: oidc-provider calls it per model (it does not `new` a class from another realm).
  return (model: string) => new MemoryAdapter(model);
}

export async function startTestOAuth2Server(options: { clients: TestOAuth2Client[]; scopes: string[]; tokenTtlSeconds?: number }): Promise<TestOAuth2Server> {
  const { Provider } = loadProvider();
  let handler: ((req: IncomingMessage, res: ServerResponse) => void) | undefined;
  let tokenRequests = 0;
  const server = createServer((req, res) => {
    req.on('error', () => res.destroy());
    if (req.url?.startsWith('/token')) tokenRequests++;
    if (handler) handler(req, res);
    else res.writeHead(503).end();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  let provider: ProviderInstance;
  try {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    provider = new Provider(
      issuer,
      mainRealm({
        clients: options.clients.map((c) => ({
          client_id: c.clientId,
          client_secret: c.clientSecret,
          token_endpoint_auth_method: c.tokenEndpointAuthMethod ?? 'client_secret_basic',
          grant_types: ['client_credentials'],
          response_types: [],
          redirect_uris: [],
          scope: c.scopes.join(' '),
        })),
        scopes: options.scopes,
        features: { clientCredentials: { enabled: true }, devInteractions: { enabled: false } },
        ttl: { ClientCredentials: options.tokenTtlSeconds ?? 600 },
        jwks: { keys: [{ ...privateKey.export({ format: 'jwk' }), kid: 'test-rs256', alg: 'RS256', use: 'sig' }] },
        cookies: { keys: [randomBytes(32).toString('hex')] },
        clientBasedCORS: () => false,
        adapter: memoryAdapter(),
      }),
    );
    provider.silent = true;
    handler = provider.callback();
  } catch (err) {
    server.close();
    throw err;
  }
  let stopped: Promise<void> | undefined;
  return {
    issuer,
    tokenUrl: `${issuer}/token`,
    tokenRequests: () => tokenRequests,
    async verify(token) {
      const t = await provider.ClientCredentials.find(token);
      if (!t || t.isExpired) return undefined;
      return { clientId: t.clientId, scopes: t.scope ? t.scope.split(' ') : [] };
    },
    async revoke(token) {
      await (await provider.ClientCredentials.find(token))?.destroy();
    },
    [Symbol.asyncDispose]() {
      stopped ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return stopped;
    },
  };
}
