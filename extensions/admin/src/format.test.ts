import {
  auditQueryFromForm,
  EXPIRY_CHOICES,
  formatAbsoluteTime,
  formatActor,
  formatDateParts,
  formatPreciseTime,
  localInputToIso,
  orderRoles,
  recordJson,
  rolesSourceLabel,
  sortTokens,
  tokenNameProblem,
  tokenStatus,
  userPatch,
  userSourceLabel,
  verifyText,
} from './format';
import { USER } from './testing/fixtures';
import type { ApiToken, AuditRecord, UserModel } from './types';

const utc = { locale: 'en-US', timeZone: 'UTC' };
const ROLES = ['viewer', 'analyst', 'engineer', 'admin'];

const token = (over: Partial<ApiToken> = {}): ApiToken => ({ id: 't', name: 'n', prefix: 'wbt_x', created: '2026-03-10T11:00:00.000Z', last_used: null, expires: null, revoked: null, ...over });

const user = (over: Partial<UserModel> = {}): UserModel => ({ ...USER, ...over });

describe('times', () => {
  it('formats in the given locale and zone, seconds only where asked', () => {
    expect(formatAbsoluteTime('2026-03-10T15:04:05Z', utc)).toBe('Mar 10, 2026, 3:04 PM');
    expect(formatPreciseTime('2026-03-10T15:04:05Z', utc)).toBe('Mar 10, 2026, 3:04:05 PM');
    expect(formatAbsoluteTime('not a time', utc)).toBe('not a time');
    expect(formatDateParts('2026-03-10T15:04:05Z', utc)).toEqual({ date: 'Mar 10, 2026', time: '3:04 PM' });
    expect(formatDateParts('2026-03-10T15:04:05Z', { ...utc, seconds: true })).toEqual({ date: 'Mar 10, 2026', time: '3:04:05 PM' });
    expect(formatDateParts('never', utc)).toEqual({ date: 'never', time: '' });
  });

  it('reads datetime-local values in the browser zone as ISO 8601 UTC', () => {
    expect(localInputToIso('2026-03-10T11:00')).toBe(new Date(2026, 2, 10, 11, 0).toISOString());
    expect(localInputToIso('2026-03-10T11:00:30')).toBe(new Date(2026, 2, 10, 11, 0, 30).toISOString());
    expect(localInputToIso('2026-03-10T11:00:30.5')).toBe(new Date(2026, 2, 10, 11, 0, 30, 500).toISOString());
    expect(localInputToIso('  ')).toBeUndefined();
    expect(localInputToIso('2026-02-31T10:00')).toBeNull();
    expect(localInputToIso('2026-03-10 11:00')).toBeNull();
    expect(localInputToIso('yesterday')).toBeNull();
  });
});

describe('tokens', () => {
  const now = new Date('2026-04-01T00:00:00Z');

  it('says whether a token is active, expired or revoked (revoked first)', () => {
    expect(tokenStatus(token(), now)).toBe('active');
    expect(tokenStatus(token({ expires: '2026-05-01T00:00:00Z' }), now)).toBe('active');
    expect(tokenStatus(token({ expires: '2026-04-01T00:00:00Z' }), now)).toBe('expired');
    expect(tokenStatus(token({ expires: '2026-03-01T00:00:00Z', revoked: '2026-02-01T00:00:00Z' }), now)).toBe('revoked');
  });

  it('lists newest first, then by name', () => {
    const a = token({ id: 'a', name: 'b', created: '2026-03-01T00:00:00Z' });
    const b = token({ id: 'b', name: 'a', created: '2026-03-02T00:00:00Z' });
    const c = token({ id: 'c', name: 'a', created: '2026-03-01T00:00:00Z' });
    expect(sortTokens([a, b, c]).map((t) => t.id)).toEqual(['b', 'c', 'a']);
  });

  it("checks names by the server's rule", () => {
    expect(tokenNameProblem('VS Code on alice@laptop: dev/1_x-y.z')).toBeNull();
    expect(tokenNameProblem('   ')).toMatch(/^Give the token a name/);
    expect(tokenNameProblem('x'.repeat(101))).toBe('The name is 101 characters long: at most 100.');
    expect(tokenNameProblem('x'.repeat(100))).toBeNull();
    expect(tokenNameProblem('émoji ✓')).toBe('The name may hold only letters, digits, spaces and _ . @ : / -');
    expect(tokenNameProblem('a<b>')).not.toBeNull();
  });

  it('offers expiries the server accepts (1..3650 days, or none)', () => {
    for (const c of EXPIRY_CHOICES) if (c.days !== undefined) expect(Number.isInteger(c.days) && c.days >= 1 && c.days <= 3650).toBe(true);
    expect(EXPIRY_CHOICES.some((c) => c.days === undefined)).toBe(true);
  });
});

