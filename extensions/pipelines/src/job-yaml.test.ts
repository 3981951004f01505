import { checkJobForm, jobPath, jobYaml, readDefault, taskIdOf, type JobForm } from './job-yaml';

const form: JobForm = {
  name: 'Monthly revenue',
  notebook: 'finance/monthly revenue.ipynb',
  schedule: { kind: 'cron', cron: ' 0  7 * * 1-5 ', timezone: 'Europe/Paris' },
  parameters: [
    { name: 'month', type: 'date', value: '2026-01-31' },
    { name: 'limit', type: 'integer', value: 10 },
    { name: 'label', type: 'string', value: 'it\'s "quoted"\n# not a comment: {{ x }}' },
    { name: 'dry', type: 'boolean', value: false },
    { name: 'regions', type: 'list', value: ['EU', 'US'] },
  ],
  retries: 2,
};

describe('jobYaml', () => {
  it('writes a one-task pipeline: name, cron schedule, parameters with defaults passed to the task', () => {
    expect(jobYaml(form)).toBe(
      [
        '# Created with "Create job" from finance/monthly revenue.ipynb: one task that runs the notebook.',
        'name: "Monthly revenue"',
        'schedule:',
        '  - cron: "0 7 * * 1-5"',
        '    timezone: "Europe/Paris"',
        'parameters:',
        '  month:',
        '    type: date',
        '    default: "2026-01-31"',
        '  limit:',
        '    type: integer',
        '    default: 10',
        '  label:',
        '    type: string',
        '    default: "it\'s \\"quoted\\"\\n# not a comment: {{ x }}"',
        '  dry:',
        '    type: boolean',
        '    default: false',
        '  regions:',
        '    type: list',
        '    default: ["EU","US"]',
        'tasks:',
        '  monthly_revenue:',
        '    notebook: "finance/monthly revenue.ipynb"',
        '    retries: 2',
        '    parameters:',
        '      month: "{{ params.month }}"',
        '      limit: "{{ params.limit }}"',
        '      label: "{{ params.label }}"',
        '      dry: "{{ params.dry }}"',
        '      regions: "{{ params.regions }}"',
        '',
      ].join('\n'),
    );
  });

  it('writes the close-calendar schedules, with the holidays of a country', () => {
    const calendar = (schedule: JobForm['schedule']) => jobYaml({ ...form, parameters: [], retries: 0, schedule });
    expect(calendar({ kind: 'business_days_after_month_end', n: 3, at: '7:30', timezone: 'Europe/Paris', country: 'FR' })).toBe(
      [
        '# Created with "Create job" from finance/monthly revenue.ipynb: one task that runs the notebook.',
        'name: "Monthly revenue"',
        'period: previous_month',
        'schedule:',
        '  - calendar:',
        '      business_days_after_month_end: 3',
        '    at: "07:30"',
        '    timezone: "Europe/Paris"',
        '    holidays:',
        '      country: "FR"',
        'tasks:',
        '  monthly_revenue:',
        '    notebook: "finance/monthly revenue.ipynb"',
        '',
      ].join('\n'),
    );
    expect(calendar({ kind: 'business_day', n: -2, at: '18:00', timezone: 'UTC', country: '' })).toContain('  - calendar:\n      business_day: -2\n    at: "18:00"\n    timezone: "UTC"\ntasks:');
    expect(calendar({ kind: 'last_business_day', at: '18:00', timezone: 'America/New_York', country: 'US' })).toContain('      last_business_day: true\n');
    expect(calendar({ kind: 'none' })).not.toContain('schedule:');
  });

  it('names the file and the task after the notebook', () => {
    expect(jobPath('finance/close.ipynb')).toBe('finance/close.pipeline.yaml');
    expect(jobPath('Report.IPYNB')).toBe('Report.pipeline.yaml');
    expect(taskIdOf('a/b/2026 close (v2).ipynb')).toBe('close_v2');
    expect(taskIdOf('ünïcode.ipynb')).toBe('n_code');
    expect(taskIdOf('123.ipynb')).toBe('notebook');
  });
});

describe('checkJobForm', () => {
  it('passes a good form, and names each field the server would refuse', () => {
    expect(checkJobForm(form)).toEqual([]);
    const fields = (f: Partial<JobForm>) => checkJobForm({ ...form, ...f }).map((p) => p.field);
    expect(fields({ name: ' ', retries: 101 })).toEqual(['name', 'retries']);
    expect(fields({ schedule: { kind: 'cron', cron: '0 7 *', timezone: '' } })).toEqual(['cron', 'timezone']);
    expect(fields({ schedule: { kind: 'business_day', n: 0, at: '25:00', timezone: 'UTC', country: 'fr' } })).toEqual(['n', 'at', 'country']);
    expect(fields({ schedule: { kind: 'business_days_after_month_end', n: -1, at: '07:00', timezone: 'UTC', country: '' } })).toEqual(['n']);
    expect(fields({ parameters: [{ name: '2x', type: 'string', value: '' }, { name: 'a', type: 'string', value: '' }, { name: 'a', type: 'string', value: '' }] })).toEqual(['parameters.0', 'parameters.2']);
  });

  it('reads defaults typed in the form by their type', () => {
    expect(readDefault('integer', ' 42 ')).toEqual({ value: 42 });
    expect(readDefault('integer', '4.2')).toEqual({ error: '"4.2" is not an integer' });
    expect(readDefault('number', '4.2')).toEqual({ value: 4.2 });
    expect(readDefault('boolean', 'True')).toEqual({ value: true });
    expect(readDefault('date', '2026-01-31')).toEqual({ value: '2026-01-31' });
    expect(readDefault('date', '{{ period.end }}')).toEqual({ value: '{{ period.end }}' });
    expect(readDefault('list', '["a", 1]')).toEqual({ value: ['a', 1] });
    expect(readDefault('object', '[1]')).toEqual({ error: 'not a JSON object' });
    expect(readDefault('string', ' keep spaces ')).toEqual({ value: ' keep spaces ' });
  });
});
