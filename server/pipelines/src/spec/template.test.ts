/** renderTemplate / templateReferences: type preservation, the grammar, filters, errors. */
import { AppError, isAppError } from '@workbench/core';
import { renderTemplate, templateReferences, type TemplateContext } from './template';

const ctx: TemplateContext = {
  run: { id: 'run-1', logical_date: '2026-12-01', trigger: 'schedule' },
  period: { start: '2026-11-01', end: '2026-11-30', label: '2026-11' },
  params: { company_id: 7, rate: 0.5, final: false, note: null, companies: [1, 2, 3], opts: { 'dry-run': true, depth: 2 }, mode: 'Draft' },
  tasks: { extract: { values: { row_count: 1200, names: ['a', 'b'] }, status: 'succeeded' }, 'load-gl': { values: { ok: true }, status: 'failed' } },
  pipeline: { id: 'finance/close.pipeline.yaml', name: 'Month-end close' },
  task: { id: 'gold', path: 'finance/03_gold.ipynb', notebook_version: 'e69de29bb2d1d6434b8b29ae775ad8c2e48c5391' },
};

function renderError(value: unknown): AppError {
  try {
    renderTemplate(value, ctx);
  } catch (err) {
    if (isAppError(err, 'bad_request')) return err;
    throw err;
  }
  throw new Error('rendered without error');
}

