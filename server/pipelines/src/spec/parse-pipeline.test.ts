/** parsePipeline: the documented example, normalised; every kind of bad input, placed. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isAppError } from '@workbench/core';
import { parsePipeline } from './parse-pipeline';
import type { PipelineSpec, RetryPolicy } from './pipeline-spec';
import { PipelineSpecError, type SpecIssue } from './spec-issue';
import { isPipelineFile } from './workspace-path';

const EXAMPLE = readFileSync(join(__dirname, 'testdata', 'month-end-close.pipeline.yaml'), 'utf8');

const FILE = 'finance/close.pipeline.yaml';

/** The smallest valid file, for cases to extend. */
const MINIMAL = 'tasks:\n  a:\n    notebook: a.ipynb\n';

function issuesOf(text: string, file = FILE): SpecIssue[] {
  try {
    parsePipeline(text, file);
  } catch (err) {
    if (err instanceof PipelineSpecError) return [...err.issues];
    throw err;
  }
  throw new Error('parsed without issues');
}

/** The one issue a case must produce, as [path, line, column, message]. */
function only(text: string): [string, number, number, string] {
  const issues = issuesOf(text);
  expect(issues).toHaveLength(1);
  const [i] = issues;
  return [i!.path, i!.line, i!.column, i!.message];
}

