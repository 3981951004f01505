/**
 * The JSON Schema (draft-07) of a `*.pipeline.yaml` file as written: the
 * shape ajv checks before the semantic checks of check-pipeline.ts. It is
 * also published as server/pipelines/pipeline.schema.json for editors
 * (pipeline-schema.test.ts fails when that file is stale).
 *
 * Error wording (schema-issues.ts) relies on two conventions kept here:
 * a `oneOf`/`anyOf` whose branches are only `{ required: [key] }` reads as
 * "exactly one / at least one of", and every `pattern` is one of PATTERNS,
 * which say in words what they accept.
 */

/** The patterns the schema uses, each with the words issues use for it. */
export const PATTERNS = {
  taskId: { pattern: '^[A-Za-z_][A-Za-z0-9_-]*$', noun: 'a task id', hint: 'a letter or _, then letters, digits, _ or -' },
  parameterName: { pattern: '^[A-Za-z_][A-Za-z0-9_]*$', noun: 'a parameter name', hint: 'a letter or _, then letters, digits or _' },
  duration: { pattern: '^(?=[0-9])([0-9]+d)?([0-9]+h)?([0-9]+m)?([0-9]+s)?$', noun: 'a duration', hint: 'such as 30s, 10m, 2h, 1d, 1h30m, or a whole number of seconds' },
  time: { pattern: '^([01]?[0-9]|2[0-3]):[0-5][0-9]$', noun: 'a time of day', hint: 'HH:MM, 24-hour' },
  date: { pattern: '^[0-9]{4}-[0-9]{2}-[0-9]{2}$', noun: 'a date', hint: 'YYYY-MM-DD' },
  country: { pattern: '^[A-Z]{2}$', noun: 'a country code', hint: 'ISO 3166-1 alpha-2 in capitals, such as FR' },
} as const;

const duration = {
  description: 'A duration: 30s, 10m, 2h, 1d, 1h30m, or a whole number of seconds.',
  type: ['integer', 'string'],
  minimum: 0,
  pattern: PATTERNS.duration.pattern,
};

const workspacePath = { description: 'A workspace-relative path (no leading /, no ..).', type: 'string', minLength: 1 };

const retryOn = {
  description: 'Which failures are retried.',
  type: 'array',
  items: { enum: ['error', 'timeout', 'kernel_death'] },
  uniqueItems: true,
};

/** Retry and timeout settings a task may set and `defaults` sets for every task. */
const taskSettings = {
  retries: { description: 'Retries after the first attempt (0 = none).', type: 'integer', minimum: 0, maximum: 100 },
  retry_delay: { $ref: '#/definitions/duration', description: 'Delay before the first retry.' },
  retry_backoff: { description: 'Each further retry waits this many times longer.', type: 'number', minimum: 1 },
  retry_max_delay: { $ref: '#/definitions/duration', description: 'No retry delay exceeds this.' },
  retry_jitter: { description: 'Random extra delay as a fraction of the delay.', type: 'number', minimum: 0, maximum: 1 },
  retry_on: { $ref: '#/definitions/retryOn' },
  timeout: { $ref: '#/definitions/duration', description: 'Longest one attempt may take.' },
  cell_timeout: { $ref: '#/definitions/duration', description: 'Longest one notebook cell or SQL statement may take.' },
};

const task = {
  type: 'object',
  properties: {
    notebook: { $ref: '#/definitions/workspacePath', description: 'Run this notebook (.ipynb).' },
    sql: { $ref: '#/definitions/workspacePath', description: 'Run this SQL file (.sql).' },
    pipeline: { $ref: '#/definitions/workspacePath', description: 'Run this pipeline (.pipeline.yaml) and wait for it.' },
    depends_on: {
      description: 'Tasks that must end before this one starts.',
      type: 'array',
      items: { type: 'string' },
      uniqueItems: true,
    },
    trigger_rule: { enum: ['all_succeeded', 'all_done', 'any_failed'] },
    parameters: {
      description: 'Values for the notebook parameters: literals or templates.',
      type: 'object',
      propertyNames: { pattern: PATTERNS.parameterName.pattern },
    },
    kernel: { description: 'Kernelspec name overriding the notebook own.', type: 'string', minLength: 1 },
    priority: { description: 'Among ready tasks, higher runs first.', type: 'integer' },
    ...taskSettings,
  },
  additionalProperties: false,
  oneOf: [{ required: ['notebook'] }, { required: ['sql'] }, { required: ['pipeline'] }],
};

const holidays = {
  type: 'object',
  properties: {
    country: { type: 'string', pattern: PATTERNS.country.pattern },
    region: { description: "date-holidays' state or region code, e.g. BY.", type: ['string', 'null'] },
    closed_days: {
      description: 'Company closed days, YYYY-MM-DD.',
      type: 'array',
      items: { type: 'string', pattern: PATTERNS.date.pattern },
      uniqueItems: true,
    },
    weekend: {
      description: 'Weekend days, 0 = Sunday .. 6 = Saturday (default [0, 6]).',
      type: 'array',
      items: { type: 'integer', minimum: 0, maximum: 6 },
      uniqueItems: true,
    },
  },
  required: ['country'],
  additionalProperties: false,
};

