/**
 * The API key roles, which variables carry each role's key, and which roles each HTTP function
 * checks. The stack generates one secret per role and lets each function read exactly its roles'
 * (infra/api-key-secrets.ts); the functions read the same variables (shared/adapters/runtime-config.ts).
 */

import { ENV } from './environment';
import type { FunctionName } from './routes';

export const KEY_ROLES = ['write', 'read', 'admin'] as const;
/** The API keys a request may present, by role. */
export type KeyRole = (typeof KEY_ROLES)[number];

/** The variables of a role's key: its value (local runtime), or the ARN of its secret (the stack). */
export const keyVariables: Readonly<Record<KeyRole, { readonly key: string; readonly secretArn: string }>> = {
  write: { key: ENV.writeKey, secretArn: ENV.writeKeySecretArn },
  read: { key: ENV.readKey, secretArn: ENV.readKeySecretArn },
  admin: { key: ENV.adminKey, secretArn: ENV.adminKeySecretArn },
};

/** The roles whose keys each HTTP function checks; no other function gets any key. */
export const functionKeyRoles: Readonly<Record<FunctionName, readonly KeyRole[]>> = {
  ingest: ['write'],
  // Policy edits need the admin key.
  readApi: ['read', 'admin'],
  admin: ['admin'],
};
