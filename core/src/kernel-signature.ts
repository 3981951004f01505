/**
 * How code in a kernel speaks to the gateway as the kernel's owner, with
 * nothing but what the kernel already holds: its Jupyter signing key (the
 * `key` of its connection file, the HMAC key of every message it sends).
 * No token or credential is put in the kernel's environment, and a pooled
 * kernel, started before anyone owned it, works the same.
 *
 *   Authorization: WorkbenchKernel <kernel_id>:<unix_seconds>:<hex>
 *   hex = HMAC-SHA256(key, "<kernel_id>\n<unix_seconds>\n<METHOD>\n<path?query>\n<sha256 hex of the body>")
 *
 * The path is the request target as sent (base URL included). A signature
 * is good for MAX_SKEW_S either way of the server's clock. What a kernel may
 * reach this way is limited per route (server/http RouteDef.kernelAccess): querying its
 * owner's connections and reading the catalog; nothing else.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

export const KERNEL_AUTH_SCHEME = 'WorkbenchKernel';
export const MAX_SKEW_S = 300;

export interface KernelSignatureInput {
  kernelId: string;
  key: string;
  unixSeconds: number;
  method: string;
  path: string;
  body: Buffer | string;
}

export const sha256Hex = (body: Buffer | string) => createHash('sha256').update(body).digest('hex');

export function kernelSignature(i: KernelSignatureInput): string {
  return createHmac('sha256', i.key).update(`${i.kernelId}\n${i.unixSeconds}\n${i.method.toUpperCase()}\n${i.path}\n${sha256Hex(i.body)}`).digest('hex');
}

export function kernelAuthorization(i: KernelSignatureInput): string {
  return `${KERNEL_AUTH_SCHEME} ${i.kernelId}:${i.unixSeconds}:${kernelSignature(i)}`;
}

export interface KernelClaim {
  kernelId: string;
  unixSeconds: number;
  signature: string;
}

/** The parts of a `WorkbenchKernel` Authorization header; undefined for any other header. */
export function parseKernelAuthorization(header: string | undefined): KernelClaim | undefined {
  if (!header?.startsWith(`${KERNEL_AUTH_SCHEME} `)) return undefined;
  const m = /^([A-Za-z0-9-]{1,64}):(\d{1,12}):([0-9a-f]{64})$/.exec(header.slice(KERNEL_AUTH_SCHEME.length + 1).trim());
  if (!m) return undefined;
  return { kernelId: m[1]!, unixSeconds: Number(m[2]), signature: m[3]! };
}

/** Whether the claim is a signature by `key` of this request, made within MAX_SKEW_S of `nowMs`. Constant time in the signature. */
export function verifyKernelClaim(claim: KernelClaim, key: string, request: { method: string; path: string; bodySha256: string }, nowMs: number): boolean {
  if (Math.abs(nowMs / 1000 - claim.unixSeconds) > MAX_SKEW_S) return false;
  const expected = createHmac('sha256', key).update(`${claim.kernelId}\n${claim.unixSeconds}\n${request.method.toUpperCase()}\n${request.path}\n${request.bodySha256}`).digest('hex');
  return expected.length === claim.signature.length && timingSafeEqual(Buffer.from(expected), Buffer.from(claim.signature));
}