const calendar = {
  description: 'Which business day of the month.',
  type: 'object',
  properties: {
    business_day: { description: 'n-th business day (negative: counted back from the month end).', type: 'integer', minimum: -23, maximum: 23, not: { const: 0 } },
    business_days_after_month_end: { description: 'n-th business day after the month ends.', type: 'integer', minimum: 1, maximum: 23 },
    last_business_day: { const: true },
  },
  additionalProperties: false,
  oneOf: [{ required: ['business_day'] }, { required: ['business_days_after_month_end'] }, { required: ['last_business_day'] }],
};

const trigger = {
  type: 'object',
  properties: {
    cron: { description: 'A 5-field cron expression (6 with leading seconds).', type: 'string' },
    calendar,
    after: { $ref: '#/definitions/workspacePath', description: "Run when that pipeline's run succeeded." },
    at: { description: 'Time of day of a calendar trigger, HH:MM.', type: 'string', pattern: PATTERNS.time.pattern },
    timezone: { description: 'IANA time zone (default UTC).', type: 'string', minLength: 1 },
    holidays,
  },
  additionalProperties: false,
  oneOf: [{ required: ['cron'] }, { required: ['calendar'] }, { required: ['after'] }],
  dependencies: { calendar: ['at'], at: ['calendar'], holidays: ['calendar'] },
};

const parameter = {
  type: 'object',
  properties: {
    type: { enum: ['string', 'integer', 'number', 'boolean', 'date', 'datetime', 'list', 'object'] },
    default: { description: 'A value of the type, or a template such as "{{ period.end }}".' },
    description: { type: 'string' },
    enum: { type: 'array', minItems: 1 },
    required: { description: 'A run needs a value (default: true when there is no default).', type: 'boolean' },
  },
  required: ['type'],
  additionalProperties: false,
};

const notify = {
  type: 'object',
  properties: {
    on: {
      type: 'array',
      items: { enum: ['failure', 'success', 'sla_miss', 'data_ready'] },
      minItems: 1,
      uniqueItems: true,
    },
    email: { description: 'One address or a list.', type: ['string', 'array'], items: { type: 'string' }, minItems: 1 },
    webhook: { description: 'An http(s) URL receiving a signed JSON POST.', type: 'string' },
  },
  required: ['on'],
  additionalProperties: false,
  anyOf: [{ required: ['email'] }, { required: ['webhook'] }],
};

const dataset = {
  type: 'object',
  properties: {
    name: { type: 'string', minLength: 1 },
    task: { description: 'The task whose values carry row_count.', type: 'string' },
    schema_version: { type: ['string', 'integer'] },
  },
  required: ['name', 'task'],
  additionalProperties: false,
};

export const PIPELINE_JSON_SCHEMA = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  title: 'Workbench pipeline',
  description: 'A *.pipeline.yaml file: see server/pipelines/README.md.',
  type: 'object',
  properties: {
    name: { description: 'Display name (default: the file name).', type: 'string', minLength: 1 },
    description: { type: 'string' },
    period: { enum: ['previous_month', 'current_month', 'previous_day', 'current_day'] },
    schedule: { type: 'array', items: { $ref: '#/definitions/trigger' } },
    webhook: { description: 'A webhook may start runs.', type: 'boolean' },
    parameters: {
      type: 'object',
      propertyNames: { pattern: PATTERNS.parameterName.pattern },
      additionalProperties: { $ref: '#/definitions/parameter' },
    },
    max_parallel: { description: 'Tasks of one run running at once (default 4).', type: 'integer', minimum: 1 },
    priority: { description: 'Among queued runs, higher starts first.', type: 'integer' },
    timeout: { $ref: '#/definitions/duration', description: 'Longest a run may take.' },
    sla: { $ref: '#/definitions/duration', description: 'A run not done this long after its scheduled time is an SLA miss.' },
    defaults: {
      description: 'Settings for every task; a task may override them.',
      type: 'object',
      properties: taskSettings,
      additionalProperties: false,
    },
    tasks: {
      type: 'object',
      minProperties: 1,
      propertyNames: { pattern: PATTERNS.taskId.pattern },
      additionalProperties: { $ref: '#/definitions/task' },
    },
    notify: { type: 'array', items: { $ref: '#/definitions/notify' } },
    datasets: { type: 'array', items: { $ref: '#/definitions/dataset' } },
    rollback: { $ref: '#/definitions/task', description: 'The task POST /api/runs/{id}/rollback runs alone to undo a run: it gets rollback_of (the run undone), restore_run (the run before it for the same period) and reason besides its own parameters.' },
  },
  required: ['tasks'],
  additionalProperties: false,
  definitions: { duration, workspacePath, retryOn, task, trigger, parameter, notify, dataset },
} as const;
