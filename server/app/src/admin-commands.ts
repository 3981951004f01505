/**
 * `workbench audit …` and `workbench secrets …`: operator commands that
 * work on the same metadata store and key file as the server (read from
 * the same config: --config, database.url, secrets.key_file, the data
 * dir), and can run while the server does. The audit log's journal: see
 * openCliAudit (with no server running, what it left there is copied first).
 *
 *   workbench audit verify      walk the hash chain; exit 1 naming the first bad record
 *   workbench audit export [--since T] [--until T] [--format jsonl|csv]
 *   workbench secrets status    key ids and how many secrets each wraps
 *   workbench secrets rotate-key   new active key, every secret re-wrapped (no downtime)
 *   workbench pipelines rollback RUN --reason TEXT   undo a run that succeeded (its pipeline's rollback task; a running server runs it)
 */
import { parseArgs } from 'node:util';
import { join } from 'node:path';
import { existsSync } from 'node:fs';
import { AppError, isAppError, silentLogger, systemClock } from '@workbench/core';
import { RunStore, startRollback } from '@workbench/pipelines';
import { userInfo } from 'node:os';
import { AuditLog, type AuditEntry } from '@workbench/audit';
import { rewrapSessions } from '@workbench/auth';
import { openStore, type MetadataStore } from '@workbench/store';
import { KeyRing, resolveKeySource, SecretStore, StoreSecretStorage } from '@workbench/secrets';
import { auditJournalPath } from './audit-journal';
import { ConfigError, loadConfig, type WorkbenchConfig } from './config';

export const ADMIN_USAGE = `Usage:
  workbench audit verify [--config FILE]
  workbench audit export [--since TIME] [--until TIME] [--format jsonl|csv] [--config FILE]
  workbench secrets status [--config FILE]
  workbench secrets rotate-key [--config FILE]
  workbench pipelines rollback RUN --reason TEXT [--config FILE]
`;

interface Io {
  out: (s: string) => void;
  err: (s: string) => void;
}

