/**
 * S3-compatible object storage (AWS S3, MinIO, Ceph, Garage...): endpoint,
 * region, bucket, a prefix the connection is for, path-style addressing;
 * the credential is an access key id and its secret key (none: anonymous,
 * unsigned requests, for public buckets). The SDK's default credential
 * chain (environment, ~/.aws, instance metadata) is never used.
 *
 * `test` does HeadBucket, then lists the prefix (one page of 10), and
 * tells apart: the host name, a refused connection, TLS, a timeout, an
 * unknown access key (InvalidAccessKeyId), a wrong secret
 * (SignatureDoesNotMatch), no such bucket, the bucket in another region,
 * and access denied. A 403 to HeadBucket has no body (HEAD answers carry
 * none), so the listing that follows names the reason.
 */
import { rootCertificates } from 'node:tls';
import { HeadBucketCommand, ListObjectsV2Command, S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { z } from 'zod';
import { startTest, type TestOptions, type TestResult, type TestStage } from '../test-result';
import type { KindDriver } from './driver';
import { diagnoseNetwork } from './network-errors';
import { httpUrl, pemCertificates } from './schema-parts';

export const s3SettingsSchema = z
  .object({
    /** An S3-compatible server's URL; absent: AWS S3 in `region`. */
    endpoint: httpUrl.optional(),
    region: z.string().min(1).max(64).regex(/^[a-z0-9-]+$/, 'must be a region name like us-east-1').default('us-east-1'),
    bucket: z.string().min(3).max(63).regex(/^[a-z0-9][a-z0-9.-]*[a-z0-9]$/, 'must be an S3 bucket name (lowercase letters, digits, . and -)'),
    /** The part of the bucket this connection is for ("exports/"); "" for all of it. */
    prefix: z.string().max(1024).default(''),
    /** Address buckets as <endpoint>/<bucket> rather than <bucket>.<endpoint>; most S3-compatible servers want this. */
    force_path_style: z.boolean().default(false),
    /** PEM of a private CA to trust besides the system's. */
    ca: pemCertificates.optional(),
    timeouts: z
      .object({
        connect_s: z.number().int().min(1).max(120).default(10),
        request_s: z.number().int().min(1).max(3600).default(60),
      })
      .strict()
      .default({ connect_s: 10, request_s: 60 }),
    /** Tries per call, the first included (the SDK's retry of throttling and transient errors). */
    max_attempts: z.number().int().min(1).max(10).default(3),
  })
  .strict();
export type S3Settings = z.infer<typeof s3SettingsSchema>;

export const s3CredentialSchema = z.object({ access_key_id: z.string().min(1).max(256), secret_access_key: z.string().min(1).max(1024) }).strict();
export type S3Credential = z.infer<typeof s3CredentialSchema>;

/** What the manager hands out: the client (the manager closes it) and where in the bucket the connection points. */
export interface S3Handle {
  client: S3Client;
  bucket: string;
  prefix: string;
  /** `name` under the prefix, taken as a folder. */
  key(name: string): string;
}

/**
 * Node's own socket errors (ENOTFOUND, ECONNREFUSED, certificate codes)
 * can be objects of another realm (a test runner's vm context); the SDK's
 * retry middleware would then replace them with a bare Error without their
 * code. Here they are re-made in this realm, with the original as cause.
 */
class SameRealmHandler extends NodeHttpHandler {
  override handle(...args: Parameters<NodeHttpHandler['handle']>): ReturnType<NodeHttpHandler['handle']> {
    return super.handle(...args).catch((err: unknown) => {
      if (err instanceof Error || typeof err !== 'object' || err === null) throw err;
      const e = err as { message?: unknown; name?: unknown; code?: unknown; errno?: unknown; syscall?: unknown; hostname?: unknown };
      const copy = new Error(String(e.message ?? 'socket error'), { cause: err });
      if (typeof e.name === 'string') copy.name = e.name;
      throw Object.assign(copy, { code: e.code, errno: e.errno, syscall: e.syscall, hostname: e.hostname });
    });
  }
}

export function s3ClientConfig(s: S3Settings, c: S3Credential | undefined, maxAttempts = s.max_attempts): S3ClientConfig {
  return {
    region: s.region,
    ...(s.endpoint ? { endpoint: s.endpoint } : {}),
    forcePathStyle: s.force_path_style,
    maxAttempts,
    // Anonymous: unsigned requests, and no credential chain looked up.
    credentials: c ? { accessKeyId: c.access_key_id, secretAccessKey: c.secret_access_key } : { accessKeyId: '', secretAccessKey: '' },
    ...(c ? {} : { signer: { sign: async (request) => request } }),
    // Checksums only where S3 requires them: many S3-compatible servers refuse the SDK's newer default (CRC32 trailers).
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    requestHandler: new SameRealmHandler({
      connectionTimeout: s.timeouts.connect_s * 1000,
      requestTimeout: s.timeouts.request_s * 1000,
      throwOnRequestTimeout: true,
      httpAgent: { keepAlive: true },
      httpsAgent: { keepAlive: true, ...(s.ca ? { ca: [...rootCertificates, s.ca] } : {}) },
    }),
  };
}

export function openS3(s: S3Settings, c: S3Credential | undefined): S3Handle {
  const prefix = s.prefix;
  // The prefix is a folder for key(): "exports" and "exports/" both give "exports/<name>".
  const folder = prefix === '' || prefix.endsWith('/') ? prefix : `${prefix}/`;
  return { client: new S3Client(s3ClientConfig(s, c)), bucket: s.bucket, prefix, key: (name) => `${folder}${name.replace(/^\/+/, '')}` };
}

interface SdkError {
  name?: string;
  Code?: string;
  $metadata?: { httpStatusCode?: number };
  $response?: { headers?: Record<string, string | undefined> };
}

export async function testS3(s: S3Settings, c: S3Credential | undefined, options: TestOptions = {}): Promise<TestResult> {
  const done = startTest(options);
  const where = s.endpoint ?? `AWS S3 (${s.region})`;
  const host = s.endpoint ? new URL(s.endpoint).hostname : `s3.${s.region}.amazonaws.com`;
  const target = `s3://${s.bucket}/${s.prefix}`;
  // One try: the test reports the first answer.
  const client = new S3Client(s3ClientConfig(s, c, 1));
  const as = c ? '' : ' (anonymously: no credential is stored)';
  const send = { abortSignal: options.signal };

  const fail = (err: unknown, action: string): TestResult => {
    if (options.signal?.aborted) return done('timeout', `Cannot ${action}: the test was cancelled`);
    const net = diagnoseNetwork(err, host, `connect to ${where}`);
    if (net) return done(net.stage, net.message);
    const e = err as SdkError;
    const code = e.Code ?? e.name ?? 'Unknown';
    const status = e.$metadata?.httpStatusCode;
    const refuse = (stage: TestStage, state: string) => done(stage, `Cannot ${action}: ${state}`);
    switch (code) {
      case 'InvalidAccessKeyId':
        return refuse('auth', `the access key id is not known at ${where}`);
      case 'SignatureDoesNotMatch':
        return refuse('auth', 'the secret access key does not match the access key id');
      case 'InvalidToken':
      case 'ExpiredToken':
      case 'TokenRefreshRequired':
        return refuse('auth', `the credential is not accepted (${code})`);
      case 'AccessDenied':
        return refuse('permission', `access denied${as}`);
      case 'NoSuchBucket':
      case 'NotFound':
        return refuse('not_found', `no bucket ${s.bucket} at ${where}`);
      case 'PermanentRedirect':
      case 'AuthorizationHeaderMalformed':
      case 'IllegalLocationConstraintException': {
        const region = e.$response?.headers?.['x-amz-bucket-region'];
        return refuse('query', `the bucket is in ${region ? `region ${region}` : 'another region'}, not ${s.region} (set settings.region)`);
      }
    }
    if (status === 301) return refuse('query', `the bucket is in another region, not ${s.region} (set settings.region)`);
    return refuse('query', `the server answered ${status === undefined ? code : `${status} (${code})`}`);
  };

  try {
    let headForbidden = false;
    try {
      await client.send(new HeadBucketCommand({ Bucket: s.bucket }), send);
    } catch (err) {
      // A HEAD answer has no body: a 403 says neither "unknown key" nor "wrong secret" nor "denied"; the listing below does.
      if ((err as SdkError).$metadata?.httpStatusCode === 403) headForbidden = true;
      else return fail(err, `use bucket ${s.bucket} at ${where}`);
    }
    let listed;
    try {
      listed = await client.send(new ListObjectsV2Command({ Bucket: s.bucket, ...(s.prefix ? { Prefix: s.prefix } : {}), MaxKeys: 10 }), send);
    } catch (err) {
      return fail(err, headForbidden ? `use bucket ${s.bucket} at ${where}` : `list ${target} at ${where}`);
    }
    const n = listed.KeyCount ?? listed.Contents?.length ?? 0;
    return done('ok', `Listed ${target} at ${where}${as}: ${n}${listed.IsTruncated ? '+' : ''} object${n === 1 ? '' : 's'}`);
  } finally {
    client.destroy();
  }
}

export const s3Driver: KindDriver<'s3', S3Settings, S3Credential> = {
  kind: 's3',
  settingsSchema: s3SettingsSchema,
  credentialSchema: s3CredentialSchema,
  test: testS3,
};
