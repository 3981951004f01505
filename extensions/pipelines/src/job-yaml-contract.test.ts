/**
 * What "Create job" writes against the server's own parser
 * (server/pipelines parsePipeline: YAML, JSON Schema, checks): every
 * schedule kind loads into the spec the form meant. The parser is
 * imported here only, in a test: the package itself runs in the browser
 * and does not depend on the server.
 */
import { parsePipeline } from '@workbench/pipelines';
import { jobPath, jobYaml, type JobForm } from './job-yaml';

const base: JobForm = {
  name: 'Close: revenue "EU"',
  notebook: 'finance/close.ipynb',
  schedule: { kind: 'none' },
  parameters: [
    { name: 'month', type: 'date', value: '2026-01-31' },
    { name: 'limit', type: 'integer', value: 10 },
    { name: 'rate', type: 'number', value: 0.25 },
    { name: 'dry', type: 'boolean', value: true },
    { name: 'label', type: 'string', value: "it's: {not} # a comment\n\ttab" },
    { name: 'regions', type: 'list', value: ['EU', 'US'] },
    { name: 'opts', type: 'object', value: { a: 1 } },
  ],
  retries: 3,
};

const load = (form: JobForm) => parsePipeline(jobYaml(form), jobPath(form.notebook));

describe('Create job YAML, read by the server', () => {
  it('loads with the name, the task, its retries and every parameter with its default and type', () => {
    const spec = load(base);
    expect(spec.name).toBe('Close: revenue "EU"');
    expect(spec.triggers).toEqual([]);
    expect(spec.tasks).toHaveLength(1);
    expect(spec.tasks[0]).toMatchObject({ id: 'close', target: { kind: 'notebook', path: 'finance/close.ipynb' }, dependsOn: [], retry: { retries: 3 } });
    expect(spec.tasks[0]!.parameters).toEqual(Object.fromEntries(base.parameters.map((p) => [p.name, `{{ params.${p.name} }}`])));
    expect(Object.fromEntries(Object.entries(spec.parameters).map(([k, p]) => [k, [p.type, p.default]]))).toEqual(Object.fromEntries(base.parameters.map((p) => [p.name, [p.type, p.value]])));
  });

  it('loads every schedule kind as the trigger the form meant', () => {
    expect(load({ ...base, schedule: { kind: 'cron', cron: '30 6 * * 1-5', timezone: 'Europe/Paris' } }).triggers).toEqual([{ kind: 'cron', cron: '30 6 * * 1-5', timezone: 'Europe/Paris' }]);
    expect(load({ ...base, schedule: { kind: 'business_day', n: 2, at: '09:15', timezone: 'UTC', country: '' } }).triggers).toEqual([{ kind: 'calendar', rule: { type: 'business_day', n: 2 }, at: '09:15', timezone: 'UTC' }]);
    const after = load({ ...base, schedule: { kind: 'business_days_after_month_end', n: 3, at: '7:00', timezone: 'Europe/Paris', country: 'FR' } });
    expect(after.triggers).toEqual([{ kind: 'calendar', rule: { type: 'business_days_after_month_end', n: 3 }, at: '07:00', timezone: 'Europe/Paris', holidays: { country: 'FR' } }]);
    expect(after.period).toBe('previous_month');
    expect(load({ ...base, schedule: { kind: 'last_business_day', at: '18:00', timezone: 'America/New_York', country: 'US' } }).triggers).toEqual([
      { kind: 'calendar', rule: { type: 'last_business_day' }, at: '18:00', timezone: 'America/New_York', holidays: { country: 'US' } },
    ]);
  });

  it('keeps a file name with a line break in the comment on one line', () => {
    expect(load({ ...base, notebook: 'odd\nname: x.ipynb' }).name).toBe(base.name);
  });

  it('is refused by the server where the form would refuse it too', () => {
    expect(() => load({ ...base, schedule: { kind: 'cron', cron: 'every day', timezone: 'Europe/Paris' } })).toThrow(/cron/i);
    expect(() => load({ ...base, schedule: { kind: 'cron', cron: '0 7 * * *', timezone: 'Mars/Olympus' } })).toThrow(/time ?zone|timezone/i);
  });
});