/** Runs an admin command; resolves with the exit code. */
export async function runAdminCommand(argv: readonly string[], env: NodeJS.ProcessEnv, cwd: string, io: Io): Promise<number> {
  const [area, verb, ...rest] = argv;
  let values: Record<string, string | boolean | undefined>;
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({ args: rest, options: { config: { type: 'string' }, since: { type: 'string' }, until: { type: 'string' }, format: { type: 'string' }, reason: { type: 'string' } }, strict: true, allowPositionals: area === 'pipelines' }));
  } catch (err) {
    io.err(`workbench: ${(err as Error).message}\n\n${ADMIN_USAGE}`);
    return 2;
  }
  const key = `${area} ${verb}`;
  if (!['audit verify', 'audit export', 'secrets status', 'secrets rotate-key', 'pipelines rollback'].includes(key)) {
    io.err(`workbench: unknown command ${JSON.stringify(key)}\n\n${ADMIN_USAGE}`);
    return 2;
  }
  let config;
  try {
    ({ config } = loadConfig(typeof values.config === 'string' ? ['--config', values.config] : [], env, cwd));
  } catch (err) {
    if (err instanceof ConfigError) {
      io.err(`workbench: ${err.message}\n`);
      return 2;
    }
    throw err;
  }
  const store = await openStore({ url: config.database.url, sqlitePath: config.database.sqlitePath, logger: silentLogger });
  // What an operator does here is audited as well, as the operating-system account that ran it.
  const operator = (): Pick<AuditEntry, 'actor' | 'actorRole' | 'via' | 'ip' | 'userAgent'> => ({ actor: osUser(), actorRole: null, via: 'system', ip: null, userAgent: 'workbench cli' });
  let audit: AuditLog | undefined;
  try {
    const opened = await openCliAudit(store, config);
    audit = opened.audit;
    if (opened.serverRunning && area === 'audit') io.err(`workbench: note: ${opened.serverRunning}; its records of the last moments reach the log when it copies them from its journal (GET /api/audit/verify asks the server itself)\n`);
    if (area === 'pipelines') {
      const [runId, ...extra] = positionals;
      if (!runId || extra.length > 0 || typeof values.reason !== 'string' || values.reason.trim() === '') {
        io.err(`workbench: pipelines rollback needs one RUN id and --reason TEXT\n\n${ADMIN_USAGE}`);
        return 2;
      }
      // Recorded before the rollback run exists, like the server's route does.
      await audit.record({ ...operator(), resource: 'pipelines', action: 'write', target: runId, outcome: 'ok', detail: { command: 'pipelines rollback', run: runId, reason: values.reason.slice(0, 1000) } });
      try {
        const r = await startRollback(new RunStore(store, systemClock), runId, osUser(), values.reason);
        io.out(`${r.created ? 'rollback run' : 'already rolled back by run'} ${r.run.id}: restores run ${r.restores} for ${r.run.period.label} (a running server carries it out)\n`);
        return 0;
      } catch (err) {
        if (err instanceof AppError) {
          io.err(`workbench: ${err.message}\n`);
          return 1;
        }
        throw err;
      }
    }
    if (area === 'audit') {
      if (verb === 'verify') {
        const r = await audit.verify();
        if (r.ok) {
          io.out(`audit log intact: ${r.count} record(s)${r.head ? `, head ${r.head.seq} ${r.head.hash}` : ''}\n`);
          return 0;
        }
        io.out(`audit log NOT intact: record ${r.seq} ${r.problem}: ${r.message}\n`);
        return 1;
      }
      const format = (values.format as string | undefined) ?? 'jsonl';
      if (format !== 'jsonl' && format !== 'csv') {
        io.err('workbench: --format must be jsonl or csv\n');
        return 2;
      }
      const time = (v: unknown, name: string) => {
        if (v === undefined) return undefined;
        const t = /^\d+$/.test(String(v)) ? Number(v) : Date.parse(String(v));
        if (!Number.isFinite(t)) throw new ConfigError(`--${name} ${JSON.stringify(v)} is not an ISO 8601 time or epoch milliseconds`);
        return t;
      };
      let since: number | undefined;
      let until: number | undefined;
      try {
        since = time(values.since, 'since');
        until = time(values.until, 'until');
      } catch (err) {
        io.err(`workbench: ${(err as Error).message}\n`);
        return 2;
      }
      await audit.record({ ...operator(), resource: 'audit', action: 'read', target: null, outcome: 'ok', detail: { command: 'audit export', format, since: since ?? null, until: until ?? null } });
      for await (const line of audit.export({ since, until }, format)) io.out(line);
      return 0;
    }
    const keyRing = await KeyRing.open(resolveKeySource({ env, configuredFile: config.secrets.keyFile, defaultFile: join(config.dataDir, 'secret-keys.json') }));
    try {
      const secrets = await SecretStore.open({ storage: new StoreSecretStorage(store), keyRing });
      try {
        if (verb === 'status') {
          io.out(`active key: ${keyRing.activeId}\n`);
          for (const u of await secrets.keyUsage()) io.out(`  ${u.id}: ${u.secrets} secret(s)${u.missing ? ' (KEY MISSING: these cannot be decrypted)' : ''}\n`);
          return 0;
        }
        const r = await secrets.rotateKey();
        io.out(`rotated: ${r.previousKeyId} -> ${r.activeKeyId}; ${r.rewrapped} secret(s) re-wrapped, ${r.unchanged} unchanged, ${r.failed.length} failed\n`);
        for (const f of r.failed) io.out(`  failed: ${f.name}: ${f.reason}\n`);
        // Login sessions' provider tokens too, so retiring the old key signs nobody out.
        const s = await rewrapSessions(store, keyRing);
        io.out(`login sessions: ${s.rewrapped} re-wrapped, ${s.unchanged} unchanged, ${s.failed.length} failed\n`);
        for (const f of s.failed) io.out(`  failed: session ${f.session}: ${f.reason}\n`);
        io.out(`The old key stays in the key file for reading; retire it once no secret uses it (workbench secrets status).\n`);
        // A credential rotation: which key replaced which, and what was re-wrapped (never a key or a secret).
        await audit.record({
          ...operator(),
          resource: 'secrets',
          action: 'write',
          target: 'key-ring',
          outcome: r.failed.length || s.failed.length ? 'error' : 'ok',
          detail: { command: 'secrets rotate-key', previous_key: r.previousKeyId, active_key: r.activeKeyId, secrets_rewrapped: r.rewrapped, sessions_rewrapped: s.rewrapped, failed: r.failed.map((f) => f.name) },
        });
        return r.failed.length || s.failed.length ? 1 : 0;
      } finally {
        await secrets[Symbol.asyncDispose]();
      }
    } finally {
      await keyRing[Symbol.asyncDispose]();
    }
  } finally {
    await audit?.[Symbol.asyncDispose]();
    await store[Symbol.asyncDispose]();
  }
}

/**
 * The audit log as a command writes and reads it. Where the server keeps a
 * journal and no server holds it now (stopped, or killed), the command
 * takes it: what the server left there is copied into the log first (as
 * its next start would), and the command's own records go through it. While
 * a server holds it, each record is chained and committed by itself beside
 * the server's (one chain either way: the store's lock), and
 * `serverRunning` says which server, for the note that its last records are
 * still in its journal.
 */
async function openCliAudit(store: MetadataStore, config: WorkbenchConfig): Promise<{ audit: AuditLog; serverRunning?: string }> {
  const path = auditJournalPath(config);
  if (!config.audit.journal || !existsSync(path)) return { audit: new AuditLog({ store }) };
  try {
    return { audit: await AuditLog.open({ store, logger: silentLogger, journal: { path } }) };
  } catch (err) {
    if (!isAppError(err, 'conflict')) throw err;
    const who = err.details?.holder;
    return { audit: new AuditLog({ store }), serverRunning: `a running Workbench server${typeof who === 'string' ? ` (${who})` : ''} writes this data directory` };
  }
}

function osUser(): string {
  try {
    return `os:${userInfo().username}`;
  } catch {
    return 'os:unknown';
  }
}
