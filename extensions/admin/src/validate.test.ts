import { AdminError } from './admin-api';
import { USER as user } from './testing/fixtures';
import { readAuditPage, readCreatedToken, readMe, readToken, readTokenList, readUser, readUserList, readVerifyResult } from './validate';

function invalid(fn: () => unknown): AdminError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(AdminError);
    expect((err as AdminError).kind).toBe('invalid_response');
    return err as AdminError;
  }
  throw new Error('expected an AdminError');
}

const token = { id: 't1', name: 'VS Code', prefix: 'wbt_AbCd', created: '2026-03-10T11:00:00.000Z', last_used: null, expires: '2026-06-08T11:00:00.000Z', revoked: null };

const record = {
  seq: 7,
  time: '2026-03-10T11:00:00.000Z',
  ts: 1773140400000,
  actor: 'workbench',
  actor_role: 'admin',
  via: 'token',
  resource: 'tokens',
  action: 'write',
  target: null,
  ip: '127.0.0.1',
  user_agent: 'Chromium',
  outcome: 'ok',
  detail: { method: 'POST', route: '/api/tokens' },
  prev_hash: 'a'.repeat(64),
  hash: 'b'.repeat(64),
};

describe('readMe', () => {
  it('accepts the server shape and fills the display fields', () => {
    const me = readMe({ identity: { username: 'alice', name: 'alice', display_name: 'Alice Archer', initials: 'AL', avatar_url: null }, roles: ['analyst'], permissions: {} });
    expect(me).toEqual({ identity: { username: 'alice', name: 'alice', display_name: 'Alice Archer', initials: 'AL', avatar_url: null }, roles: ['analyst'], permissions: {} });
    expect(readMe({ identity: { username: 'bob' }, roles: [] })).toEqual({ identity: { username: 'bob', name: 'bob', display_name: 'bob', initials: 'BO' }, roles: [], permissions: {} });
  });

  it('names what is wrong', () => {
    expect(invalid(() => readMe({ identity: {}, roles: [] })).message).toBe('Cannot read who you are: the server answered with unexpected JSON (identity.username is not a string)');
    expect(invalid(() => readMe({ identity: { username: 'a' }, roles: 'admin' })).message).toContain('(roles is not an array)');
    expect(invalid(() => readMe({ identity: { username: 'a' }, roles: [1] })).message).toContain('(roles[0] is not a string)');
  });
});

describe('tokens', () => {
  it('reads lists, one token, and the creation answer with its token', () => {
    expect(readTokenList([token])).toEqual([token]);
    expect(readTokenList([])).toEqual([]);
    expect(readToken({ ...token, revoked: '2026-03-11T00:00:00.000Z' }).revoked).toBe('2026-03-11T00:00:00.000Z');
    expect(readCreatedToken({ ...token, token: 'wbt_secret' })).toEqual({ ...token, token: 'wbt_secret' });
  });

  it('drops keys it does not know (a hash never reaches the screen)', () => {
    expect(readToken({ ...token, hash: 'x' })).toEqual(token);
  });

  it('refuses malformed tokens and a creation answer without the token', () => {
    expect(invalid(() => readTokenList({ tokens: [] })).message).toContain('(the answer is not an array)');
    expect(invalid(() => readTokenList([{ ...token, created: 'yesterday' }])).message).toContain('([0].created is not an ISO 8601 time)');
    expect(invalid(() => readTokenList([{ ...token, expires: 5 }])).message).toContain('([0].expires is not an ISO 8601 time)');
    expect(invalid(() => readCreatedToken(token)).message).toContain('(token is not a string)');
    expect(invalid(() => readCreatedToken({ ...token, token: '' })).message).toContain('(token is not a non-empty string)');
  });
});

describe('users', () => {
  it('reads the list with the roles there are, and one updated user', () => {
    const list = readUserList({ users: [user], roles: ['viewer', 'analyst', 'engineer', 'admin'] });
    expect(list).toEqual({ users: [user], roles: ['viewer', 'analyst', 'engineer', 'admin'] });
    expect(readUser({ ...user, roles: ['engineer'], roles_source: 'admin' })).toMatchObject({ roles: ['engineer'], roles_source: 'admin' });
    expect(readUser({ ...user, email: undefined, display_name: undefined })).toMatchObject({ email: null, display_name: '' });
  });

  it('names what is wrong', () => {
    expect(invalid(() => readUserList({ users: [{ ...user, roles_source: 'group' }], roles: [] })).message).toBe(
      'Cannot read the users: the server answered with unexpected JSON (users[0].roles_source is not one of provider, admin)',
    );
    expect(invalid(() => readUserList({ users: [{ ...user, source: 'ldap' }], roles: [] })).message).toContain('users[0].source is not one of oidc, token, local');
    expect(invalid(() => readUserList({ users: [] })).message).toContain('(roles is not an array)');
    expect(invalid(() => readUser({ ...user, disabled: true })).message).toContain('(the answer.disabled is not an ISO 8601 time)');
  });
});

describe('audit', () => {
  it('reads a page and keeps the extra fields of a record for the detail view', () => {
    const page = readAuditPage({ records: [record], next_after: 7 });
    expect(page.next_after).toBe(7);
    expect(page.records[0]).toEqual(record);
    expect(readAuditPage({ records: [], next_after: null })).toEqual({ records: [], next_after: null });
    expect(readAuditPage({ records: [{ ...record, actor: undefined, detail: null }] }).records[0]).toMatchObject({ actor: null, detail: {} });
  });

  it('refuses malformed records', () => {
    expect(invalid(() => readAuditPage({ records: [{ ...record, seq: -1 }], next_after: null })).message).toContain('(records[0].seq is not a non-negative integer)');
    expect(invalid(() => readAuditPage({ records: [{ ...record, detail: '{}' }], next_after: null })).message).toContain('(records[0].detail is not an object)');
    expect(invalid(() => readAuditPage({ records: [record], next_after: 'x' })).message).toContain('(next_after is not a non-negative integer)');
    expect(invalid(() => readAuditPage('<html>')).message).toContain('(the answer is not an object)');
  });

  it('reads both verdicts of a chain check', () => {
    expect(readVerifyResult({ ok: true, count: 12, head: { seq: 12, hash: 'c'.repeat(64) } })).toEqual({ ok: true, count: 12, head: { seq: 12, hash: 'c'.repeat(64) } });
    expect(readVerifyResult({ ok: true, count: 0, head: null })).toEqual({ ok: true, count: 0, head: null });
    expect(readVerifyResult({ ok: false, count: 4, seq: 4, problem: 'edited', message: 'record 4 was changed' })).toEqual({ ok: false, count: 4, seq: 4, problem: 'edited', message: 'record 4 was changed' });
    expect(readVerifyResult({ ok: false, seq: 4, problem: 'removed', message: 'gone' })).toMatchObject({ count: null });
    expect(invalid(() => readVerifyResult({ ok: false, seq: 4, problem: 'burnt', message: '' })).message).toContain('(problem is not one of edited, removed, reordered)');
    expect(invalid(() => readVerifyResult({ ok: 'yes' })).message).toContain('(ok is not true or false)');
  });
});
