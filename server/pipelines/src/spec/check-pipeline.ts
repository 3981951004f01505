/**
 * The checks of a pipeline file that a JSON Schema cannot express: the
 * task graph (unknown, self and cyclic dependencies), paths, templates
 * (known parameters, upstream tasks only), parameter defaults against their
 * types, e-mail addresses and webhook URLs, datasets' tasks. They run on the
 * raw YAML data even when the schema failed elsewhere (so one pass reports
 * everything), reading each value only when it has the expected type.
 */
import { parseDuration } from './duration';
import { hasType, inEnum, typeWords } from './parameter-values';
import type { ParameterType } from './pipeline-spec';
import { checkSchedule } from './schedule';
import { show } from './schema-issues';
import { formatPath, type DataPath, type PathSegment } from './source-map';
import type { IssueList } from './spec-issue';
import { findCycles, upstreamOf, type GraphTask } from './task-graph';
import { isTemplate, scanTemplates } from './template';
import { normalizeWorkspacePath, workspacePathProblem, type PathKind } from './workspace-path';

type Raw = Record<string, unknown>;

const TARGETS: readonly PathKind[] = ['notebook', 'sql', 'pipeline'];
const RUN_FIELDS = ['id', 'logical_date', 'trigger'];
const PERIOD_FIELDS = ['start', 'end', 'label'];
const PIPELINE_FIELDS = ['id', 'name'];
const TASK_FIELDS = ['id', 'path', 'notebook_version'];
/** An e-mail address, as notify entries take them. */
export const EMAIL = /^[^\s@<>(),;:"]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+$/;

export function checkPipeline(data: unknown, file: string, issues: IssueList): void {
  if (!isRaw(data)) return;
  const tasks = entries(data.tasks);
  const params = new Set(entries(data.parameters).map(([name]) => name));
  const graph: GraphTask[] = tasks.map(([id, t]) => ({ id, dependsOn: strings(t.depends_on) }));
  const known = new Set(isRaw(data.tasks) ? Object.keys(data.tasks) : []);

  for (const [id, task] of tasks) checkTask(id, task, { file, graph, known, params }, issues);
  // The rollback task runs alone (POST /api/runs/{id}/rollback): no upstream, no task values to read.
  if (isRaw(data.rollback)) {
    if (data.rollback.depends_on !== undefined) issues.at(['rollback', 'depends_on'], 'the rollback task runs alone: it has no depends_on', { key: true });
    checkTask('rollback', { ...data.rollback, depends_on: undefined }, { file, graph: [], known: new Set(), params }, issues, ['rollback']);
  }
  checkCycles(graph, tasks, issues);
  for (const [name, param] of entries(data.parameters)) checkParameter(name, param, issues);
  checkSchedule(data.schedule, file, issues);
  checkNotify(data.notify, params, issues);
  checkDatasets(data.datasets, known, issues);
  for (const key of ['timeout', 'sla']) checkPositive(data[key], [key], issues);
  if (isRaw(data.defaults)) for (const key of ['timeout', 'cell_timeout']) checkPositive(data.defaults[key], ['defaults', key], issues);
}

interface TaskContext {
  file: string;
  graph: GraphTask[];
  /** Every task id, including those the schema refused. */
  known: Set<string>;
  params: Set<string>;
}

function checkTask(id: string, task: Raw, { file, graph, known, params }: TaskContext, issues: IssueList, at: DataPath = ['tasks', id]): void {
  for (const kind of TARGETS) {
    const path = task[kind];
    if (typeof path !== 'string' || path === '') continue;
    const problem = workspacePathProblem(path, kind);
    if (problem) issues.at([...at, kind], problem);
    else if (kind === 'pipeline' && normalizeWorkspacePath(path) === normalizeWorkspacePath(file)) issues.at([...at, kind], 'a pipeline task cannot run its own pipeline');
  }
  if (typeof task.pipeline === 'string') {
    for (const key of ['kernel', 'cell_timeout']) if (task[key] !== undefined) issues.at([...at, key], `'${key}' applies to notebook and sql tasks only`, { key: true });
  }
  if (Array.isArray(task.depends_on)) {
    task.depends_on.forEach((dep, i) => {
      if (typeof dep !== 'string') return;
      if (dep === id) issues.at([...at, 'depends_on', i], `task '${id}' depends on itself`);
      else if (!known.has(dep)) issues.at([...at, 'depends_on', i], `unknown task '${dep}'`);
    });
  }
  for (const key of ['timeout', 'cell_timeout']) checkPositive(task[key], [...at, key], issues);
  const upstream = upstreamOf(graph, id);
  scanTemplates(task.parameters, [...at, 'parameters'], (where, result) => {
    if ('error' in result) return issues.at(where, `bad template: ${result.error}`);
    for (const ref of result.refs) {
      const problem = referenceProblem(ref, params, { self: id, known, upstream });
      if (problem) issues.at(where, problem);
    }
  });
}

/** Why a template may not read `ref` here; `tasks` is omitted where task values are not available. */
function referenceProblem(ref: PathSegment[], params: Set<string>, tasks?: { self: string; known: Set<string>; upstream: Set<string> }): string | undefined {
  const text = formatPath(ref);
  const [root, first, second] = ref;
  const fixed = (fields: string[]): string | undefined =>
    ref.length === 2 && typeof first === 'string' && fields.includes(first) ? undefined : `unknown template reference '${text}' (${String(root)} has ${fields.join(', ')})`;
  switch (root) {
    case 'run':
      return fixed(RUN_FIELDS);
    case 'period':
      return fixed(PERIOD_FIELDS);
    case 'pipeline':
      return fixed(PIPELINE_FIELDS);
    case 'task':
      if (!tasks) return `template reference '${text}': a parameter default can read run, period and pipeline only`;
      return fixed(TASK_FIELDS);
    case 'params':
      if (!tasks) return `template reference '${text}': a parameter default can read run, period and pipeline only`;
      if (typeof first !== 'string') return `template reference '${text}' must name a parameter`;
      return params.has(first) ? undefined : `template reference '${text}' names unknown parameter '${first}'`;
    case 'tasks': {
      if (!tasks) return `template reference '${text}': a parameter default can read run, period and pipeline only`;
      if (typeof first !== 'string' || (second !== 'values' && !(second === 'status' && ref.length === 3))) {
        return `template reference '${text}' must read tasks.<task>.values... or tasks.<task>.status`;
      }
      if (!tasks.known.has(first)) return `template reference '${text}' names unknown task '${first}'`;
      if (first === tasks.self) return `template reference '${text}': a task cannot read its own values`;
      if (!tasks.upstream.has(first)) return `template reference '${text}': task '${first}' is not upstream of '${tasks.self}' (add it to depends_on)`;
      return undefined;
    }
    default:
      return `unknown template reference '${text}' (templates read run, period, params, tasks, task and pipeline)`;
  }
}

function checkCycles(graph: GraphTask[], tasks: [string, Raw][], issues: IssueList): void {
  const raw = new Map(tasks);
  for (const cycle of findCycles(graph)) {
    const first = cycle[0]!;
    const closing = cycle[cycle.length - 1]!;
    const deps = raw.get(first)!.depends_on as unknown[];
    issues.at(['tasks', first, 'depends_on', deps.indexOf(closing)], `dependency cycle: ${[...cycle, first].join(' -> ')}`);
  }
}

function checkParameter(name: string, param: Raw, issues: IssueList): void {
  const at: DataPath = ['parameters', name];
  const type = typeof param.type === 'string' ? (param.type as ParameterType) : undefined;
  if (!type || issues.hasUnder([...at, 'type'])) return;
  const allowed = Array.isArray(param.enum) ? param.enum : undefined;
  allowed?.forEach((v, i) => {
    if (!hasType(v, type)) issues.at([...at, 'enum', i], `enum value ${show(v)} is not ${typeWords(type)}`);
  });
  if (param.required === true && param.default !== undefined) issues.at([...at, 'required'], 'a parameter with a default cannot be required');
  const value = param.default;
  if (value === undefined) return;
  scanTemplates(value, [...at, 'default'], (where, result) => {
    if ('error' in result) return issues.at(where, `bad template: ${result.error}`);
    for (const ref of result.refs) {
      const problem = referenceProblem(ref, new Set());
      if (problem) issues.at(where, problem);
    }
  });
  if (isTemplate(value)) return;
  if (!hasType(value, type)) issues.at([...at, 'default'], `default ${show(value)} is not ${typeWords(type)}`);
  else if (allowed && !inEnum(value, { enum: allowed })) issues.at([...at, 'default'], `default ${show(value)} is not one of the enum values ${allowed.map(show).join(', ')}`);
}

function checkNotify(notify: unknown, params: Set<string>, issues: IssueList): void {
  if (!Array.isArray(notify)) return;
  notify.forEach((n: unknown, i) => {
    if (!isRaw(n)) return;
    const emails = typeof n.email === 'string' ? [[n.email, ['notify', i, 'email']] as const] : Array.isArray(n.email) ? n.email.map((e, j) => [e, ['notify', i, 'email', j]] as const) : [];
    for (const [email, at] of emails) {
      if (typeof email !== 'string') continue;
      // A template names a parameter holding the addresses (the finance list, set per pipeline or per run).
      if (isTemplate(email)) {
        scanTemplates(email, at, (where, result) => {
          if ('error' in result) return issues.at(where, `bad template: ${result.error}`);
          for (const ref of result.refs) {
            const [root, name] = ref;
            if (root !== 'params' || ref.length !== 2 || typeof name !== 'string') issues.at(where, `template reference '${formatPath(ref)}': a notify address can read params.<name> only`);
            else if (!params.has(name)) issues.at(where, `template reference '${formatPath(ref)}' names unknown parameter '${name}'`);
          }
        });
      } else if (!EMAIL.test(email)) issues.at(at, `'${email}' is not an e-mail address`);
    }
    if (typeof n.webhook === 'string') {
      const problem = webhookProblem(n.webhook);
      if (problem) issues.at(['notify', i, 'webhook'], problem);
    }
  });
}

function webhookProblem(text: string): string | undefined {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return `'${text}' is not a URL`;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return `webhook '${text}' must be an http or https URL`;
  if (url.username || url.password) return 'a webhook URL must not carry credentials (its secret is set through the API)';
  return undefined;
}

function checkDatasets(datasets: unknown, tasks: Set<string>, issues: IssueList): void {
  if (!Array.isArray(datasets)) return;
  const names = new Set<string>();
  datasets.forEach((d: unknown, i) => {
    if (!isRaw(d)) return;
    if (typeof d.task === 'string' && !tasks.has(d.task)) issues.at(['datasets', i, 'task'], `unknown task '${d.task}'`);
    if (typeof d.name === 'string') {
      if (names.has(d.name)) issues.at(['datasets', i, 'name'], `dataset '${d.name}' is declared twice`);
      names.add(d.name);
    }
  });
}

function checkPositive(value: unknown, at: DataPath, issues: IssueList): void {
  if (parseDuration(value) === 0) issues.at(at, 'must be longer than 0');
}

function isRaw(value: unknown): value is Raw {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** The mapping entries whose values are mappings. */
function entries(value: unknown): [string, Raw][] {
  return isRaw(value) ? Object.entries(value).filter((e): e is [string, Raw] => isRaw(e[1])) : [];
}

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}
