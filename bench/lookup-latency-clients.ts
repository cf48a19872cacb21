/**
 * The lookup latency bench's clients (see lookup-latency.ts): simple async loops, each waiting for
 * its answer before sending the next request, that issue either the floor (a bare GetItem through the
 * AWS SDK) or the lookup (GET /v1/users/{id}/segment), on the service's own thread or in a worker
 * thread of their own, as the placement says. This module is also that worker's entry point.
 */
import { once } from 'node:events';
import { isMainThread, type MessagePort, parentPort, Worker, workerData } from 'node:worker_threads';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { documentClient } from '#shared/adapters/dynamodb-client';
import { mulberry32 } from '#shared/kernel/random';

/** Marks the worker this file starts for its clients, so no other worker importing the file is taken over. */
const CLIENT_WORKER = 'lookup-latency-clients';

export type Kind = 'floor' | 'lookup';
export type Thread = 'service' | 'worker';
export type Placement = 'split' | 'worker' | 'inline';

export const PLACEMENTS: Record<Placement, Record<Kind, Thread>> = {
  split: { floor: 'service', lookup: 'worker' },
  worker: { floor: 'worker', lookup: 'worker' },
  inline: { floor: 'service', lookup: 'service' },
};

export interface ClientConfig {
  readonly dynamodbEndpoint: string;
  readonly profilesTable: string;
  readonly url: string;
  readonly readKey: string;
  readonly shopperIds: readonly string[];
}

export interface RoundRequest {
  readonly kind: Kind;
  readonly requests: number;
  readonly concurrency: number;
  /** Both kinds of a pair get the same seed, so they read the same shoppers. */
  readonly seed: number;
}

export interface Round {
  readonly kind: Kind;
  /** Milliseconds, one per request. */
  readonly latencies: Float64Array;
  readonly wallMs: number;
  readonly failures: number;
  readonly firstFailure?: string;
}

/** The two requests compared; each resolves to a failure description, or undefined when it went well. */
const requestsOf = (config: ClientConfig) => {
  const dynamo = documentClient({ dynamodb: config.dynamodbEndpoint, region: 'us-east-1' });
  const authorization = `Bearer ${config.readKey}`;
  const calls: Record<Kind, (shopperId: string) => Promise<string | undefined>> = {
    floor: async (shopperId) => {
      // The profile store's read exactly: same table, key and consistency, through the document client.
      const { Item } = await dynamo.send(
        new GetCommand({ TableName: config.profilesTable, Key: { pk: shopperId }, ConsistentRead: true }),
      );
      return Item ? undefined : `no profile item for ${shopperId}`;
    },
    lookup: async (shopperId) => {
      const res = await fetch(`${config.url}/v1/users/${encodeURIComponent(shopperId)}/segment`, {
        headers: { authorization },
      });
      const body = await res.text();
      return res.status === 200 ? undefined : `HTTP ${res.status} for ${shopperId}: ${body.slice(0, 200)}`;
    },
  };
  return { calls, close: () => dynamo.destroy() };
};

export interface Clients {
  run(request: RoundRequest): Promise<Round>;
  close(): Promise<void>;
}

export const loadGenerator = (config: ClientConfig): Clients => {
  const { calls, close } = requestsOf(config);
  const run = async ({ kind, requests, concurrency, seed }: RoundRequest): Promise<Round> => {
    const call = calls[kind];
    const random = mulberry32(seed);
    const ids = config.shopperIds;
    const latencies = new Float64Array(requests);
    let issued = 0;
    let failures = 0;
    let firstFailure: string | undefined;
    const client = async () => {
      while (issued < requests) {
        const i = issued++;
        const shopperId = ids[Math.floor(random() * ids.length)] as string;
        const t0 = performance.now();
        const failure = await call(shopperId).catch((error: unknown) => String(error));
        latencies[i] = performance.now() - t0;
        if (failure !== undefined) {
          failures += 1;
          firstFailure ??= failure;
        }
      }
    };
    const start = performance.now();
    await Promise.all(Array.from({ length: concurrency }, client));
    const wallMs = performance.now() - start;
    return { kind, latencies, wallMs, failures, ...(firstFailure ? { firstFailure } : {}) };
  };
  return { run, close: async () => close() };
};

/** tsx's loader hooks are not inherited by workers, hence the bootstrap that registers them first. */
export const workerClients = (config: ClientConfig): Clients => {
  const bootstrap = `import('tsx/esm/api').then(({ register }) => { register(); return import(${JSON.stringify(import.meta.url)}); })`;
  const worker = new Worker(bootstrap, { eval: true, workerData: { [CLIENT_WORKER]: config } });
  return {
    run: async (request) => {
      worker.postMessage(request);
      const [round] = (await once(worker, 'message')) as [Round];
      return round;
    },
    close: async () => {
      await worker.terminate();
    },
  };
};

const serveClients = (port: MessagePort, config: ClientConfig) => {
  const load = loadGenerator(config);
  port.on('message', async (request: RoundRequest) => {
    const round = await load.run(request);
    port.postMessage(round, [round.latencies.buffer as ArrayBuffer]);
  });
};

const clientWorkerConfig = (): ClientConfig | undefined =>
  isMainThread ? undefined : (workerData as Record<string, ClientConfig | undefined> | null)?.[CLIENT_WORKER];

const workerConfig = clientWorkerConfig();
if (workerConfig && parentPort) serveClients(parentPort, workerConfig);
