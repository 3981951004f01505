/**
 * Pipelines wired to this server: the service over the workspace (through
 * the contents manager) and the metadata store, notebook and SQL tasks run
 * as kernels of the kernel manager, each attempt audited before its kernel
 * starts; the notifier (email, signed webhooks); the registry following
 * pipeline files as they are saved, renamed or deleted.
 */
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { DisposableStore, Logger } from '@workbench/core';
import type { AuditLog } from '@workbench/audit';
import type { ContentsManager } from '@workbench/contents';
import type { KernelManager } from '@workbench/manager';
import { isPipelineFile, NotebookTaskRunner, PipelineService, RunNotifier, verifyWebhookSignature } from '@workbench/pipelines';
import type { SecretStore } from '@workbench/secrets';
import type { MetadataStore } from '@workbench/store';
import type { WorkbenchConfig } from './config';
import { contentsPipelineWorkspace } from './pipeline-workspace';

export interface PipelinesWiring {
  config: WorkbenchConfig;
  /** The server's disposables: the service, the notifier and the file watch are added in that order (disposed in reverse). */
  disposables: DisposableStore;
  store: MetadataStore;
  contents: ContentsManager;
  kernels: KernelManager;
  audit: AuditLog;
  secrets: SecretStore;
  logger: Logger;
  clock?: () => number;
}

/** The pipelines service, started. */
export async function createPipelines(o: PipelinesWiring): Promise<PipelineService> {
  const { config } = o;
  const pipelineWorkspace = contentsPipelineWorkspace(o.contents, config.rootDir, config.pipelines.runsDir);
  const pipelines = o.disposables.add(
    new PipelineService({
      store: o.store,
      workspace: pipelineWorkspace,
      // Each task attempt is a data action: its audit record (who it runs as, the file's hash, the parameters) is durable before its kernel starts.
      runner: new NotebookTaskRunner(o.kernels, pipelineWorkspace, PIPELINE_USER, async (t) => {
        await o.audit.record({ actor: t.user, actorRole: null, via: 'system', resource: 'pipelines', action: 'run_task', target: t.path, outcome: 'ok', detail: { run: t.runId, pipeline: t.pipelinePath, task: t.taskId, attempt: t.attempt, code_sha256: t.codeSha256, parameters: t.parameters } });
      }),
      logger: o.logger,
      clock: o.clock ? { now: o.clock } : undefined,
      slots: config.pipelines.slots,
      leaseMs: config.pipelines.leaseMs,
      pollMs: config.pipelines.pollMs,
      runsDir: config.pipelines.runsDir,
      worker: config.pipelines.enabled,
      secrets: { put: (name, value, by) => o.secrets.put(name, value, by), get: (name) => o.secrets.get(name) },
      verifyWebhook: verifyWebhookSignature,
    }),
  );
  // Made on the first webhook this server sends, then kept.
  let signingSecret: Promise<string> | undefined;
  const notifier = o.disposables.add(
    new RunNotifier({
      store: o.store,
      smtp: config.pipelines.smtp && { ...config.pipelines.smtp, password: config.pipelines.smtp.passwordFile ? (await readFile(config.pipelines.smtp.passwordFile, 'utf8')).trim() : undefined },
      signingSecret: () => (signingSecret ??= webhookSigningSecret(o.secrets)),
      baseUrl: config.pipelines.publicUrl,
      clock: o.clock ? { now: o.clock } : undefined,
      logger: o.logger,
    }),
  );
  pipelines.runEndedHook = async (run) => notifier.runEnded(await pipelines.runs.get(run.id));
  pipelines.slaMissedHook = (run) => notifier.slaMissed(run);
  // A saved, renamed or deleted pipeline file changes the registry at once; a git checkout on disk at the next periodic sync.
  o.disposables.add(
    o.contents.onDidChange((e) => {
      if (isPipelineFile(e.path) || (e.type === 'renamed' && isPipelineFile(e.oldPath))) void pipelines.sync().catch((err: unknown) => o.logger.warn({ err: String(err) }, 'pipelines: the registry could not follow a file change'));
    }),
  );
  await pipelines.start();
  return pipelines;
}

/** The kernel owner of pipeline runs nobody claimed (PATCH run_as_me makes a user the owner). */
const PIPELINE_USER = 'workbench-pipelines';

/**
 * The key outgoing pipeline webhooks are signed with: made when the first
 * webhook is sent, kept encrypted, read once per process. Two replicas
 * sending their first webhook on a new database at the same moment could
 * each keep its own key until restarted (both write one; each reads back
 * whichever was written last when it read).
 */
async function webhookSigningSecret(secrets: SecretStore): Promise<string> {
  const name = 'pipelines/webhook-signing';
  try {
    return await secrets.get(name);
  } catch {
    await secrets.put(name, randomBytes(32).toString('base64url'), 'system');
    return secrets.get(name);
  }
}
