import { emptyRow, MAX_PARAMETERS, parameterFromRow, readDefault, rowFromParameter, rowsProblem, splitChoices, type ParameterRow } from './parameter-rows';

const row = (over: Partial<ParameterRow>): ParameterRow => ({ ...emptyRow(), name: 'p', ...over });

describe('parameterFromRow', () => {
  it('converts defaults to their type, and leaves an empty one out', () => {
    expect(parameterFromRow(row({ type: 'integer', default: ' 42 ' }))).toEqual({ name: 'p', type: 'integer', required: true, default: 42 });
    expect(parameterFromRow(row({ type: 'number', default: '-0.5' })).default).toBe(-0.5);
    expect(parameterFromRow(row({ type: 'boolean', default: 'false' })).default).toBe(false);
    expect(parameterFromRow(row({ type: 'boolean', default: '' }))).toEqual({ name: 'p', type: 'boolean', required: true });
    expect(parameterFromRow(row({ type: 'date', default: '2026-01-31' })).default).toBe('2026-01-31');
    expect(parameterFromRow(row({ type: 'string', default: ' a ' })).default).toBe(' a ');
    expect(parameterFromRow(row({ type: 'string', default: '' }))).not.toHaveProperty('default');
  });

  it('trims name and label, keeps choices only for choice and the kind only for connection', () => {
    expect(parameterFromRow(row({ name: ' entity ', label: ' Entity ', type: 'choice', choices: 'FR01, PH01,,', default: 'PH01', required: false, connectionKind: 'postgres' }))).toEqual({
      name: 'entity',
      label: 'Entity',
      type: 'choice',
      choices: ['FR01', 'PH01'],
      default: 'PH01',
      required: false,
    });
    expect(parameterFromRow(row({ type: 'connection', connectionKind: ' postgres ', choices: 'a', default: 'odoo' }))).toEqual({ name: 'p', type: 'connection', connection_kind: 'postgres', default: 'odoo', required: true });
    expect(parameterFromRow(row({ type: 'connection' }))).not.toHaveProperty('connection_kind');
  });

  it('sends a default that does not read as its type as typed (the server refuses it)', () => {
    expect(parameterFromRow(row({ type: 'integer', default: '4.5' })).default).toBe('4.5');
  });

  it('round-trips a guessed parameter', () => {
    const p = { name: 'close_month', type: 'month' as const, label: 'Close month', default: '2026-01', required: true };
    expect(rowFromParameter(p)).toEqual({ ...emptyRow(), name: 'close_month', type: 'month', label: 'Close month', default: '2026-01' });
    expect(parameterFromRow(rowFromParameter(p))).toEqual(p);
    expect(parameterFromRow(rowFromParameter({ name: 'x', type: 'choice', choices: ['a', 'b'], description: 'd', required: false }))).toEqual({ name: 'x', type: 'choice', choices: ['a', 'b'], description: 'd', required: false });
  });
});

describe('readDefault', () => {
  it('reads each type by the server rules', () => {
    expect(readDefault(row({ type: 'integer', default: '1234567890123456' }))).toHaveProperty('error');
    expect(readDefault(row({ type: 'number', default: '0x10' }))).toHaveProperty('error');
    expect(readDefault(row({ type: 'number', default: '1e3' }))).toEqual({ value: 1000 });
    expect(readDefault(row({ type: 'boolean', default: 'yes' }))).toHaveProperty('error');
    expect(readDefault(row({ type: 'date', default: '2026-02-30' }))).toEqual({ error: 'the default "2026-02-30" is not a date (YYYY-MM-DD)' });
    expect(readDefault(row({ type: 'month', default: '2026-13' }))).toHaveProperty('error');
    expect(readDefault(row({ type: 'month', default: '2026-12' }))).toEqual({ value: '2026-12' });
    expect(readDefault(row({ type: 'connection', default: 'my db' }))).toHaveProperty('error');
    expect(readDefault(row({ type: 'choice', choices: 'a,b', default: 'c' }))).toEqual({ error: 'the default "c" is not one of the choices' });
  });
});

describe('rowsProblem', () => {
  it('is null for good rows and for none', () => {
    expect(rowsProblem([])).toBeNull();
    expect(rowsProblem([row({ name: 'a', type: 'integer', default: '1' }), row({ name: 'b', type: 'choice', choices: 'x, y' })])).toBeNull();
  });

  it('names the row and what is wrong, first problem first', () => {
    expect(rowsProblem([row({ name: 'ok' }), row({ name: '2x' })])).toEqual({
      row: 1,
      field: 'name',
      message: 'Parameter 2: the name "2x" must be letters, digits and _ (not starting with a digit, at most 64), as notebooks name variables.',
    });
    expect(rowsProblem([row({ name: ' ' })])).toEqual({ row: 0, field: 'name', message: 'Parameter 1: give it a name.' });
    expect(rowsProblem([row({ name: 'title' })])?.message).toBe('Parameter 1: the name "title" is reserved (the install\'s own title).');
    expect(rowsProblem([row({ name: 'a' }), row({ name: 'a' })])).toMatchObject({ row: 1, message: 'Parameter 2: a is declared twice.' });
    expect(rowsProblem([row({ name: 'n', type: 'integer', default: 'x' })])).toEqual({ row: 0, field: 'default', message: 'Parameter 1 (n): the default "x" is not an integer.' });
    expect(rowsProblem([row({ name: 'c', type: 'choice', choices: ' , ' })])).toMatchObject({ field: 'choices', message: 'Parameter 1 (c): a choice needs its choices, separated by commas.' });
    expect(rowsProblem([row({ name: 'c', type: 'choice', choices: 'a, a' })])).toMatchObject({ field: 'choices' });
    expect(rowsProblem([row({ name: 'l', label: 'x'.repeat(101) })])).toMatchObject({ field: 'label' });
    expect(rowsProblem([row({ name: 'k', type: 'connection', connectionKind: 'x'.repeat(41) })])).toMatchObject({ field: 'connectionKind' });
    expect(rowsProblem(Array.from({ length: MAX_PARAMETERS + 1 }, (_, i) => row({ name: `p${i}` })))).toEqual({ message: 'A template takes at most 30 parameters (there are 31).' });
  });

  it('ignores choices and kinds of other types', () => {
    expect(rowsProblem([row({ name: 'a', type: 'string', choices: 'a, a', connectionKind: 'x'.repeat(50) })])).toBeNull();
  });
});

describe('splitChoices', () => {
  it('splits on commas, trimmed, empty ones out', () => {
    expect(splitChoices(' FR01 ,PH01,, ')).toEqual(['FR01', 'PH01']);
  });
});
