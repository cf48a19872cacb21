/**
 * The API key roles, which variables carry each role's key, and which roles each HTTP function
 * checks (shared/contract/routes.ts derives them from the route table). The stack generates one secret per role and lets each function read exactly its roles'
 * (infra/api-key-secrets.ts); the functions read the same variables (shared/adapters/runtime-config.ts).
 */

import { ENV } from './environment';

export const KEY_ROLES = ['write', 'read', 'admin'] as const;
/** The API keys a request may present, by role. */
export type KeyRole = (typeof KEY_ROLES)[number];

/** The variables of a role's key: its value (local runtime), or the ARN of its secret (the stack). */
export const keyVariables: Readonly<Record<KeyRole, { readonly key: string; readonly secretArn: string }>> = {
  write: { key: ENV.writeKey, secretArn: ENV.writeKeySecretArn },
  read: { key: ENV.readKey, secretArn: ENV.readKeySecretArn },
  admin: { key: ENV.adminKey, secretArn: ENV.adminKeySecretArn },
};