describe('parsePipeline: the documented example', () => {
  const retry = (retries: number): RetryPolicy => ({ retries, delayMs: 30_000, backoff: 2, maxDelayMs: 600_000, jitter: 0.2, retryOn: ['error', 'timeout', 'kernel_death'] });
  const expected: PipelineSpec = {
    id: FILE,
    name: 'Month-end close',
    description: 'Trial balance and checks for the closed month',
    triggers: [
      { kind: 'cron', cron: '0 6 * * 1-5', timezone: 'Europe/Paris' },
      { kind: 'calendar', rule: { type: 'business_day', n: 3 }, at: '07:00', timezone: 'Europe/Paris', holidays: { country: 'FR', closedDays: ['2026-12-24'] } },
      { kind: 'after', pipeline: 'finance/ingest.pipeline.yaml' },
    ],
    webhook: true,
    period: 'previous_month',
    parameters: {
      company_id: { type: 'integer', default: 1, required: false },
      as_of: { type: 'date', default: '{{ period.end }}', required: false },
      mode: { type: 'string', enum: ['draft', 'final'], default: 'draft', required: false },
    },
    tasks: [
      {
        id: 'extract',
        target: { kind: 'notebook', path: 'close/extract.ipynb' },
        dependsOn: [],
        triggerRule: 'all_succeeded',
        parameters: { company_id: '{{ params.company_id }}', period_start: '{{ period.start }}' },
        timeoutMs: 1_800_000,
        cellTimeoutMs: 600_000,
        retry: retry(2),
        priority: 0,
        line: 31,
      },
      {
        id: 'load',
        target: { kind: 'sql', path: 'close/load.sql' },
        dependsOn: ['extract'],
        triggerRule: 'all_succeeded',
        parameters: {},
        timeoutMs: 1_800_000,
        cellTimeoutMs: 600_000,
        retry: retry(2),
        priority: 0,
        line: 34,
      },
      {
        id: 'report',
        target: { kind: 'notebook', path: 'close/report.ipynb' },
        dependsOn: ['load'],
        triggerRule: 'all_done',
        parameters: { rows: '{{ tasks.extract.values.row_count }}' },
        kernel: 'python3',
        timeoutMs: 1_800_000,
        cellTimeoutMs: 600_000,
        retry: retry(0),
        priority: 0,
        line: 37,
      },
    ],
    maxParallel: 2,
    priority: 0,
    timeoutMs: 7_200_000,
    slaMs: 10_800_000,
    notify: [
      { on: ['failure', 'sla_miss'], email: ['close-team@example.com'] },
      { on: ['success', 'data_ready'], webhook: 'https://hooks.example.com/workbench' },
    ],
    datasets: [{ name: 'gold.trial_balance', task: 'report', schemaVersion: '3' }],
  };

  it('parses to the normalised spec', () => {
    expect(parsePipeline(EXAMPLE, FILE)).toEqual(expected);
  });

  it('is the full example of README.md, which parses the same', () => {
    const readme = readFileSync(join(__dirname, '..', '..', 'README.md'), 'utf8');
    const blocks = [...readme.matchAll(/```yaml\n([^`]*)```/g)].map((m) => m[1]!);
    const full = blocks.find((b) => b.startsWith('name: Month-end close'))!;
    const withoutLines = (spec: PipelineSpec) => ({ ...spec, tasks: spec.tasks.map((t) => ({ ...t, line: 0 })) });
    expect(withoutLines(parsePipeline(full, FILE))).toEqual(withoutLines(expected));
    const minimal = blocks.find((b) => b.startsWith('tasks:'))!;
    expect(parsePipeline(minimal, 'reports/refresh.pipeline.yaml').tasks).toHaveLength(1);
  });

  it('survives a JSON round trip (the store keeps specs as JSON)', () => {
    const spec = parsePipeline(EXAMPLE, FILE);
    expect(JSON.parse(JSON.stringify(spec))).toEqual(spec);
  });

  it('fills in defaults for a minimal file', () => {
    expect(parsePipeline(MINIMAL, 'ops/nightly-load.pipeline.yml')).toEqual({
      id: 'ops/nightly-load.pipeline.yml',
      name: 'nightly-load',
      description: '',
      triggers: [],
      webhook: false,
      period: 'current_day',
      parameters: {},
      tasks: [
        {
          id: 'a',
          target: { kind: 'notebook', path: 'a.ipynb' },
          dependsOn: [],
          triggerRule: 'all_succeeded',
          parameters: {},
          retry: { retries: 0, delayMs: 30_000, backoff: 2, maxDelayMs: 3_600_000, jitter: 0.1, retryOn: ['error', 'timeout', 'kernel_death'] },
          priority: 0,
          line: 2,
        },
      ],
      maxParallel: 4,
      priority: 0,
      notify: [],
      datasets: [],
    });
  });

  it('normalises what may be written loosely', () => {
    const spec = parsePipeline(
      [
        'schedule:',
        '  - calendar: { last_business_day: true }',
        '    at: 7:30',
        '    holidays: { country: DE, region: BY, weekend: [0, 6] }',
        'parameters:',
        '  since: { type: date }',
        '  limit: { type: integer, required: false }',
        'tasks:',
        '  a:',
        '    notebook: ./reports//a.ipynb',
        '    timeout: 90',
        '    retry_delay: 1h30m',
        '  b:',
        '    pipeline: ops/child.pipeline.yaml',
        '    cell_timeout: 5m',
        'defaults: { cell_timeout: 1m }',
        'notify:',
        '  - on: [failure]',
        '    email: ops@example.com',
        'datasets:',
        '  - { name: x, task: a, schema_version: 3 }',
      ].join('\n').replace('    cell_timeout: 5m\n', ''),
      FILE,
    );
    expect(spec.triggers).toEqual([{ kind: 'calendar', rule: { type: 'last_business_day' }, at: '07:30', timezone: 'UTC', holidays: { country: 'DE', region: 'BY', weekend: [0, 6] } }]);
    expect(spec.parameters).toEqual({ since: { type: 'date', required: true }, limit: { type: 'integer', required: false } });
    expect(spec.tasks[0]).toMatchObject({ target: { kind: 'notebook', path: 'reports/a.ipynb' }, timeoutMs: 90_000, cellTimeoutMs: 60_000, retry: { delayMs: 5_400_000 } });
    expect(spec.tasks[1]).not.toHaveProperty('cellTimeoutMs');
    expect(spec.notify).toEqual([{ on: ['failure'], email: ['ops@example.com'] }]);
    expect(spec.datasets).toEqual([{ name: 'x', task: 'a', schemaVersion: '3' }]);
  });

  it('keeps a task id such as __proto__ as an ordinary id', () => {
    const spec = parsePipeline('tasks:\n  __proto__:\n    notebook: a.ipynb\n  b:\n    notebook: b.ipynb\n    depends_on: [__proto__]\n', FILE);
    expect(spec.tasks.map((t) => t.id)).toEqual(['__proto__', 'b']);
  });
});

describe('parsePipeline: issues', () => {
  it('reports every issue at once, sorted, in a bad_request PipelineSpecError', () => {
    const bad = EXAMPLE.replace('max_parallel: 2', 'max_parallel: 0').replace('depends_on: [load]', 'depends_on: [lod]').replace('timeout: 2h', 'timeout: 2x');
    let caught: unknown;
    try {
      parsePipeline(bad, FILE);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(PipelineSpecError);
    expect(isAppError(caught, 'bad_request')).toBe(true);
    const err = caught as PipelineSpecError;
    expect(err.issues.map((i) => [i.path, i.line])).toEqual([
      ['max_parallel', 17],
      ['timeout', 19],
      ['tasks.report.depends_on[0]', 39],
      ['tasks.report.parameters.rows', 41],
    ]);
    expect(err.message).toBe(`Cannot load pipeline ${FILE}: max_parallel: must be at least 1, not 0 (line 17, column 15); 3 more issues`);
    expect(err.details).toEqual({ file: FILE, issues: err.issues, public: { issues: err.issues } });
  });

  it.each<[string, string, [string, number, number, string]]>([
    ['a YAML syntax error, where the yaml library puts it', 'tasks:\n  a: [1, 2\n', ['', 3, 1, 'Flow sequence in block collection must be sufficiently indented and end with a ]']],
    ['a tab indenting a line', 'tasks:\n  a:\n\tnotebook: a.ipynb\n', ['', 3, 1, 'tabs are not allowed for indentation']],
    ['a tab after spaces', `${MINIMAL} \t sql: x.sql\n`, ['', 4, 2, 'tabs are not allowed for indentation']],
    ['a duplicate key', `${MINIMAL}  a:\n    sql: b.sql\n`, ['tasks.a', 4, 3, "duplicate key 'a'"]],
    ['an empty file', '', ['', 1, 1, 'the file is empty: a pipeline needs at least `tasks:`']],
    ['no tasks', 'name: x\n', ['', 1, 1, "missing required key 'tasks'"]],
    ['an unknown top-level key', `${MINIMAL}retries: 2\n`, ['retries', 4, 1, "unknown key 'retries' (allowed: name, description, period, schedule, webhook, parameters, max_parallel, priority, timeout, sla, defaults, tasks, notify, datasets, rollback)"]],
    ['an unknown task key', `${MINIMAL}    retires: 2\n`, ['tasks.a.retires', 4, 5, expect.stringMatching(/^unknown key 'retires' \(allowed: notebook, sql, pipeline, depends_on, .*retries/) as unknown as string]],
    ['a task with no target', 'tasks:\n  a:\n    kernel: python3\n', ['tasks.a', 2, 3, 'needs exactly one of notebook, sql or pipeline']],
    ['a task with two targets', `${MINIMAL}    sql: a.sql\n`, ['tasks.a', 2, 3, 'needs exactly one of notebook, sql or pipeline, not notebook and sql']],
    ['a bad task id', 'tasks:\n  load data:\n    notebook: a.ipynb\n', ['tasks["load data"]', 2, 3, "'load data' is not a task id (a letter or _, then letters, digits, _ or -)"]],
    ['a task id starting with a digit', 'tasks:\n  1st:\n    notebook: a.ipynb\n', ['tasks["1st"]', 2, 3, "'1st' is not a task id (a letter or _, then letters, digits, _ or -)"]],
    ['a wrong type', 'webhook: yes\n' + MINIMAL, ['webhook', 1, 10, "must be true or false, not 'yes'"]],
    ['an unknown enum value', `${MINIMAL}    trigger_rule: always\n`, ['tasks.a.trigger_rule', 4, 19, "must be one of 'all_succeeded', 'all_done', 'any_failed', not 'always'"]],
    ['an unknown depends_on target', `${MINIMAL}    depends_on: [b]\n`, ['tasks.a.depends_on[0]', 4, 18, "unknown task 'b'"]],
    ['a self-dependency', `${MINIMAL}    depends_on:\n      - a\n`, ['tasks.a.depends_on[0]', 5, 9, "task 'a' depends on itself"]],
    ['a dependency listed twice', `${MINIMAL}  b:\n    sql: b.sql\n    depends_on: [a, a]\n`, ['tasks.b.depends_on[0]', 6, 18, "'a' is listed twice"]],
    [
      'a dependency cycle, named',
      'tasks:\n  a:\n    notebook: a.ipynb\n    depends_on: [c]\n  b:\n    notebook: b.ipynb\n    depends_on: [a]\n  c:\n    notebook: c.ipynb\n    depends_on: [x, b]\n  x:\n    sql: x.sql\n',
      ['tasks.a.depends_on[0]', 4, 18, 'dependency cycle: a -> b -> c -> a'],
    ],
    ['a pipeline task running its own file', `${MINIMAL}  b:\n    pipeline: ./finance/close.pipeline.yaml\n`, ['tasks.b.pipeline', 5, 15, 'a pipeline task cannot run its own pipeline']],
    ['kernel on a pipeline task', 'tasks:\n  a:\n    pipeline: ops/x.pipeline.yaml\n    kernel: python3\n', ['tasks.a.kernel', 4, 5, "'kernel' applies to notebook and sql tasks only"]],
    ['an absolute path', 'tasks:\n  a:\n    notebook: /etc/a.ipynb\n', ['tasks.a.notebook', 3, 15, "'/etc/a.ipynb' must be relative to the workspace, not absolute"]],
    ['a path with ..', 'tasks:\n  a:\n    sql: close/../../a.sql\n', ['tasks.a.sql', 3, 10, "'close/../../a.sql' must not contain '..'"]],
    ['a path of the wrong kind', 'tasks:\n  a:\n    notebook: close/load.sql\n', ['tasks.a.notebook', 3, 15, "'close/load.sql' is not a notebook (.ipynb)"]],
    ['a templated path', 'tasks:\n  a:\n    notebook: "{{ params.x }}.ipynb"\n', ['tasks.a.notebook', 3, 15, "'{{ params.x }}.ipynb' cannot hold a template: only parameters are rendered"]],
    ['an unknown parameter in a template', `${MINIMAL}    parameters: { p: "{{ params.nope }}" }\n`, ['tasks.a.parameters.p', 4, 22, "template reference 'params.nope' names unknown parameter 'nope'"]],
    ['an unknown task in a template', `${MINIMAL}    parameters: { p: "{{ tasks.zz.values.n }}" }\n`, ['tasks.a.parameters.p', 4, 22, "template reference 'tasks.zz.values.n' names unknown task 'zz'"]],
    [
      'a task template reading a task that is not upstream',
      `${MINIMAL}  b:\n    sql: b.sql\n  c:\n    sql: c.sql\n    depends_on: [b]\n    parameters:\n      n: "rows: {{ tasks.a.values.n }}"\n`,
      ['tasks.c.parameters.n', 10, 10, "template reference 'tasks.a.values.n': task 'a' is not upstream of 'c' (add it to depends_on)"],
    ],
    ['a task reading its own values', `${MINIMAL}    parameters: { p: "{{ tasks.a.status }}" }\n`, ['tasks.a.parameters.p', 4, 22, "template reference 'tasks.a.status': a task cannot read its own values"]],
    ['a template reading an unknown task field', `${MINIMAL}  b:\n    sql: b.sql\n    depends_on: [a]\n    parameters: { p: "{{ tasks.a.output }}" }\n`, ['tasks.b.parameters.p', 7, 22, "template reference 'tasks.a.output' must read tasks.<task>.values... or tasks.<task>.status"]],
    ['an unknown template root', `${MINIMAL}    parameters: { p: "{{ env.HOME }}" }\n`, ['tasks.a.parameters.p', 4, 22, "unknown template reference 'env.HOME' (templates read run, period, params, tasks, task and pipeline)"]],
    ['an unknown period field', `${MINIMAL}    parameters: { p: ["{{ period.first }}"] }\n`, ['tasks.a.parameters.p[0]', 4, 23, "unknown template reference 'period.first' (period has start, end, label)"]],
    ['a template syntax error', `${MINIMAL}    parameters: { p: "{{ params.x " }\n`, ['tasks.a.parameters.p', 4, 22, "bad template: '{{' at character 1 is not closed by '}}'"]],
    ['a duration without unit', `${MINIMAL}    timeout: 2x\n`, ['tasks.a.timeout', 4, 14, "'2x' is not a duration (such as 30s, 10m, 2h, 1d, 1h30m, or a whole number of seconds)"]],
    ['a negative duration', `${MINIMAL}    retry_delay: -5\n`, ['tasks.a.retry_delay', 4, 18, 'must be at least 0, not -5']],
    ['a duration of a wrong type', `defaults: { timeout: [1] }\n${MINIMAL}`, ['defaults.timeout', 1, 22, 'must be a duration (such as 30s, 10m, 2h, 1d, 1h30m, or a whole number of seconds), not a list']],
    ['a zero timeout', `sla: 0s\n${MINIMAL}`, ['sla', 1, 6, 'must be longer than 0']],
    ['max_parallel below 1', `max_parallel: 0\n${MINIMAL}`, ['max_parallel', 1, 15, 'must be at least 1, not 0']],
    ['a bad cron, in croner\'s words', `schedule:\n  - cron: "0 6 * * 9"\n${MINIMAL}`, ['schedule[0].cron', 2, 11, '"0 6 * * 9" is not a valid cron expression (CronPattern: Invalid value for dayOfWeek: 9)']],
    ['a cron with too few fields', `schedule:\n  - cron: "0 6 *"\n${MINIMAL}`, ['schedule[0].cron', 2, 11, expect.stringContaining('is not a valid cron expression (CronPattern: invalid configuration format') as unknown as string]],
    ['an unknown time zone', `schedule:\n  - cron: "0 6 * * *"\n    timezone: Mars/Olympus\n${MINIMAL}`, ['schedule[0].timezone', 3, 15, 'unknown time zone "Mars/Olympus"']],
    ['a business day of 0', `schedule:\n  - calendar: { business_day: 0 }\n    at: "07:00"\n${MINIMAL}`, ['schedule[0].calendar.business_day', 2, 31, 'must not be 0']],
    ['a business day out of range', `schedule:\n  - calendar: { business_day: -24 }\n    at: "07:00"\n${MINIMAL}`, ['schedule[0].calendar.business_day', 2, 31, 'must be at least -23, not -24']],
    ['days after month end out of range', `schedule:\n  - calendar:\n      business_days_after_month_end: 30\n    at: "07:00"\n${MINIMAL}`, ['schedule[0].calendar.business_days_after_month_end', 3, 38, 'must be at most 23, not 30']],
    ['a calendar with no rule', `schedule:\n  - calendar: {}\n    at: "07:00"\n${MINIMAL}`, ['schedule[0].calendar', 2, 5, 'needs exactly one of business_day, business_days_after_month_end or last_business_day']],
    ['a calendar without at', `schedule:\n  - calendar: { last_business_day: true }\n${MINIMAL}`, ['schedule[0].calendar', 2, 5, "'calendar' requires 'at'"]],
    ['a bad time of day', `schedule:\n  - calendar: { last_business_day: true }\n    at: "24:00"\n${MINIMAL}`, ['schedule[0].at', 3, 9, "'24:00' is not a time of day (HH:MM, 24-hour)"]],
    ['a closed day that does not exist', `schedule:\n  - calendar: { last_business_day: true }\n    at: "07:00"\n    holidays: { country: FR, closed_days: [2026-02-30] }\n${MINIMAL}`, ['schedule[0].holidays.closed_days', 4, 43, 'closed day "2026-02-30" is not a YYYY-MM-DD date']],
    ['an unknown holiday country', `schedule:\n  - calendar: { last_business_day: true }\n    at: "07:00"\n    holidays: { country: QQ }\n${MINIMAL}`, ['schedule[0].holidays.country', 4, 26, expect.stringContaining('QQ') as unknown as string]],
    ['an after trigger on its own file', `schedule:\n  - after: finance/close.pipeline.yaml\n${MINIMAL}`, ['schedule[0].after', 2, 12, 'a pipeline cannot run after itself']],
    ['an after trigger naming a non-pipeline', `schedule:\n  - after: finance/close.yaml\n${MINIMAL}`, ['schedule[0].after', 2, 12, "'finance/close.yaml' is not a pipeline file (.pipeline.yaml)"]],
    ['a time zone on an after trigger', `schedule:\n  - after: a.pipeline.yaml\n    timezone: UTC\n${MINIMAL}`, ['schedule[0].timezone', 3, 5, "'timezone' applies to cron and calendar entries only"]],
    ['a trigger of two kinds', `schedule:\n  - cron: "0 6 * * *"\n    after: a.pipeline.yaml\n${MINIMAL}`, ['schedule[0]', 2, 5, 'needs exactly one of cron, calendar or after, not cron and after']],
    ['a parameter default of the wrong type', `parameters:\n  n: { type: integer, default: "5" }\n${MINIMAL}`, ['parameters.n.default', 2, 32, "default '5' is not an integer"]],
    ['a date default that is no date', `parameters:\n  d: { type: date, default: 2026-13-01 }\n${MINIMAL}`, ['parameters.d.default', 2, 29, "default '2026-13-01' is not a date (YYYY-MM-DD)"]],
    ['an enum default not in the enum', `parameters:\n  m: { type: string, enum: [draft, final], default: done }\n${MINIMAL}`, ['parameters.m.default', 2, 53, "default 'done' is not one of the enum values 'draft', 'final'"]],
    ['an enum value of the wrong type', `parameters:\n  m: { type: integer, enum: [1, two] }\n${MINIMAL}`, ['parameters.m.enum[1]', 2, 33, "enum value 'two' is not an integer"]],
    ['an unknown parameter type', `parameters:\n  m: { type: money }\n${MINIMAL}`, ['parameters.m.type', 2, 14, "must be one of 'string', 'integer', 'number', 'boolean', 'date', 'datetime', 'list', 'object', not 'money'"]],
    ['an unknown field of the task', `${MINIMAL}    parameters: { p: "{{ task.commit }}" }\n`, ['tasks.a.parameters.p', 4, 22, "unknown template reference 'task.commit' (task has id, path, notebook_version)"]],
    ['a parameter default reading the task', `parameters:\n  a: { type: string, default: "{{ task.notebook_version }}" }\n${MINIMAL}`, ['parameters.a.default', 2, 31, "template reference 'task.notebook_version': a parameter default can read run, period and pipeline only"]],
    ['a parameter default reading params', `parameters:\n  a: { type: date, default: "{{ params.b }}" }\n  b: { type: date }\n${MINIMAL}`, ['parameters.a.default', 2, 29, "template reference 'params.b': a parameter default can read run, period and pipeline only"]],
    ['a required parameter with a default', `parameters:\n  a: { type: integer, default: 1, required: true }\n${MINIMAL}`, ['parameters.a.required', 2, 45, 'a parameter with a default cannot be required']],
    ['a bad parameter name', `parameters:\n  company-id: { type: integer }\n${MINIMAL}`, ['parameters.company-id', 2, 3, "'company-id' is not a parameter name (a letter or _, then letters, digits or _)"]],
    ['notify without email or webhook', `notify:\n  - on: [failure]\n${MINIMAL}`, ['notify[0]', 2, 5, 'needs email or webhook']],
    ['a notify address template reading a task value', `parameters:\n  to: { type: string }\nnotify:\n  - on: [failure]\n    email: "{{ run.id }}"\n${MINIMAL}`, ['notify[0].email', 5, 12, "template reference 'run.id': a notify address can read params.<name> only"]],
    ['a notify address template naming no parameter', `notify:\n  - on: [failure]\n    email: "{{ params.to }}"\n${MINIMAL}`, ['notify[0].email', 3, 12, "template reference 'params.to' names unknown parameter 'to'"]],
    ['a bad e-mail address', `notify:\n  - on: [failure]\n    email: [ops@example.com, close team]\n${MINIMAL}`, ['notify[0].email[1]', 3, 30, "'close team' is not an e-mail address"]],
    ['a webhook that is not http(s)', `notify:\n  - on: [failure]\n    webhook: ftp://hooks.example.com/x\n${MINIMAL}`, ['notify[0].webhook', 3, 14, "webhook 'ftp://hooks.example.com/x' must be an http or https URL"]],
    ['a webhook that is no URL', `notify:\n  - on: [failure]\n    webhook: hooks.example.com\n${MINIMAL}`, ['notify[0].webhook', 3, 14, "'hooks.example.com' is not a URL"]],
    ['an unknown notify event', `notify:\n  - on: [failed]\n    webhook: https://h.example.com\n${MINIMAL}`, ['notify[0].on[0]', 2, 10, "must be one of 'failure', 'success', 'sla_miss', 'data_ready', not 'failed'"]],
    ['a dataset of an unknown task', `datasets:\n  - name: gold.x\n    task: report\n${MINIMAL}`, ['datasets[0].task', 3, 11, "unknown task 'report'"]],
    ['a dataset declared twice', `datasets:\n  - { name: x, task: a }\n  - { name: x, task: a }\n${MINIMAL}`, ['datasets[1].name', 3, 13, "dataset 'x' is declared twice"]],
    ['a YAML 1.1 directive', `%YAML 1.1\n---\n${MINIMAL}`, ['', 1, 1, 'only YAML 1.2 is supported: remove the %YAML 1.1 directive']],
    ['an alias bomb', `x:\n  a: &a [x, x, x, x, x, x, x, x, x, x]\n${['b', 'c', 'd', 'e', 'f', 'g'].map((k, i) => `  ${k}: &${k} [${Array(10).fill(`*${'abcdef'[i]}`).join(', ')}]`).join('\n')}\n${MINIMAL}`, ['', 1, 1, 'the YAML cannot be read: Excessive alias count indicates a resource exhaustion attack']],
    ['an unresolved YAML tag', `name: !secret x\n${MINIMAL}`, ['', 1, 7, 'Unresolved tag: !secret']],
  ])('%s', (_name, text, expected) => {
    expect(only(text)).toEqual(expected);
  });

  it('does not flag tabs inside block scalars or comments', () => {
    expect(parsePipeline(`description: |\n  line one\n  \tindented content\n${MINIMAL}\t# a comment\n`, FILE).description).toBe('line one\n\tindented content\n');
  });

  it('reports the issues of a file the schema refuses together with the semantic ones', () => {
    const issues = issuesOf(`${MINIMAL}    depends_on: [zz]\n  b:\n    notebok: b.ipynb\n`);
    expect(issues.map((i) => i.message)).toEqual(["unknown task 'zz'", 'needs exactly one of notebook, sql or pipeline', expect.stringMatching(/^unknown key 'notebok'/)]);
  });
});

describe('isPipelineFile', () => {
  it.each([
    ['finance/close.pipeline.yaml', true],
    ['close.pipeline.yml', true],
    ['a/B.Pipeline.YAML', true],
    ['close.yaml', false],
    ['close.pipeline.yaml.bak', false],
    ['a/.pipeline.yaml', false],
    ['pipeline.yaml', false],
  ])('%s -> %s', (path, yes) => {
    expect(isPipelineFile(path)).toBe(yes);
  });
});
