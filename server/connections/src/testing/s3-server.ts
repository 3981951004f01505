/**
 * An S3-compatible server of the test's own: moto's `moto_server` (the
 * Python moto project, https://github.com/getmoto/moto) on 127.0.0.1,
 * port 0 (it prints the port it got).
 *
 * Why moto: it is maintained (releases every few weeks) and, with IAM
 * authentication switched on (its /moto-api/reset-auth), it checks what a
 * real S3 checks at the login: SigV4 signatures (SignatureDoesNotMatch),
 * unknown access keys (InvalidAccessKeyId) and the user's IAM policy
 * (AccessDenied), besides NoSuchBucket. The alternatives weighed:
 *  - npm `s3rver` (last release 2021): knows access key ids but does not
 *    verify SigV4 signatures ("V4 signatures have incomplete support" in
 *    its source) and has no policies, so neither a wrong secret nor
 *    AccessDenied could be shown.
 *  - Debian bookworm has no moto package (python3-moto left Debian before
 *    bookworm) and no MinIO, Garage or SeaweedFS.
 * moto comes with this machine kind's Python (pyenv: moto 5.2.1 with
 * Flask, listed among the packages of the node-svc image); it cannot be
 * installed from the registries these machines reach, so scripts/setup.js
 * cannot add it. `moto_server` missing fails the start with a message
 * saying so.
 *
 * Where moto is not S3 (and the tests allow for it):
 *  - HeadBucket is authorised as the action s3:HeadBucket (AWS: it needs
 *    s3:ListBucket), which lets a test give a user HeadBucket without
 *    ListBucket (a listing then refused).
 *  - In server mode it computes the signature over a decoded query: a
 *    request whose query holds "/" (ListObjectsV2 with Prefix
 *    "exports/") fails with SignatureDoesNotMatch though correctly
 *    signed. Tests that list such a prefix switch authentication off
 *    (`enforceAuth(false)`) and say so.
 *  - IAM policies are matched on actions only (moto ignores Resource).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';

export interface TestS3Server extends AsyncDisposable {
  /** http://127.0.0.1:<port> */
  endpoint: string;
  region: 'us-east-1';
  /** A bucket with objects (key -> content). Call while authentication is off (the default until enforceAuth). */
  createBucket(name: string, objects?: Record<string, string>): Promise<void>;
  /** An IAM user allowed `actions` ("s3:ListBucket", ...), and an access key of it. Call while authentication is off. */
  createUser(name: string, actions: string[]): Promise<{ access_key_id: string; secret_access_key: string }>;
  /** From now on (true) every request must be signed by a known key and is checked against its user's policy; false: anything goes. */
  enforceAuth(on: boolean): Promise<void>;
  /** moto's log so far. */
  log(): string;
}

const IAM_VERSION = '2010-05-08';

export async function startTestS3Server(): Promise<TestS3Server> {
  let child: ChildProcess;
  try {
    // Its own process group: moto_server may be a launcher (pyenv's shim) that runs Python under it.
    child = spawn('moto_server', ['-H', '127.0.0.1', '-p', '0'], { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  } catch (err) {
    throw new Error(`Cannot start the test S3 server: ${String(err)}`);
  }
  let log = '';
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const port = await new Promise<number>((resolve, reject) => {
    const onData = (b: Buffer) => {
      log += b.toString();
      const m = /Running on http:\/\/127\.0\.0\.1:(\d+)/.exec(log);
      if (m) resolve(Number(m[1]));
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('error', (err) => reject(new Error(`Cannot start the test S3 server: moto_server could not be run (${err.message}); it comes with the machine's Python (pip package moto, with Flask)`)));
    child.once('exit', (code) => reject(new Error(`Cannot start the test S3 server (moto_server exit ${code}):\n${log}`)));
  });
  const endpoint = `http://127.0.0.1:${port}`;
  const region = 'us-east-1' as const;
  // While authentication is off moto checks nothing; these keys only route the requests.
  const admin = new S3Client({ endpoint, region, forcePathStyle: true, credentials: { accessKeyId: 'AKIAADMINSETUP000000', secretAccessKey: 'setup' }, requestChecksumCalculation: 'WHEN_REQUIRED' });

  /** An IAM Query API call (unsigned: only while authentication is off). */
  const iam = async (params: Record<string, string>): Promise<string> => {
    const res = await fetch(`${endpoint}/`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        // moto routes by the credential scope's service.
        authorization: `AWS4-HMAC-SHA256 Credential=AKIAADMINSETUP000000/20240101/${region}/iam/aws4_request, SignedHeaders=host, Signature=0`,
      },
      body: new URLSearchParams({ Version: IAM_VERSION, ...params }),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`Cannot ${params.Action} in the test S3 server: ${res.status} ${text.slice(0, 300)}`);
    return text;
  };
  const tag = (xml: string, name: string) => new RegExp(`<${name}>([^<]*)</${name}>`).exec(xml)?.[1] ?? '';

  let disposed: Promise<void> | undefined;
  return {
    endpoint,
    region,
    async createBucket(name, objects = {}) {
      await admin.send(new CreateBucketCommand({ Bucket: name }));
      for (const [key, body] of Object.entries(objects)) await admin.send(new PutObjectCommand({ Bucket: name, Key: key, Body: body }));
    },
    async createUser(name, actions) {
      await iam({ Action: 'CreateUser', UserName: name });
      const key = await iam({ Action: 'CreateAccessKey', UserName: name });
      if (actions.length > 0) {
        await iam({ Action: 'PutUserPolicy', UserName: name, PolicyName: 'test', PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: actions, Resource: '*' }] }) });
      }
      return { access_key_id: tag(key, 'AccessKeyId'), secret_access_key: tag(key, 'SecretAccessKey') };
    },
    async enforceAuth(on) {
      // The number of requests still let through unauthenticated.
      const res = await fetch(`${endpoint}/moto-api/reset-auth`, { method: 'POST', body: on ? '0' : 'inf' });
      if (!res.ok) throw new Error(`Cannot switch authentication ${on ? 'on' : 'off'} in the test S3 server: ${res.status}`);
      await res.text();
    },
    log: () => log,
    [Symbol.asyncDispose]() {
      disposed ??= (async () => {
        admin.destroy();
        try {
          process.kill(-child.pid!, 'SIGTERM');
        } catch {
          // already gone
        }
        await exited;
      })();
      return disposed;
    },
  };
}
