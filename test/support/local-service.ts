/**
 * Starts the real local runtime (dynalite + s3rver + Lambda handlers behind HTTP) in memory
 * for one test file. No SDK mocks: every call goes through the AWS SDK to the emulators.
 */
import { afterAll, beforeAll } from 'vitest';
import { type LocalService, type LocalServiceOptions, startLocalService } from '#local/local-service';

export const keys = {
  writeKey: 'test-write-key',
  readKey: 'test-read-key',
  adminKey: 'test-admin-key',
} as const;

export const basicAuth = (user: string = keys.writeKey) =>
  `Basic ${Buffer.from(`${user}:`).toString('base64')}`;

export interface ServiceHandle {
  readonly service: LocalService;
  readonly url: string;
  readonly logs: string[];
}

/** Registers beforeAll/afterAll hooks; the handle is filled in before the first test runs. */
export const useLocalService = (options: Partial<LocalServiceOptions> = {}): ServiceHandle => {
  const handle = { logs: [] as string[] } as { service: LocalService; url: string; logs: string[] };
  beforeAll(async () => {
    handle.service = await startLocalService({
      ...keys,
      logLevel: 'warn',
      logWrite: (line) => handle.logs.push(line),
      ...options,
    });
    handle.url = handle.service.url;
  });
  afterAll(async () => {
    await handle.service?.close();
  });
  return handle;
};

export const postBatch = async (
  url: string,
  batch: unknown[],
  init: { key?: string; headers?: Record<string, string> } = {},
) => {
  const res = await fetch(`${url}/v1/batch`, {
    method: 'POST',
    headers: { authorization: basicAuth(init.key), 'content-type': 'application/json', ...init.headers },
    body: JSON.stringify({ batch }),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
};

export const getProfile = async (url: string, userId: string, key: string = keys.readKey) => {
  const res = await fetch(`${url}/v1/users/${encodeURIComponent(userId)}/profile`, {
    headers: { authorization: `Bearer ${key}` },
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
};
