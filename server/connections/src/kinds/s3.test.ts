/**
 * S3 connections against a real S3-compatible server of the test's own
 * (moto, with authentication on: signatures, access keys and IAM policies
 * are checked; see ../testing/s3-server.ts for where moto differs from S3):
 * each way the test can fail, the secret never in a message, and the
 * client the manager hands out, reopened after a change.
 */
import { GetObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { isAppError } from '@workbench/core';
import type { ConnectionManager } from '../connection-manager';
import { openTestConnections, type TestConnections } from '../testing/manager';
import { startTestS3Server, type TestS3Server } from '../testing/s3-server';
import { makeSelfSignedCertificate, startTlsFront, type TestCertificate, type TlsFront } from '../testing/tls';
import { s3SettingsSchema, testS3, type S3Credential } from './s3';

jest.setTimeout(60_000);

let s3: TestS3Server;
let cert: TestCertificate;
let front: TlsFront;
let reader: S3Credential;
let headOnly: S3Credential;
let nobody: S3Credential;
let managed: TestConnections;
let connections: ConnectionManager;

const settings = (extra: object = {}) => s3SettingsSchema.parse({ endpoint: s3.endpoint, bucket: 'ledger', prefix: 'exports', force_path_style: true, timeouts: { connect_s: 2, request_s: 5 }, ...extra });

beforeAll(async () => {
  s3 = await startTestS3Server();
  await s3.createBucket('ledger', { 'exports/2024/tb.csv': 'account,balance\n', 'exports/2024/gl.csv': 'entry\n', 'other/notes.txt': 'x' });
  reader = await s3.createUser('reader', ['s3:HeadBucket', 's3:ListBucket', 's3:GetObject']);
  headOnly = await s3.createUser('head-only', ['s3:HeadBucket']);
  nobody = await s3.createUser('nobody', []);
  await s3.enforceAuth(true);
  cert = makeSelfSignedCertificate();
  front = await startTlsFront(Number(new URL(s3.endpoint).port), cert);
  managed = await openTestConnections({ prefix: 'wb-conn-s3-' });
  ({ connections } = managed);
});

afterAll(async () => {
  await managed?.[Symbol.asyncDispose]();
  await front?.[Symbol.asyncDispose]();
  await s3?.[Symbol.asyncDispose]();
});

describe('s3 test', () => {
  it('heads the bucket and lists the prefix', async () => {
    const r = await testS3(settings(), reader);
    expect(r).toMatchObject({ ok: true, stage: 'ok', message: `Listed s3://ledger/exports at ${s3.endpoint}: 2 objects` });
  });

  it('says exactly what failed: host name, port, TLS, access key, secret, bucket, permission', async () => {
    const wrongSecret = { ...reader, secret_access_key: 'Not-The-Secret-Key-123' };
    const cases: [object, S3Credential | undefined, string, RegExp][] = [
      [{ endpoint: 'http://no-such-host.invalid:9000' }, reader, 'dns', /^Cannot resolve host no-such-host\.invalid: no such host name \(DNS\)$/],
      [{ endpoint: 'http://127.0.0.1:1' }, reader, 'network', /^Cannot connect to http:\/\/127\.0\.0\.1:1: connection refused/],
      [{ endpoint: s3.endpoint.replace('http:', 'https:') }, reader, 'tls', /over TLS: no TLS handshake \(the server does not speak TLS on that port/],
      [{ endpoint: `https://127.0.0.1:${front.port}` }, reader, 'tls', /over TLS: the server's certificate is not trusted for 127\.0\.0\.1 \(DEPTH_ZERO_SELF_SIGNED_CERT\); give its CA in settings\.ca$/],
      [{}, { access_key_id: 'AKIANOSUCHKEY0000000', secret_access_key: 'whatever-secret' }, 'auth', /^Cannot use bucket ledger at .*: the access key id is not known at /],
      [{}, wrongSecret, 'auth', /^Cannot use bucket ledger at .*: the secret access key does not match the access key id$/],
      [{ bucket: 'no-such-bucket' }, reader, 'not_found', /^Cannot use bucket no-such-bucket at .*: no bucket no-such-bucket at /],
      [{}, headOnly, 'permission', /^Cannot list s3:\/\/ledger\/exports at .*: access denied$/],
      [{}, nobody, 'permission', /^Cannot use bucket ledger at .*: access denied$/],
    ];
    for (const [s, credential, stage, message] of cases) {
      const r = await testS3(settings(s), credential);
      expect([s, r.ok, r.stage, r.message]).toEqual([s, false, stage, expect.stringMatching(message)]);
      expect(r.message).not.toContain(wrongSecret.secret_access_key);
      expect(r.message).not.toContain(reader.secret_access_key);
    }
    // TLS that works: the private CA given.
    expect(await testS3(settings({ endpoint: `https://127.0.0.1:${front.port}`, ca: cert.cert }), reader)).toMatchObject({ ok: true, stage: 'ok' });
  });

  it('lists a prefix with a slash, and anonymously (both with authentication off: moto checks signatures wrongly there, and fails unsigned requests with a 500)', async () => {
    // moto in server mode signs over a decoded query and refuses Prefix=exports/2024/ though correctly signed; see testing/s3-server.ts.
    await s3.enforceAuth(false);
    try {
      expect(await testS3(settings({ prefix: 'exports/2024/' }), reader)).toMatchObject({ ok: true, message: expect.stringMatching(/Listed s3:\/\/ledger\/exports\/2024\/ at .*: 2 objects$/) });
      expect(await testS3(settings({ prefix: 'nothing-here/' }), reader)).toMatchObject({ ok: true, message: expect.stringMatching(/: 0 objects$/) });
      // No credential: unsigned requests (a public bucket), and the SDK's credential chain is not consulted.
      expect(await testS3(settings(), undefined)).toMatchObject({ ok: true, message: `Listed s3://ledger/exports at ${s3.endpoint} (anonymously: no credential is stored): 2 objects` });
    } finally {
      await s3.enforceAuth(true);
    }
  });
});

describe('s3 connections', () => {
  it('hands out a client for the bucket and prefix, reopened after a settings or credential change', async () => {
    await connections.create({ name: 'statements', kind: 's3', settings: settings(), credential: reader }, 'emil');
    expect(await connections.test('statements')).toMatchObject({ ok: true });
    const first = await connections.s3('statements');
    expect(await connections.s3('statements')).toBe(first);
    expect([first.bucket, first.prefix, first.key('/2024/tb.csv')]).toEqual(['ledger', 'exports', 'exports/2024/tb.csv']);
    const object = await first.client.send(new GetObjectCommand({ Bucket: first.bucket, Key: 'exports/2024/tb.csv' }));
    expect(await object.Body!.transformToString()).toBe('account,balance\n');

    // A new secret that does not work is staged and refused; the client in use stays.
    const bad = await connections.stageRotation('statements', { ...reader, secret_access_key: 'rotated-but-wrong-secret' }, 'emil');
    expect(bad.test).toMatchObject({ ok: false, stage: 'auth' });
    expect(JSON.stringify(bad)).not.toContain('rotated-but-wrong-secret');
    expect(await connections.activateRotation('statements', 'emil').catch((e: unknown) => isAppError(e, 'conflict'))).toBe(true);
    expect(await connections.s3('statements')).toBe(first);
    await connections.cancelRotation('statements', 'emil');

    // A settings change: a new client; the old one was destroyed.
    await connections.update('statements', { settings: settings({ prefix: 'other' }) }, 'emil');
    const second = await connections.s3('statements');
    expect(second).not.toBe(first);
    expect(second.prefix).toBe('other');
    const listed = await second.client.send(new ListObjectsV2Command({ Bucket: second.bucket, Prefix: second.prefix }));
    expect(listed.Contents?.map((o) => o.Key)).toEqual(['other/notes.txt']);

    // Other kinds' accessors refuse it.
    await expect(connections.pool('statements')).rejects.toThrow(/Cannot use connection statements as PostgreSQL: it is a s3 connection/);
    await connections.delete('statements');
  });

  it('refuses a credential of the wrong shape with a 400 that does not show it', async () => {
    const err = await connections.create({ name: 'x', kind: 's3', settings: settings(), credential: { access_key_id: 'AKIA', secret: 'Sekrit-Value-99' } }, 'emil').catch((e: unknown) => e);
    expect(isAppError(err, 'bad_request') && err.message).toMatch(/^Cannot create connection: credential: /);
    expect((err as Error).message).not.toContain('Sekrit-Value-99');
  });
});
