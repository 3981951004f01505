/** Test support: PipelineSpecs built in code (no YAML), small and explicit. */
import type { PipelineSpec, RetryPolicy, TaskSpec, TriggerRule } from '../spec/pipeline-spec';

export const NO_RETRY: RetryPolicy = { retries: 0, delayMs: 1000, backoff: 2, maxDelayMs: 60_000, jitter: 0, retryOn: ['error', 'timeout', 'kernel_death'] };

export function task(id: string, opts: { deps?: string[]; rule?: TriggerRule; retry?: Partial<RetryPolicy>; priority?: number; path?: string; kind?: 'notebook' | 'sql' | 'pipeline'; parameters?: Record<string, unknown> } = {}): TaskSpec {
  return {
    id,
    target: { kind: opts.kind ?? 'notebook', path: opts.path ?? `${id}.ipynb` },
    dependsOn: opts.deps ?? [],
    triggerRule: opts.rule ?? 'all_succeeded',
    parameters: opts.parameters ?? {},
    retry: { ...NO_RETRY, ...opts.retry },
    priority: opts.priority ?? 0,
    line: 1,
  };
}

export function pipelineSpec(tasks: TaskSpec[], opts: Partial<PipelineSpec> = {}): PipelineSpec {
  return {
    id: 'p.pipeline.yaml',
    name: 'Test pipeline',
    description: '',
    triggers: [],
    webhook: false,
    period: 'current_day',
    parameters: {},
    tasks,
    maxParallel: 4,
    priority: 0,
    notify: [],
    datasets: [],
    ...opts,
  };
}
