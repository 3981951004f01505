import { CONNECTION } from './testing/fixtures';
import {
  connectionPatch,
  credentialLabel,
  DEFAULT_SETTINGS,
  formatAddress,
  formatElapsed,
  formValues,
  nameProblem,
  readForm,
  rotationLabel,
  shortServerVersion,
  sortConnections,
  sslLabel,
  stageLabel,
  verdictText,
  type FormValues,
} from './format';

const filled = (over: Partial<FormValues> = {}): FormValues => ({ ...formValues(), name: 'warehouse', host: '127.0.0.1', database: 'postgres', user: 'postgres', ...over });

describe('the list', () => {
  it('reads addresses, TLS modes and credentials', () => {
    expect(formatAddress(CONNECTION.settings)).toBe('db.internal:5432/odoo');
    expect(formatAddress({ host: '::1', port: 5433, database: 'x' })).toBe('[::1]:5433/x');
    expect([sslLabel('disable'), sslLabel('require'), sslLabel('verify-full')]).toEqual(['no TLS', 'TLS', 'TLS verified']);
    expect(credentialLabel({ stored: true, version: 2, pending_version: null })).toBe('Password v2');
    expect(credentialLabel({ stored: false, version: null, pending_version: null })).toBe('No password');
    expect(rotationLabel({ stored: true, version: 1, pending_version: 2 })).toBe('Rotation staged (v2)');
    expect(rotationLabel(CONNECTION.credential)).toBeNull();
    expect(sortConnections([{ ...CONNECTION, name: 'b' }, { ...CONNECTION, name: 'a-2' }, { ...CONNECTION, name: 'a' }]).map((c) => c.name)).toEqual(['a', 'a-2', 'b']);
  });

  it('words test results', () => {
    expect(verdictText({ ok: true, stage: 'ok' })).toBe('Connected');
    expect(verdictText({ ok: false, stage: 'dns' })).toBe('Failed at DNS');
    expect(stageLabel('auth')).toBe('Login');
    expect([formatElapsed(38.4), formatElapsed(1234), formatElapsed(12_600)]).toEqual(['38 ms', '1.2 s', '13 s']);
    expect(shortServerVersion('PostgreSQL 15.8 (Debian 15.8-0+deb12u1) on x86_64-pc-linux-gnu, compiled by gcc')).toBe('PostgreSQL 15.8');
    expect(shortServerVersion('PostgreSQL 17beta1 on x86_64')).toBe('PostgreSQL 17beta1');
    expect(shortServerVersion('CockroachDB CCL v23.1')).toBe('CockroachDB CCL v23.1');
  });
});

describe('the form', () => {
  it("starts from the server's defaults, and never with a password", () => {
    const v = formValues();
    expect(v).toMatchObject({ name: '', host: '', port: '5432', ssl: 'disable', schemas: 'public', max: '5', idle_timeout_s: '30', statement_timeout_s: '300', connect_timeout_s: '10', password: '' });
    expect(DEFAULT_SETTINGS.pool).toEqual({ max: 5, idle_timeout_s: 30, statement_timeout_s: 300, connect_timeout_s: 10 });
    expect(formValues(CONNECTION)).toMatchObject({ name: 'odoo', host: 'db.internal', ssl: 'require', user: 'workbench_ro', password: '' });
  });

  it('reads valid values into what the API takes', () => {
    const r = readForm(filled({ description: '  Warehouse ', schemas: 'public, sales\nfinance', password: ' secret ' }));
    expect(r).toEqual({
      ok: true,
      name: 'warehouse',
      description: 'Warehouse',
      password: ' secret ',
      settings: { host: '127.0.0.1', port: 5432, database: 'postgres', user: 'postgres', ssl: 'disable', schemas: ['public', 'sales', 'finance'], pool: { max: 5, idle_timeout_s: 30, statement_timeout_s: 300, connect_timeout_s: 10 } },
    });
    expect(readForm(filled()).ok && (readForm(filled()) as { password?: string }).password).toBeUndefined();
    // The CA goes only with verify-full.
    expect(readForm(filled({ ssl: 'require', ca: 'PEM' }))).toMatchObject({ ok: true, settings: { ssl: 'require' } });
    expect((readForm(filled({ ssl: 'require', ca: 'PEM' })) as { settings: object }).settings).not.toHaveProperty('ca');
    expect(readForm(filled({ ssl: 'verify-full', ca: 'PEM' }))).toMatchObject({ ok: true, settings: { ssl: 'verify-full', ca: 'PEM' } });
  });

  it("checks names by the server's rule", () => {
    expect(nameProblem('odoo_prod-2')).toBeNull();
    expect(nameProblem('a'.repeat(63))).toBeNull();
    expect(nameProblem('')).toMatch(/^Give the connection a name/);
    for (const bad of ['Odoo', '2nd', 'a b', '_x', 'a'.repeat(64), 'é']) expect(nameProblem(bad)).toMatch(/^The name must be 1-63 lowercase letters/);
  });

  it('names every field that is wrong, in order', () => {
    const r = readForm(filled({ name: 'Bad Name', host: ' ', port: '70000', user: 'u'.repeat(64), ssl: 'prefer', max: '0', connect_timeout_s: '1.5', idle_timeout_s: '3601', statement_timeout_s: '86401' }));
    expect(r.ok).toBe(false);
    const problems = r.ok ? [] : r.problems;
    expect(problems.map((p) => p.field)).toEqual(['name', 'host', 'port', 'user', 'ssl', 'max', 'idle_timeout_s', 'statement_timeout_s', 'connect_timeout_s']);
    expect(problems.find((p) => p.field === 'port')!.message).toBe('Port must be a whole number from 1 to 65535.');
    expect(problems.find((p) => p.field === 'host')!.message).toBe('Host is required.');
    expect(problems.find((p) => p.field === 'user')!.message).toBe('User is 64 characters long: at most 63.');
    for (const port of ['0', '-1', '5432.0', 'abc', '']) expect(readForm(filled({ port })).ok).toBe(false);
    for (const port of ['1', ' 65535 ']) expect(readForm(filled({ port })).ok).toBe(true);
    expect(readForm(filled({ schemas: 's'.repeat(64) }))).toMatchObject({ ok: false, problems: [{ field: 'schemas' }] });
    expect(readForm(filled({ schemas: Array.from({ length: 101 }, (_, i) => `s${i}`).join(',') }))).toMatchObject({ ok: false, problems: [{ field: 'schemas', message: 'At most 100 schemas: 101 given.' }] });
    expect(readForm(filled({ password: 'p'.repeat(1025) }))).toMatchObject({ ok: false, problems: [{ field: 'password' }] });
  });

  it('patches only what changed', () => {
    const same = readForm({ ...formValues(CONNECTION) });
    if (!same.ok) throw new Error('expected valid');
    expect(connectionPatch(CONNECTION, same.description, same.settings)).toBeNull();
    expect(connectionPatch(CONNECTION, 'new text', same.settings)).toEqual({ description: 'new text' });
    const moved = { ...same.settings, port: 5433 };
    expect(connectionPatch(CONNECTION, same.description, moved)).toEqual({ settings: moved });
  });
});