describe('users', () => {
  it('orders roles by power, unknown ones last', () => {
    expect(orderRoles(['admin', 'viewer', 'custom', 'analyst', 'admin'], ROLES)).toEqual(['viewer', 'analyst', 'admin', 'custom']);
    expect(orderRoles([], ROLES)).toEqual([]);
  });

  it('sends only what changed', () => {
    const saved = user();
    expect(userPatch(saved, { roles: new Set(['analyst']), disabled: false }, ROLES)).toBeNull();
    expect(userPatch(saved, { roles: new Set(['engineer']), disabled: false }, ROLES)).toEqual({ roles: ['engineer'] });
    expect(userPatch(saved, { roles: new Set(['admin', 'analyst']), disabled: false }, ROLES)).toEqual({ roles: ['analyst', 'admin'] });
    expect(userPatch(saved, { roles: new Set(['analyst']), disabled: true }, ROLES)).toEqual({ disabled: true });
    expect(userPatch(user({ disabled: '2026-03-11T00:00:00Z' }), { roles: new Set(['analyst']), disabled: false }, ROLES)).toEqual({ disabled: false });
    expect(userPatch(user({ roles: ['admin', 'viewer'] }), { roles: new Set(['viewer', 'admin']), disabled: false }, ROLES)).toBeNull();
    expect(userPatch(saved, { roles: new Set(), disabled: false }, ROLES)).toEqual({ roles: [] });
  });

  it('labels sources', () => {
    expect(rolesSourceLabel(user())).toBe('from SSO groups');
    expect(rolesSourceLabel(user({ roles_source: 'admin' }))).toBe('set by admin');
    expect(rolesSourceLabel(user({ source: 'token' }))).toBe('from sign-in');
    expect([userSourceLabel('oidc'), userSourceLabel('token'), userSourceLabel('local')]).toEqual(['SSO', 'Token', 'Local']);
  });
});

describe('audit', () => {
  const empty = { user: '', action: '', resource: '', since: '', until: '' };

  it('turns the filter bar into a query: trimmed, empty left out, times as ISO', () => {
    expect(auditQueryFromForm(empty)).toEqual({});
    expect(auditQueryFromForm({ ...empty, user: ' alice ', resource: 'tokens', since: '2026-03-10T11:00' })).toEqual({
      user: 'alice',
      resource: 'tokens',
      since: new Date(2026, 2, 10, 11, 0).toISOString(),
    });
    // Names are the server's to check (its 400 says what it accepts).
    expect(auditQueryFromForm({ ...empty, user: 'bad user!' })).toEqual({ user: 'bad user!' });
    expect(() => auditQueryFromForm({ ...empty, until: '2026-13-01T00:00' })).toThrow('To is not a date and time');
  });

  it('reads actors and records', () => {
    expect(formatActor({ actor: 'alice', actor_role: 'analyst' })).toBe('alice (analyst)');
    expect(formatActor({ actor: 'alice', actor_role: null })).toBe('alice');
    expect(formatActor({ actor: null, actor_role: null })).toBe('system');
    const r = { seq: 1, time: 't', detail: { a: 1 } } as unknown as AuditRecord;
    expect(recordJson(r)).toBe('{\n  "seq": 1,\n  "time": "t",\n  "detail": {\n    "a": 1\n  }\n}');
  });

  it('words both verdicts of the chain check', () => {
    expect(verifyText({ ok: true, count: 3, head: { seq: 3, hash: '0123456789abcdef' } })).toBe('Audit chain intact: 3 records verified, last record #3 (0123456789ab…).');
    expect(verifyText({ ok: true, count: 1, head: { seq: 1, hash: 'ab' } })).toBe('Audit chain intact: 1 record verified, last record #1 (ab…).');
    expect(verifyText({ ok: true, count: 0, head: null })).toBe('Audit chain intact: the log is empty.');
    expect(verifyText({ ok: false, count: 5, seq: 5, problem: 'edited', message: 'record 5 was changed after it was written' })).toBe(
      'Audit chain broken at record #5 (edited): record 5 was changed after it was written',
    );
  });
});
