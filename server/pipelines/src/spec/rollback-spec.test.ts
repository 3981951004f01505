/** The `rollback` task of a pipeline: parsed like a task, run alone (no depends_on, no task values). */
import { parsePipeline, PipelineSpecError } from './index';

const BASE = 'name: Close\ntasks:\n  gold: { notebook: close/gold.ipynb }\n';

describe('rollback task', () => {
  it('is parsed like a task, with its defaults', () => {
    const spec = parsePipeline(`${BASE}rollback:\n  notebook: close/rollback.ipynb\n  parameters: { period: "{{ period.label }}" }\n`, 'close/c.pipeline.yaml');
    expect(spec.rollback).toMatchObject({ id: 'rollback', target: { kind: 'notebook', path: 'close/rollback.ipynb' }, dependsOn: [], parameters: { period: '{{ period.label }}' }, line: 4 });
  });

  it('refuses depends_on and task values, naming the line', () => {
    let err: PipelineSpecError | undefined;
    try {
      parsePipeline(`${BASE}rollback:\n  notebook: close/rollback.ipynb\n  depends_on: [gold]\n  parameters: { n: "{{ tasks.gold.values.row_count }}" }\n`, 'close/c.pipeline.yaml');
    } catch (e) {
      err = e as PipelineSpecError;
    }
    expect(err?.issues.map((i) => [i.path, i.line, i.message])).toEqual([
      ['rollback.depends_on', 6, 'the rollback task runs alone: it has no depends_on'],
      ['rollback.parameters.n', 7, "template reference 'tasks.gold.values.row_count' names unknown task 'gold'"],
    ]);
  });
});
