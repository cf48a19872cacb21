import {
  GetSecretValueCommand,
  ResourceNotFoundException,
  type SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import type { ApiKeys, KeyRole } from '#shared/http/api-keys';

interface Cached {
  readonly values: readonly string[];
  readonly at: number;
}

/**
 * API keys held in Secrets Manager (one secret per role), read on first use and again every
 * `ttlMs`, so a rotated key is live within that time without a deployment. Both the AWSCURRENT
 * and the AWSPREVIOUS version are accepted: clients move to the new key at their own pace and the
 * old one stops working at the next rotation.
 */
export class SecretsManagerApiKeys implements ApiKeys {
  private readonly cache = new Map<KeyRole, Promise<Cached>>();

  constructor(
    private readonly client: SecretsManagerClient,
    private readonly secretIds: Partial<Record<KeyRole, string>>,
    private readonly ttlMs = 5 * 60_000,
    private readonly now: () => number = () => Date.now(),
  ) {}

  async accepted(role: KeyRole): Promise<readonly string[]> {
    const cached = this.cache.get(role);
    if (cached) {
      const entry = await cached.catch(() => undefined);
      if (entry && this.now() - entry.at < this.ttlMs) return entry.values;
    }
    const loading = this.load(role);
    this.cache.set(role, loading);
    // A failed read is not cached: the next request tries again (and gets a 5xx meanwhile).
    loading.catch(() => {
      if (this.cache.get(role) === loading) this.cache.delete(role);
    });
    return (await loading).values;
  }

  private async load(role: KeyRole): Promise<Cached> {
    const secretId = this.secretIds[role];
    if (!secretId) return { values: [], at: this.now() };
    const [current, previous] = await Promise.all([
      this.version(secretId, 'AWSCURRENT'),
      this.version(secretId, 'AWSPREVIOUS'),
    ]);
    const values = [current, previous].filter((v): v is string => typeof v === 'string' && v.length > 0);
    return { values, at: this.now() };
  }

  private async version(secretId: string, stage: string): Promise<string | undefined> {
    try {
      const out = await this.client.send(
        new GetSecretValueCommand({ SecretId: secretId, VersionStage: stage }),
      );
      return out.SecretString?.trim();
    } catch (error) {
      // A secret never rotated has no AWSPREVIOUS version.
      if (stage === 'AWSPREVIOUS' && error instanceof ResourceNotFoundException) return undefined;
      throw error;
    }
  }
}
