import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { keyVariables } from '#shared/contract/key-roles';
import { type ApiKeys, type KeyRole, staticApiKeys } from '#shared/http/api-keys';
import type { RuntimeConfig } from './runtime-config';
import { SecretsManagerApiKeys } from './secrets-manager-api-keys';

/**
 * The keys a function checks, for the roles it serves: from Secrets Manager when the stack names
 * the secrets, else from plain variables (local runtime). A role with neither is a deployment
 * error, reported at cold start rather than left as an open door.
 */
export const apiKeysFromConfig = (config: RuntimeConfig, roles: readonly KeyRole[]): ApiKeys => {
  const fromEnv = { write: config.writeKey, read: config.readKey, admin: config.adminKey };
  for (const role of roles)
    if (!config.keySecrets[role] && !fromEnv[role])
      throw new Error(`${keyVariables[role].secretArn} (or ${keyVariables[role].key}) is not configured`);
  const secrets = Object.fromEntries(
    roles.filter((role) => config.keySecrets[role]).map((role) => [role, config.keySecrets[role] as string]),
  );
  if (Object.keys(secrets).length === 0)
    return staticApiKeys(Object.fromEntries(roles.map((role) => [role, fromEnv[role]])));
  return new SecretsManagerApiKeys(new SecretsManagerClient({}), secrets);
};
