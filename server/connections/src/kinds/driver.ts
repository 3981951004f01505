/**
 * A kind of connection, as the manager sees it: the shape of its settings
 * and of its credential (validated at the trust boundary), whether a
 * credential fits the settings, and its test. Each kind's file also has
 * the factory of what the manager hands out (a pool, a REST client, an S3
 * client, an SFTP connection); those differ too much to share a signature.
 */
import type { z } from 'zod';
import type { TestOptions, TestResult } from '../test-result';

export interface KindDriver<K extends string, S, C> {
  readonly kind: K;
  readonly settingsSchema: z.ZodType<S>;
  /** Undefined: the kind takes no credential (DuckDB files). */
  readonly credentialSchema: z.ZodType<C> | undefined;
  /** Why `credential` cannot serve `settings` (REST auth "basic" needs a password), or undefined when it can. */
  credentialMismatch?(settings: S, credential: C): string | undefined;
  /** Connect with these settings and credential once and say what works. Never throws. */
  test(settings: S, credential: C | undefined, options: TestOptions): Promise<TestResult>;
}
