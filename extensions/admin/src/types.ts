/**
 * The JSON of Workbench's identity and audit APIs, as the client sees it.
 * Mirrors `server/http/src/routes/api.ts` (`/api/me`), `routes/tokens.ts`
 * with `server/auth/src/api-tokens.ts` (`ApiTokenModel`), `routes/users.ts`
 * and `routes/audit.ts` with `server/audit` (`exportObject`, `VerifyResult`).
 * This package runs in the browser, so it does not import them.
 */

/** `GET api/me`: who the page acts as. */
export interface Me {
  identity: {
    username: string;
    name: string;
    display_name: string;
    initials: string;
    [key: string]: unknown;
  };
  /** Workbench roles: viewer, analyst, engineer, admin. */
  roles: string[];
  permissions: Record<string, unknown>;
}

/** A personal API token as lists show it: never the token itself. */
export interface ApiToken {
  id: string;
  name: string;
  /** The token's first characters ("wbt_" and a few more). */
  prefix: string;
  /** ISO 8601. */
  created: string;
  last_used: string | null;
  expires: string | null;
  /** When it was revoked, or null. */
  revoked: string | null;
}

/** `POST api/tokens` (201): the model plus the token, in this answer only. */
export interface CreatedApiToken extends ApiToken {
  token: string;
}

export interface NewApiToken {
  name: string;
  /** Integer 1..3650; absent: never expires. */
  expires_in_days?: number;
}

export type RolesSource = 'provider' | 'admin';
export type UserSource = 'oidc' | 'token' | 'local';

/** A user as `GET api/users` and `PATCH api/users/:username` answer. */
export interface UserModel {
  username: string;
  display_name: string;
  email: string | null;
  roles: string[];
  /** provider: the identity provider's group mapping decides; admin: set here. */
  roles_source: RolesSource;
  source: UserSource;
  /** When the user was disabled, or null. */
  disabled: string | null;
  created: string;
  updated: string;
}

export interface UserList {
  users: UserModel[];
  /** Every role there is, in order of power: viewer, analyst, engineer, admin. */
  roles: string[];
}

/** `PATCH api/users/:username`. `roles: null` goes back to the provider's group mapping. */
export interface UserPatch {
  roles?: string[] | null;
  disabled?: boolean;
}

/** One record of the hash-chained audit log. */
export interface AuditRecord {
  seq: number;
  /** ISO 8601 (UTC). */
  time: string;
  actor: string | null;
  actor_role: string | null;
  /** How the actor came in: token, cookie, sso, api_token, system, ... */
  via: string;
  resource: string;
  action: string;
  target: string | null;
  ip: string | null;
  user_agent: string | null;
  /** allowed, denied, failed, ... */
  outcome: string;
  detail: Record<string, unknown>;
  prev_hash: string;
  hash: string;
  /** Everything else the server sent (e.g. `ts`, epoch ms), kept for the detail view. */
  [key: string]: unknown;
}

/** `GET api/audit`: oldest first; `next_after` is the `after` of the next page, null on the last. */
export interface AuditPage {
  records: AuditRecord[];
  next_after: number | null;
}

/** The filters of `api/audit` and `api/audit/export`; empty strings are left out. */
export interface AuditQuery {
  /** ISO 8601 or epoch ms, inclusive. */
  since?: string;
  /** ISO 8601 or epoch ms, exclusive. */
  until?: string;
  user?: string;
  action?: string;
  resource?: string;
}

export type ChainProblem = 'edited' | 'removed' | 'reordered';

/** `GET api/audit/verify`. */
export type VerifyResult =
  | { ok: true; count: number; head: { seq: number; hash: string } | null }
  | { ok: false; count: number | null; seq: number; problem: ChainProblem; message: string };

export type ExportFormat = 'jsonl' | 'csv';
