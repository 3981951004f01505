/** resolveParameters: defaults rendered, overrides coerced from form text, every problem named. */
import { AppError, isAppError } from '@workbench/core';
import { parsePipeline } from './parse-pipeline';
import { resolveParameters } from './resolve-parameters';
import type { TemplateContext } from './template';

const spec = parsePipeline(
  `parameters:
  company_id: { type: integer, default: 1 }
  as_of: { type: date, default: "{{ period.end }}" }
  mode: { type: string, enum: [draft, final], default: draft }
  rate: { type: number, default: 1.5 }
  dry_run: { type: boolean, default: false }
  at: { type: datetime, required: false }
  accounts: { type: list, default: ["{{ period.label }}", 701] }
  options: { type: object, default: { depth: 1 } }
  entity: { type: string }
tasks:
  a:
    notebook: a.ipynb
`,
  'finance/close.pipeline.yaml',
);

const ctx: Omit<TemplateContext, 'params'> = {
  run: { id: 'r1', logical_date: '2026-12-01', trigger: 'manual' },
  period: { start: '2026-11-01', end: '2026-11-30', label: '2026-11' },
  tasks: {},
  pipeline: { id: spec.id, name: spec.name },
};

function failure(overrides: Record<string, unknown>): AppError {
  try {
    resolveParameters(spec, overrides, ctx);
  } catch (err) {
    if (isAppError(err, 'bad_request')) return err;
    throw err;
  }
  throw new Error('resolved without error');
}

describe('resolveParameters', () => {
  it('renders defaults for the run, in declaration order, leaving out optional ones without value', () => {
    const params = resolveParameters(spec, { entity: 'FR01' }, ctx);
    expect(params).toEqual({
      company_id: 1,
      as_of: '2026-11-30',
      mode: 'draft',
      rate: 1.5,
      dry_run: false,
      accounts: ['2026-11', 701],
      options: { depth: 1 },
      entity: 'FR01',
    });
    expect(Object.keys(params)).toEqual(['company_id', 'as_of', 'mode', 'rate', 'dry_run', 'accounts', 'options', 'entity']);
  });

  it('coerces form text to the declared types', () => {
    const params = resolveParameters(
      spec,
      { company_id: ' 5 ', as_of: '2026-10-31', mode: 'final', rate: '-2.5e1', dry_run: 'TRUE', at: '2026-11-30T18:00:00+01:00', accounts: '[1, 2]', options: '{"depth": 3}', entity: 'FR01' },
      ctx,
    );
    expect(params).toEqual({ company_id: 5, as_of: '2026-10-31', mode: 'final', rate: -25, dry_run: true, at: '2026-11-30T18:00:00+01:00', accounts: [1, 2], options: { depth: 3 }, entity: 'FR01' });
  });

  it('takes typed JSON values as they are and treats null as not given', () => {
    expect(resolveParameters(spec, { company_id: 9, dry_run: true, entity: 'X', mode: null }, ctx)).toMatchObject({ company_id: 9, dry_run: true, mode: 'draft' });
  });

  it.each<[Record<string, unknown>, string]>([
    [{ entity: 'X', company_id: '5.5' }, "parameter 'company_id' must be an integer; the value is \"5.5\""],
    [{ entity: 'X', company_id: 'abc' }, "parameter 'company_id' must be an integer; the value is \"abc\""],
    [{ entity: 'X', company_id: 1.5 }, "parameter 'company_id' must be an integer; the value is 1.5"],
    [{ entity: 'X', as_of: '2026-11-31' }, "parameter 'as_of' must be a date (YYYY-MM-DD); the value is \"2026-11-31\""],
    [{ entity: 'X', as_of: '30/11/2026' }, "parameter 'as_of' must be a date (YYYY-MM-DD); the value is \"30/11/2026\""],
    [{ entity: 'X', at: '2026-11-30T25:00' }, "parameter 'at' must be a date-time (YYYY-MM-DDTHH:MM[:SS][Z|±HH:MM]); the value is \"2026-11-30T25:00\""],
    [{ entity: 'X', dry_run: 'yes' }, "parameter 'dry_run' must be true or false; the value is \"yes\""],
    [{ entity: 'X', rate: 'NaN' }, "parameter 'rate' must be a number; the value is \"NaN\""],
    [{ entity: 'X', accounts: '{"a":1}' }, "parameter 'accounts' must be a list; the value is \"{\\\"a\\\":1}\""],
    [{ entity: 'X', options: [1] }, "parameter 'options' must be a mapping; the value is [1]"],
    [{ entity: 5 }, "parameter 'entity' must be a string; the value is 5"],
    [{ entity: 'X', mode: 'FINAL' }, "parameter 'mode' must be one of \"draft\", \"final\"; the value is \"FINAL\""],
    [{ entity: 'X', region: 'EU' }, "unknown parameter 'region'"],
    [{}, "parameter 'entity' (a string) is required"],
  ])('%j -> bad_request naming the parameter and type', (overrides, message) => {
    const err = failure(overrides);
    expect(err.message).toBe(`Cannot resolve the parameters of pipeline finance/close.pipeline.yaml: ${message}`);
  });

  it('names every problem at once, also in details', () => {
    const err = failure({ company_id: 'x', __proto__: 'y' } as Record<string, unknown>);
    expect(err.message).toBe(
      "Cannot resolve the parameters of pipeline finance/close.pipeline.yaml: parameter 'company_id' must be an integer; the value is \"x\"; parameter 'entity' (a string) is required",
    );
    const own = failure(JSON.parse('{"__proto__": 1, "entity": "X"}') as Record<string, unknown>);
    expect(own.details).toEqual({ parameters: { ['__proto__']: "unknown parameter '__proto__'" }, public: { parameters: own.details!.parameters } });
    expect(Object.getPrototypeOf(own.details!.parameters)).toBe(Object.prototype);
  });

  it('checks a rendered default against its type', () => {
    const odd = parsePipeline('parameters:\n  n: { type: integer, default: "{{ run.id }}" }\ntasks:\n  a:\n    notebook: a.ipynb\n', 'p.pipeline.yaml');
    expect(() => resolveParameters(odd, {}, ctx)).toThrow("parameter 'n' must be an integer; its default is \"r1\"");
  });
});
