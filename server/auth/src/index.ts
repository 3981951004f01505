export * from './secrets';
export * from './identity';
export * from './permissions';
export * from './oidc-client';
export * from './oidc-pending';
export * from './oidc-roles';
export * from './sso-sessions';
export * from './api-tokens';
