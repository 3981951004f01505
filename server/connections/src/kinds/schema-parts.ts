/** Setting shapes that several kinds share. */
import { z } from 'zod';

/** An http:// or https:// URL without a user name or password in it (those are credentials). */
export const httpUrl = z
  .string()
  .max(2048)
  .refine((v) => URL.canParse(v) && /^https?:$/.test(new URL(v).protocol), 'must be an http:// or https:// URL')
  .refine((v) => !URL.canParse(v) || (new URL(v).username === '' && new URL(v).password === ''), 'must not hold a user name or password (they go in the credential)');

/** PEM certificates: a private CA to trust besides the system's. */
export const pemCertificates = z.string().max(65536).regex(/-----BEGIN CERTIFICATE-----/, 'must be PEM (-----BEGIN CERTIFICATE-----)');
