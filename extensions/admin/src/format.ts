/**
 * How tokens, users and audit records read on the screens, and the rules
 * the forms apply before anything is sent. Pure; the clock and locale come
 * in as arguments so output is deterministic under test.
 */
import type { ApiToken, AuditQuery, AuditRecord, UserModel, UserPatch, UserSource, VerifyResult } from './types';

export interface FormatOptions {
  /** BCP 47 locale; default the browser's. */
  locale?: string;
  /** IANA time zone; default the browser's. */
  timeZone?: string;
}

/** "Jan 2, 2026, 3:04 PM" in the given locale and zone; the raw text for an unreadable time. */
export function formatAbsoluteTime(time: string | Date, options: FormatOptions = {}): string {
  const t = time instanceof Date ? time : new Date(time);
  if (Number.isNaN(t.getTime())) return String(time);
  return new Intl.DateTimeFormat(options.locale, { dateStyle: 'medium', timeStyle: 'short', timeZone: options.timeZone }).format(t);
}

/** As formatAbsoluteTime, with seconds (audit records a second apart must read apart). */
export function formatPreciseTime(time: string | Date, options: FormatOptions = {}): string {
  const t = time instanceof Date ? time : new Date(time);
  if (Number.isNaN(t.getTime())) return String(time);
  return new Intl.DateTimeFormat(options.locale, { dateStyle: 'medium', timeStyle: 'medium', timeZone: options.timeZone }).format(t);
}

/** The date and the time of day apart ("Mar 10, 2026" and "3:04 PM"), for table cells that wrap between them. */
export function formatDateParts(time: string | Date, options: FormatOptions & { seconds?: boolean } = {}): { date: string; time: string } {
  const t = time instanceof Date ? time : new Date(time);
  if (Number.isNaN(t.getTime())) return { date: String(time), time: '' };
  return {
    date: new Intl.DateTimeFormat(options.locale, { dateStyle: 'medium', timeZone: options.timeZone }).format(t),
    time: new Intl.DateTimeFormat(options.locale, { timeStyle: options.seconds ? 'medium' : 'short', timeZone: options.timeZone }).format(t),
  };
}

// ---------------------------------------------------------------- tokens

export type TokenStatus = 'active' | 'expired' | 'revoked';

/** Revoked wins over expired: it was a deliberate act. */
export function tokenStatus(token: ApiToken, now: Date): TokenStatus {
  if (token.revoked !== null) return 'revoked';
  if (token.expires !== null && Date.parse(token.expires) <= now.getTime()) return 'expired';
  return 'active';
}

/** Newest first; the list's order does not depend on the server's. */
export function sortTokens(tokens: readonly ApiToken[]): ApiToken[] {
  return [...tokens].sort((a, b) => Date.parse(b.created) - Date.parse(a.created) || a.name.localeCompare(b.name));
}

/** The server's rule (`server/auth/src/api-tokens.ts`), checked before sending so the form can say what is wrong at once. */
const TOKEN_NAME = /^[A-Za-z0-9_ .@:/-]{1,100}$/;

/** Why `name` cannot name a token, or null when it can. */
export function tokenNameProblem(name: string): string | null {
  if (name.trim() === '') return 'Give the token a name, e.g. "VS Code on my laptop".';
  if (name.length > 100) return `The name is ${name.length} characters long: at most 100.`;
  if (!TOKEN_NAME.test(name)) return 'The name may hold only letters, digits, spaces and _ . @ : / -';
  return null;
}

export interface ExpiryChoice {
  label: string;
  /** Absent: never expires. */
  days?: number;
}

/** What the "Expires" picker offers; the first is the default. */
export const EXPIRY_CHOICES: readonly ExpiryChoice[] = [
  { label: 'in 90 days', days: 90 },
  { label: 'in 30 days', days: 30 },
  { label: 'in 7 days', days: 7 },
  { label: 'in 1 year', days: 365 },
  { label: 'never', days: undefined },
];

// ----------------------------------------------------------------- users

const SOURCE_LABELS: Record<UserSource, string> = { oidc: 'SSO', token: 'Token', local: 'Local' };

export function userSourceLabel(source: UserSource): string {
  return SOURCE_LABELS[source];
}

