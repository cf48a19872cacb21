/**
 * Key rotation without a failed request: current and previous versions are both accepted, a
 * rotation is picked up after the cache time, and a failed read is retried rather than cached.
 * (No Secrets Manager emulator runs here, so a stand-in client answers GetSecretValue.)
 */
import {
  GetSecretValueCommand,
  ResourceNotFoundException,
  type SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { describe, expect, it } from 'vitest';
import { SecretsManagerApiKeys } from '#shared/adapters/secrets-manager-api-keys';
import { keyMatchesAny } from '#shared/http/auth';

/** Versions by secret id and stage, as Secrets Manager would hold them. */
const fakeSecrets = (versions: Record<string, Record<string, string>>) => {
  let calls = 0;
  let failing = false;
  const client = {
    send: async (command: GetSecretValueCommand) => {
      calls += 1;
      if (!(command instanceof GetSecretValueCommand)) throw new Error('unexpected command');
      if (failing) throw new Error('network down');
      const { SecretId, VersionStage } = command.input;
      const value = versions[SecretId ?? '']?.[VersionStage ?? 'AWSCURRENT'];
      if (value === undefined)
        throw new ResourceNotFoundException({ message: 'no such version', $metadata: {} });
      return { SecretString: value };
    },
  } as unknown as SecretsManagerClient;
  return {
    client,
    versions,
    calls: () => calls,
    fail: (on: boolean) => {
      failing = on;
    },
  };
};

describe('SecretsManagerApiKeys', () => {
  it('accepts the current key of a secret never rotated', async () => {
    const sm = fakeSecrets({ 'arn:write': { AWSCURRENT: 'new-key' } });
    const keys = new SecretsManagerApiKeys(sm.client, { write: 'arn:write' });
    expect(await keys.accepted('write')).toEqual(['new-key']);
    expect(await keys.accepted('read')).toEqual([]);
  });

  it('accepts current and previous during a rotation, and picks the rotation up after the cache time', async () => {
    let now = 0;
    const sm = fakeSecrets({ 'arn:read': { AWSCURRENT: 'k1' } });
    const keys = new SecretsManagerApiKeys(sm.client, { read: 'arn:read' }, 60_000, () => now);
    expect(keyMatchesAny('k1', await keys.accepted('read'))).toBe(true);

    sm.versions['arn:read'] = { AWSCURRENT: 'k2', AWSPREVIOUS: 'k1' };
    now = 30_000;
    // Still cached: no new call, the old key still works, the new one not yet.
    const callsBefore = sm.calls();
    expect(await keys.accepted('read')).toEqual(['k1']);
    expect(sm.calls()).toBe(callsBefore);

    now = 61_000;
    const accepted = await keys.accepted('read');
    expect(accepted).toEqual(['k2', 'k1']);
    expect(keyMatchesAny('k2', accepted) && keyMatchesAny('k1', accepted)).toBe(true);
    expect(keyMatchesAny('k3', accepted)).toBe(false);
  });

  it('does not cache a failed read: the next request tries again', async () => {
    const sm = fakeSecrets({ 'arn:admin': { AWSCURRENT: 'adm' } });
    const keys = new SecretsManagerApiKeys(sm.client, { admin: 'arn:admin' });
    sm.fail(true);
    await expect(keys.accepted('admin')).rejects.toThrow('network down');
    sm.fail(false);
    expect(await keys.accepted('admin')).toEqual(['adm']);
  });

  it('never matches an empty or missing key', () => {
    expect(keyMatchesAny(undefined, ['k'])).toBe(false);
    expect(keyMatchesAny('', [''])).toBe(false);
    expect(keyMatchesAny('k', [])).toBe(false);
  });
});
