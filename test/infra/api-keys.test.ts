/**
 * API keys live in Secrets Manager, generated at deploy time: no key value in any function's
 * environment or anywhere in the template, and each function may read only the keys it checks.
 */
import { describe, expect, it } from 'vitest';
import { functionByDescription, referencedId, single, statementsOfRole, synth } from './template';

const INGEST = 'Segment HTTP Tracking API ingestion';
const READ_API = 'Shopper profile read API';

describe('API keys', () => {
  const { template } = synth();
  const secretId = (role: string) =>
    single(template, 'AWS::SecretsManager::Secret', { Name: `segmentation/dev/${role}-key` }).id;
  const readableSecrets = (description: string) =>
    statementsOfRole(template, referencedId(functionByDescription(template, description).props.Role))
      .filter((s) => JSON.stringify(s.Action).includes('secretsmanager:GetSecretValue'))
      .map((s) => referencedId(s.Resource))
      .sort();

  it('generates one secret per role, letters and digits only', () => {
    for (const role of ['write', 'read', 'admin']) {
      const secret = single(template, 'AWS::SecretsManager::Secret', {
        Name: `segmentation/dev/${role}-key`,
      });
      expect(secret.props.GenerateSecretString).toMatchObject({
        PasswordLength: 40,
        ExcludePunctuation: true,
      });
      expect(secret.props).not.toHaveProperty('SecretString');
    }
  });

  it('lets ingest read the write key only, and the read API the read and admin keys only', () => {
    expect(readableSecrets(INGEST)).toEqual([secretId('write')]);
    expect(readableSecrets(READ_API)).toEqual([secretId('admin'), secretId('read')].sort());
  });

  it('gives no other function any key', () => {
    const functions = Object.values(template.findResources('AWS::Lambda::Function')) as {
      Properties: { Description?: unknown; Role: unknown };
    }[];
    // Only the service's own functions have a plain-text description; the erase function checks the admin key.
    const others = functions.filter(
      (f) =>
        typeof f.Properties.Description === 'string' &&
        ![INGEST, READ_API].includes(f.Properties.Description) &&
        !f.Properties.Description.startsWith('Erases'),
    );
    expect(others.length).toBeGreaterThanOrEqual(4);
    for (const fn of others) {
      const statements = statementsOfRole(template, referencedId(fn.Properties.Role));
      expect(JSON.stringify(statements), String(fn.Properties.Description)).not.toContain('secretsmanager:');
    }
  });

  it('puts no key value in any environment', () => {
    for (const fn of Object.values(template.findResources('AWS::Lambda::Function'))) {
      const variables = Object.keys(
        (fn as { Properties: { Environment?: { Variables?: Record<string, unknown> } } }).Properties
          .Environment?.Variables ?? {},
      );
      for (const name of ['WRITE_KEY', 'READ_KEY', 'ADMIN_KEY']) expect(variables).not.toContain(name);
    }
  });

  it('keeps the secrets when a production stack is deleted', () => {
    const prod = synth({ stage: 'prod' }).template;
    const secrets = Object.values(prod.findResources('AWS::SecretsManager::Secret')) as {
      DeletionPolicy?: string;
    }[];
    expect(secrets).toHaveLength(3);
    for (const secret of secrets) expect(secret.DeletionPolicy).toBe('Retain');
  });
});