describe('renderTemplate', () => {
  it.each<[string, unknown]>([
    ['{{ params.company_id }}', 7],
    ['{{params.rate}}', 0.5],
    ['{{ params.final }}', false],
    ['{{ params.note }}', null],
    ['{{ params.companies }}', [1, 2, 3]],
    ['{{ params.opts }}', { 'dry-run': true, depth: 2 }],
    ['{{ tasks.extract.values.row_count }}', 1200],
    ['{{ tasks.extract.status }}', 'succeeded'],
    ['{{ period.end }}', '2026-11-30'],
    ['{{ task.notebook_version }}', 'e69de29bb2d1d6434b8b29ae775ad8c2e48c5391'],
  ])('%s alone keeps the value and its type', (template, value) => {
    expect(renderTemplate(template, ctx)).toEqual(value);
  });

  it.each<[string, string]>([
    ['close-{{ period.label }}', 'close-2026-11'],
    ['{{ period.start }}..{{ period.end }}', '2026-11-01..2026-11-30'],
    ['rows={{ tasks.extract.values.row_count }}', 'rows=1200'],
    ['final={{ params.final }}', 'final=false'],
    ['note=[{{ params.note }}]', 'note=[]'],
    ['ids={{ params.companies }}', 'ids=[1,2,3]'],
    [' {{ run.id }} ', ' run-1 '],
    ['no template at all', 'no template at all'],
    ['a } and a {', 'a } and a {'],
  ])('%s embedded renders a string', (template, text) => {
    expect(renderTemplate(template, ctx)).toBe(text);
  });

  it('reads indexes, quoted keys and ids with dashes', () => {
    expect(renderTemplate('{{ params.companies[1] }}', ctx)).toBe(2);
    expect(renderTemplate("{{ params.opts['dry-run'] }}", ctx)).toBe(true);
    expect(renderTemplate('{{ params["opts"].depth }}', ctx)).toBe(2);
    expect(renderTemplate('{{ tasks.load-gl.values.ok }}', ctx)).toBe(true);
    expect(renderTemplate('{{ tasks.extract.values.names[0] }}', ctx)).toBe('a');
  });

  it('applies filters', () => {
    expect(renderTemplate('{{ params.missing | default(5) }}', { ...ctx, params: { ...ctx.params, missing: undefined } })).toBe(5);
    expect(renderTemplate('{{ tasks.extract.values.absent | default("none") }}', ctx)).toBe('none');
    expect(renderTemplate('{{ params.note | default(0) }}', ctx)).toBe(0);
    expect(renderTemplate('{{ params.company_id | default(0) }}', ctx)).toBe(7);
    expect(renderTemplate('{{ params.company_id | string }}', ctx)).toBe('7');
    expect(renderTemplate('{{ params.opts | json }}', ctx)).toBe('{"dry-run":true,"depth":2}');
    expect(renderTemplate('{{ params.mode | upper }}-{{ params.mode | lower }}', ctx)).toBe('DRAFT-draft');
    expect(renderTemplate('{{ tasks.x.values.y | default(null) | json }}', ctx)).toBe('null');
  });

  it('renders literals, which is how to write a literal {{', () => {
    expect(renderTemplate("{{ '{{' }} not a template }}", ctx)).toBe('{{ not a template }}');
    expect(renderTemplate('{{ "}}" }}', ctx)).toBe('}}');
    expect(renderTemplate('{{ -1.5 }}', ctx)).toBe(-1.5);
    expect(renderTemplate('{{ true }}', ctx)).toBe(true);
    expect(renderTemplate("{{ 'it\\'s' }}", ctx)).toBe("it's");
  });

  it('walks arrays and objects, leaving keys and non-strings alone', () => {
    const value = { a: ['{{ params.company_id }}', 'x{{ params.rate }}'], '{{ key }}': { n: 1, b: true, z: null }, when: '{{ run.logical_date }}' };
    expect(renderTemplate(value, ctx)).toEqual({ a: [7, 'x0.5'], '{{ key }}': { n: 1, b: true, z: null }, when: '2026-12-01' });
    expect(value.a[0]).toBe('{{ params.company_id }}');
  });

  it.each<[string, string]>([
    ['{{ params.nope }}', "unknown reference 'params.nope'"],
    ['x {{ tasks.extract.values.nope }}', "unknown reference 'tasks.extract.values.nope'"],
    ['{{ tasks.other.values.n }}', "unknown reference 'tasks.other.values.n'"],
    ['{{ params.companies[3] }}', "unknown reference 'params.companies[3]'"],
    ['{{ params.companies.length }}', "unknown reference 'params.companies.length'"],
    ['{{ params.constructor }}', "unknown reference 'params.constructor'"],
    ['{{ params.__proto__ }}', "unknown reference 'params.__proto__'"],
    ['{{ params.company_id.toString }}', "unknown reference 'params.company_id.toString'"],
    ['{{ env.HOME }}', "unknown reference 'env.HOME'"],
    ['{{ params.nope | upper }}', "unknown reference 'params.nope'"],
  ])('%s -> an error naming the reference', (template, message) => {
    const err = renderError(template);
    expect(err.message).toBe(`Cannot render template '${template}': ${message}`);
  });

  it.each<[string, string]>([
    ['{{ params.x ', "'{{' at character 1 is not closed by '}}'"],
    ['{{ }}', "in '{{ }}': a name or a literal expected at the end"],
    ['{{ params.x + 1 }}', "in '{{ params.x + 1 }}': unexpected '+' at character 11"],
    ['{{ params..x }}', "in '{{ params..x }}': unexpected '.' at character 9"],
    ['{{ params[x] }}', "in '{{ params[x] }}': unexpected 'x' at character 9"],
    ['{{ params.x | nope }}', "in '{{ params.x | nope }}': unknown filter 'nope' (known: default, string, json, upper, lower)"],
    ['{{ params.x | default(params.y) }}', "in '{{ params.x | default(params.y) }}': unexpected 'p' at character 21"],
    ['{{ params.x() }}', "in '{{ params.x() }}': unexpected '(' at character 10"],
    ['{{ params.company_id | upper }}', 'the upper filter needs a string, not number'],
  ])('%s -> a syntax or filter error', (template, message) => {
    expect(renderError(template).message).toBe(`Cannot render template '${template}': ${message}`);
  });
});

describe('templateReferences', () => {
  it('lists each path read, once, in order, through arrays and objects', () => {
    expect(
      templateReferences({
        a: '{{ params.company_id }}',
        b: ['x-{{ tasks.extract.values.row_count }}-{{ params.company_id }}', { c: "{{ params.opts['dry-run'] | default(1) }}" }],
        d: '{{ "literal" }}',
        e: 5,
      }),
    ).toEqual(['params.company_id', 'tasks.extract.values.row_count', 'params.opts.dry-run']);
  });

  it('is empty without templates and throws on a bad one', () => {
    expect(templateReferences(['a', 1, { b: null }])).toEqual([]);
    expect(() => templateReferences({ a: '{{ oops' })).toThrow(AppError);
  });
});