/** `roles` in the order of `allRoles` (viewer < analyst < engineer < admin), unknown ones after, no duplicates. */
export function orderRoles(roles: Iterable<string>, allRoles: readonly string[]): string[] {
  const set = new Set(roles);
  return [...allRoles.filter((r) => set.has(r)), ...[...set].filter((r) => !allRoles.includes(r)).sort()];
}

export interface UserEdit {
  roles: ReadonlySet<string>;
  disabled: boolean;
}

/**
 * The PATCH body for what the admin changed in a user's row, with only the
 * keys that differ from the saved user; null when nothing changed.
 */
export function userPatch(saved: UserModel, edit: UserEdit, allRoles: readonly string[]): UserPatch | null {
  const patch: UserPatch = {};
  const roles = orderRoles(edit.roles, allRoles);
  const before = orderRoles(saved.roles, allRoles);
  if (roles.length !== before.length || roles.some((r, i) => r !== before[i])) patch.roles = roles;
  if (edit.disabled !== (saved.disabled !== null)) patch.disabled = edit.disabled;
  return Object.keys(patch).length ? patch : null;
}

/** "set by admin" / "from SSO groups": where the user's roles come from now. */
export function rolesSourceLabel(user: Pick<UserModel, 'roles_source' | 'source'>): string {
  if (user.roles_source === 'admin') return 'set by admin';
  return user.source === 'oidc' ? 'from SSO groups' : 'from sign-in';
}

// ----------------------------------------------------------------- audit

/**
 * A `<input type="datetime-local">` value ("2026-03-10T11:00", seconds
 * optional) as ISO 8601 UTC, read in the browser's time zone; undefined for
 * an empty value, null for one that is not a time.
 */
export function localInputToIso(value: string): string | undefined | null {
  const v = value.trim();
  if (v === '') return undefined;
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3}))?)?$/.exec(v);
  if (!m) return null;
  const [y, mo, d, h, mi] = m.slice(1, 6).map(Number) as [number, number, number, number, number];
  const s = m[6] === undefined ? 0 : Number(m[6]);
  const ms = m[7] === undefined ? 0 : Number(m[7].padEnd(3, '0'));
  const t = new Date(y, mo - 1, d, h, mi, s, ms);
  // new Date rolls 2026-02-31 over into March: refuse instead.
  if (t.getFullYear() !== y || t.getMonth() !== mo - 1 || t.getDate() !== d || t.getHours() !== h || t.getMinutes() !== mi || s > 59) return null;
  return t.toISOString();
}

export interface AuditFormValues {
  user: string;
  action: string;
  resource: string;
  /** datetime-local values. */
  since: string;
  until: string;
}

/**
 * The query for the filter bar's values: text trimmed, empty ones left out,
 * times as ISO 8601. Names are not checked here: the server's 400 says what
 * it accepts. Throws a plain Error for a time the input cannot hold.
 */
export function auditQueryFromForm(values: AuditFormValues): AuditQuery {
  const query: AuditQuery = {};
  for (const key of ['user', 'action', 'resource'] as const) {
    const v = values[key].trim();
    if (v !== '') query[key] = v;
  }
  for (const key of ['since', 'until'] as const) {
    const iso = localInputToIso(values[key]);
    if (iso === null) throw new Error(`${key === 'since' ? 'From' : 'To'} is not a date and time`);
    if (iso !== undefined) query[key] = iso;
  }
  return query;
}

/** "alice (analyst)", "alice", or "system" for records without an actor. */
export function formatActor(record: Pick<AuditRecord, 'actor' | 'actor_role'>): string {
  if (record.actor === null) return 'system';
  return record.actor_role ? `${record.actor} (${record.actor_role})` : record.actor;
}

/** The record as the detail view shows it: every field, indented JSON. */
export function recordJson(record: AuditRecord): string {
  return JSON.stringify(record, null, 2);
}

/** The banner's text for a chain check. */
export function verifyText(result: VerifyResult): string {
  if (result.ok) {
    if (result.count === 0) return 'Audit chain intact: the log is empty.';
    const head = result.head ? `, last record #${result.head.seq} (${result.head.hash.slice(0, 12)}…)` : '';
    return `Audit chain intact: ${result.count} record${result.count === 1 ? '' : 's'} verified${head}.`;
  }
  return `Audit chain broken at record #${result.seq} (${result.problem}): ${result.message}`;
}
