/**
 * Trust boundary: the identity and audit APIs' JSON is checked here once,
 * so the screens can trust the types in `./types`. A mismatch (an older or
 * newer server, a proxy's page) becomes an AdminError('invalid_response')
 * naming the first field that is wrong.
 */
import { JsonReader, type Json } from '@workbench/lab-common';
import { AdminError } from './admin-api';
import type { ApiToken, AuditPage, AuditRecord, ChainProblem, CreatedApiToken, Me, RolesSource, UserList, UserModel, UserSource, VerifyResult } from './types';

const ROLES_SOURCES = new Set(['provider', 'admin']);
const USER_SOURCES = new Set(['oidc', 'token', 'local']);
const PROBLEMS = new Set(['edited', 'removed', 'reordered']);

class Reader extends JsonReader {
  constructor(what: string) {
    super(what, AdminError);
  }
}

export function readMe(json: unknown): Me {
  const r = new Reader('who you are');
  const o = r.object(json, 'the answer');
  const id = r.object(o.identity, 'identity');
  const username = r.string(id.username, 'identity.username');
  const str = (v: unknown, fallback: string) => (typeof v === 'string' && v !== '' ? v : fallback);
  const displayName = str(id.display_name, username);
  return {
    identity: { ...id, username, name: str(id.name, username), display_name: displayName, initials: str(id.initials, displayName.slice(0, 2).toUpperCase()) },
    roles: r.strings(o.roles, 'roles'),
    permissions: o.permissions === undefined ? {} : r.object(o.permissions, 'permissions'),
  };
}

function token(r: Reader, v: unknown, at: string): ApiToken {
  const x = r.object(v, at);
  return {
    id: r.string(x.id, `${at}.id`),
    name: r.string(x.name, `${at}.name`),
    prefix: r.string(x.prefix, `${at}.prefix`),
    created: r.time(x.created, `${at}.created`),
    last_used: r.timeOrNull(x.last_used ?? null, `${at}.last_used`),
    expires: r.timeOrNull(x.expires ?? null, `${at}.expires`),
    revoked: r.timeOrNull(x.revoked ?? null, `${at}.revoked`),
  };
}

export function readTokenList(json: unknown): ApiToken[] {
  const r = new Reader('your API tokens');
  return r.array(json, 'the answer').map((t, i) => token(r, t, `[${i}]`));
}

export function readToken(json: unknown): ApiToken {
  return token(new Reader('the API token'), json, 'the answer');
}

/** The creation answer. The token itself must be there: it is shown once and never again. */
export function readCreatedToken(json: unknown): CreatedApiToken {
  const r = new Reader('the new API token');
  const model = token(r, json, 'the answer');
  const secret = r.string((json as Json).token, 'token');
  if (secret === '') r.fail('token', 'a non-empty string');
  return { ...model, token: secret };
}

function user(r: Reader, v: unknown, at: string): UserModel {
  const x = r.object(v, at);
  return {
    username: r.string(x.username, `${at}.username`),
    display_name: typeof x.display_name === 'string' ? x.display_name : '',
    email: r.stringOrNull(x.email ?? null, `${at}.email`),
    roles: r.strings(x.roles, `${at}.roles`),
    roles_source: r.oneOf<RolesSource>(x.roles_source, ROLES_SOURCES, `${at}.roles_source`),
    source: r.oneOf<UserSource>(x.source, USER_SOURCES, `${at}.source`),
    disabled: r.timeOrNull(x.disabled ?? null, `${at}.disabled`),
    created: r.time(x.created, `${at}.created`),
    updated: r.time(x.updated, `${at}.updated`),
  };
}

export function readUserList(json: unknown): UserList {
  const r = new Reader('the users');
  const o = r.object(json, 'the answer');
  return {
    users: r.array(o.users, 'users').map((u, i) => user(r, u, `users[${i}]`)),
    roles: r.strings(o.roles, 'roles'),
  };
}

export function readUser(json: unknown): UserModel {
  return user(new Reader('the user'), json, 'the answer');
}

function record(r: Reader, v: unknown, at: string): AuditRecord {
  const x = r.object(v, at);
  return {
    ...x,
    seq: r.count(x.seq, `${at}.seq`),
    time: r.time(x.time, `${at}.time`),
    actor: r.stringOrNull(x.actor ?? null, `${at}.actor`),
    actor_role: r.stringOrNull(x.actor_role ?? null, `${at}.actor_role`),
    via: r.string(x.via, `${at}.via`),
    resource: r.string(x.resource, `${at}.resource`),
    action: r.string(x.action, `${at}.action`),
    target: r.stringOrNull(x.target ?? null, `${at}.target`),
    ip: r.stringOrNull(x.ip ?? null, `${at}.ip`),
    user_agent: r.stringOrNull(x.user_agent ?? null, `${at}.user_agent`),
    outcome: r.string(x.outcome, `${at}.outcome`),
    detail: x.detail === undefined || x.detail === null ? {} : r.object(x.detail, `${at}.detail`),
    prev_hash: r.string(x.prev_hash, `${at}.prev_hash`),
    hash: r.string(x.hash, `${at}.hash`),
  };
}

export function readAuditPage(json: unknown): AuditPage {
  const r = new Reader('the audit log');
  const o = r.object(json, 'the answer');
  return {
    records: r.array(o.records, 'records').map((x, i) => record(r, x, `records[${i}]`)),
    next_after: o.next_after === null || o.next_after === undefined ? null : r.count(o.next_after, 'next_after'),
  };
}

export function readVerifyResult(json: unknown): VerifyResult {
  const r = new Reader('the audit chain check');
  const o = r.object(json, 'the answer');
  if (o.ok === true) {
    let head: { seq: number; hash: string } | null = null;
    if (o.head !== null && o.head !== undefined) {
      const h = r.object(o.head, 'head');
      head = { seq: r.count(h.seq, 'head.seq'), hash: r.string(h.hash, 'head.hash') };
    }
    return { ok: true, count: r.count(o.count, 'count'), head };
  }
  if (o.ok === false) {
    return {
      ok: false,
      count: o.count === undefined || o.count === null ? null : r.count(o.count, 'count'),
      seq: r.count(o.seq, 'seq'),
      problem: r.oneOf<ChainProblem>(o.problem, PROBLEMS, 'problem'),
      message: r.string(o.message, 'message'),
    };
  }
  return r.fail('ok', 'true or false');
}
