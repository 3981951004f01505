/** The kinds of connection and their drivers. */
import { duckdbDriver } from './duckdb';
import { odooDriver } from './odoo';
import { postgresDriver } from './postgres';
import { restDriver } from './rest';
import { s3Driver } from './s3';
import { sftpDriver } from './sftp';
import { supersetDriver } from './superset';

export const KIND_DRIVERS = {
  postgres: postgresDriver,
  duckdb: duckdbDriver,
  rest: restDriver,
  s3: s3Driver,
  sftp: sftpDriver,
  superset: supersetDriver,
  odoo: odooDriver,
} as const;
