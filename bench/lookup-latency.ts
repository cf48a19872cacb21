/**
 * Segment lookup latency on the local server, against the floor the issue names: a bare GetItem round trip
 * to the same DynamoDB emulator, in the same run. Target: lookup ≤ 1.5 × floor at p50 and at p99.
 *
 *   floor:   GetItem through the AWS SDK (document client, ConsistentRead, same table and keys as the
 *            profile store) → dynalite
 *   lookup:  fetch GET /v1/users/{id}/segment (keep-alive) → local HTTP bridge → read-api handler
 *            → the same GetItem → dynalite → score against the cached model → JSON
 * Both with 50 closed-loop clients, in alternating rounds, on the same shoppers. Also printed: the lookup's
 * GetItem as the handler awaits it, and the handler's compute (its time minus that read, one lookup at a time).
 *
 * Where the clients run decides what is measured, because local-service runs dynalite, s3rver, the HTTP
 * server and the handlers on ONE event loop (local/emulators.ts). At 50 concurrent clients that loop is
 * saturated, so each latency is in effect 50 ÷ the throughput of the busiest thread, and the ratio compares
 * CPU per request on it. The AWS SDK client costs about three times dynalite's own work per GetItem
 * (signing, middleware, serde: ~3 ms against ~1 ms on a 2-vCPU box), so its placement dominates:
 *   - floor clients in another thread would put the floor's SDK work on a second core while the lookup's
 *     (the handler's own GetItem) stays on the service's loop: the floor would measure the client thread,
 *     with parallelism the lookup cannot have (BENCH_LOOKUP_CLIENTS=worker);
 *   - lookup clients on the service's thread would charge the lookup for the shop's HTTP client, which in
 *     production is another machine (BENCH_LOOKUP_CLIENTS=inline).
 * So by default (split) the floor's GetItems are issued from the service's thread, where the handler issues
 * its own, and the lookups come from a worker thread, as from outside. The ratio then reads as the issue
 * means it: what the HTTP hop and the handler add on top of the one GetItem a lookup needs.
 *
 * Findings when this was written (2 vCPUs shared with other work, so p99 moved by tens of percent between
 * runs): the p50 ratio sits around 1.3–1.6×, right at the target, p99 anywhere from 1.1× to 1.9×. Per
 * lookup the service's thread spends ~1.1 ms more than per bare GetItem (~2.5 ms): ~0.5 ms of handler
 * compute, the rest the HTTP server and bridge. Lookups in flight while the model/policy cache refreshes
 * wait for that S3 read on the saturated loop and make much of the p99. What would change this lives
 * outside bench/: dynalite and s3rver in a process of their own (as DynamoDB is in production), a cache
 * refreshed in the background rather than by the request that finds it stale, and a leaner handler path.
 */
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { pathToFileURL } from 'node:url';
import { isMainThread, type MessagePort, parentPort, Worker, workerData } from 'node:worker_threads';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { demoTraffic } from '#local/demo-data';
import { sendInBatches } from '#local/demo-loader';
import { type LocalService, type LocalServiceOptions, startLocalService } from '#local/local-service';
import { documentClient } from '#shared/adapters/dynamodb-client';
import type { JsonLogger } from '#shared/adapters/json-logger';
import type { ProfileStore } from '#shared/ingestion/ports/profile-store';
import { mulberry32 } from '#shared/kernel/random';

const KEYS = { writeKey: 'bench-write', readKey: 'bench-read', adminKey: 'bench-admin' } as const;
const END = '2026-06-30T00:00:00Z';
const TARGET = 1.5;
/** The stack's cache of the model pointer and policies: the local default (1 s) would add S3 reads. */
const MODEL_CACHE_MS = 10_000;
const LOOKUP_ROUTE = 'GET /v1/users/{userId}/segment';
/** Marks the worker this file starts for its clients, so no other worker importing the file is taken over. */
const CLIENT_WORKER = 'lookup-latency-clients';

type Kind = 'floor' | 'lookup';
type Thread = 'service' | 'worker';
type Placement = 'split' | 'worker' | 'inline';

const PLACEMENTS: Record<Placement, Record<Kind, Thread>> = {
  split: { floor: 'service', lookup: 'worker' },
  worker: { floor: 'worker', lookup: 'worker' },
  inline: { floor: 'service', lookup: 'service' },
};

interface ClientConfig {
  readonly dynamodbEndpoint: string;
  readonly profilesTable: string;
  readonly url: string;
  readonly readKey: string;
  readonly shopperIds: readonly string[];
}

interface RoundRequest {
  readonly kind: Kind;
  readonly requests: number;
  readonly concurrency: number;
  /** Both kinds of a pair get the same seed, so they read the same shoppers. */
  readonly seed: number;
}

interface Round {
  readonly kind: Kind;
  /** Milliseconds, one per request. */
  readonly latencies: Float64Array;
  readonly wallMs: number;
  readonly failures: number;
  readonly firstFailure?: string;
}

export interface LookupBenchOptions {
  /** Demo shoppers loaded through the ingest API. */
  readonly shoppers?: number;
  /** Measured requests of each kind, split over `rounds`. */
  readonly requests?: number;
  readonly rounds?: number;
  readonly concurrency?: number;
  readonly placement?: Placement;
  /** Sequential lookups for the handler compute measurement. */
  readonly computeCalls?: number;
}

// ---------------------------------------------------------------------------------------------
// Clients: simple async loops, each waiting for its answer before sending the next request

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

interface Clients {
  run(request: RoundRequest): Promise<Round>;
  close(): Promise<void>;
}

const loadGenerator = (config: ClientConfig): Clients => {
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
const workerClients = (config: ClientConfig): Clients => {
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

// ---------------------------------------------------------------------------------------------
// Service-side probes, through what startLocalService offers (decoratePorts, instrumentDynamo)

/** Times every profile read the handler awaits, so its compute can be told apart from its I/O. */
const profileReadTimer = () => {
  let samples: number[] | undefined;
  let onRead: ((ms: number) => void) | undefined;
  const wrap = (inner: ProfileStore): ProfileStore => ({
    get: async (shopperId) => {
      const t0 = performance.now();
      try {
        return await inner.get(shopperId);
      } finally {
        const ms = performance.now() - t0;
        samples?.push(ms);
        onRead?.(ms);
      }
    },
    put: (profile, pendingKeys, expectedVersion) => inner.put(profile, pendingKeys, expectedVersion),
  });
  return {
    wrap,
    /** Keeps every read's duration until the returned function is called, which hands them over. */
    record: (): (() => Float64Array) => {
      samples = [];
      return () => {
        const kept = Float64Array.from(samples ?? []);
        samples = undefined;
        return kept;
      };
    },
    onRead: (listener: ((ms: number) => void) | undefined) => {
      onRead = listener;
    },
  };
};

/**
 * Calls `onStart` when the read-api handler begins a lookup: its first act is to derive its request logger
 * from the one it was built with (the child named `function: read-api`).
 */
const handlerStartProbe = (logger: JsonLogger, onStart: () => void): JsonLogger => ({
  ...logger,
  child: (fields) => {
    const child = logger.child(fields);
    if (fields.function !== 'read-api') return child;
    return {
      ...child,
      child: (requestFields) => {
        if (requestFields.route === LOOKUP_ROUTE) onStart();
        return child.child(requestFields);
      },
    };
  },
});

/** Counts the service's DynamoDB requests by command, to confirm a lookup makes exactly one GetItem. */
const dynamoCounter = () => {
  const counts = new Map<string, number>();
  const attach: NonNullable<LocalServiceOptions['instrumentDynamo']> = (client) =>
    client.middlewareStack.add(
      (next, context) => (args) => {
        const command = String(context.commandName).replace(/Command$/, '');
        counts.set(command, (counts.get(command) ?? 0) + 1);
        return next(args);
      },
      { step: 'initialize', name: 'benchDynamoCounter' },
    );
  return { counts, attach };
};

/**
 * Handler compute per lookup: from the handler's start to the bridge receiving its response (the
 * `writeHead` that follows right after), minus the profile read it awaits. Only meaningful one request at
 * a time: under load those marks would also span whatever else the shared loop ran meanwhile.
 */
const handlerComputeProbe = (serviceUrl: string, reads: ReturnType<typeof profileReadTimer>) => {
  const port = Number(new URL(serviceUrl).port);
  const samples: number[] = [];
  let current: { start?: number; readMs: number } | undefined;
  let unobserved = 0;
  const onRequest = (message: unknown) => {
    const { server, response } = message as {
      request: IncomingMessage;
      response: ServerResponse;
      server: Server;
    };
    if ((server.address() as AddressInfo | null)?.port !== port) return;
    const record = { readMs: 0 } as { start?: number; readMs: number };
    current = record;
    const writeHead = response.writeHead;
    response.writeHead = ((...args: Parameters<ServerResponse['writeHead']>) => {
      const end = performance.now();
      if (record.start === undefined) unobserved += 1;
      else if (args[0] === 200) samples.push(1000 * (end - record.start - record.readMs));
      return Reflect.apply(writeHead, response, args);
    }) as ServerResponse['writeHead'];
  };
  return {
    onHandlerStart: () => {
      if (current) current.start ??= performance.now();
    },
    start: () => {
      subscribe('http.server.request.start', onRequest);
      reads.onRead((ms) => {
        if (current) current.readMs += ms;
      });
    },
    /** Microseconds per lookup, and how many lookups passed without the handler start being seen. */
    stop: (): { computeUs: Float64Array; unobserved: number } => {
      unsubscribe('http.server.request.start', onRequest);
      reads.onRead(undefined);
      current = undefined;
      return { computeUs: Float64Array.from(samples.splice(0)), unobserved };
    },
  };
};

// ---------------------------------------------------------------------------------------------
// Statistics and report

interface Summary {
  readonly count: number;
  readonly p50: number;
  readonly p99: number;
  readonly mean: number;
  /** Requests per second over the rounds' own wall time, where they have one. */
  readonly perSecond?: number;
}

/** Nearest-rank quantile of sorted values. */
const quantile = (sorted: Float64Array, q: number): number =>
  sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? Number.NaN;

const summarize = (values: Float64Array, wallMs?: number): Summary => {
  const sorted = Float64Array.from(values).sort();
  return {
    count: sorted.length,
    p50: quantile(sorted, 0.5),
    p99: quantile(sorted, 0.99),
    mean: sorted.reduce((sum, v) => sum + v, 0) / Math.max(1, sorted.length),
    ...(wallMs ? { perSecond: (1000 * sorted.length) / wallMs } : {}),
  };
};

const summarizeRounds = (rounds: readonly Round[]): Summary => {
  const all = new Float64Array(rounds.reduce((n, r) => n + r.latencies.length, 0));
  let at = 0;
  for (const r of rounds) {
    all.set(r.latencies, at);
    at += r.latencies.length;
  }
  return summarize(
    all,
    rounds.reduce((ms, r) => ms + r.wallMs, 0),
  );
};

/** Rounds come in pairs of one floor and one lookup round (measureRounds). */
const pairRatios = (measured: readonly Round[]): number[] => {
  const ratios: number[] = [];
  for (let i = 0; i + 1 < measured.length; i += 2) {
    const pair = measured.slice(i, i + 2);
    const p50 = (kind: Kind) => summarizeRounds(pair.filter((r) => r.kind === kind)).p50;
    ratios.push(p50('lookup') / p50('floor'));
  }
  return ratios.sort((a, b) => a - b);
};

const ms = (v: number) => `${v.toFixed(2)} ms`;

const row = (s: Summary) => ({
  p50: ms(s.p50),
  p99: ms(s.p99),
  mean: ms(s.mean),
  'req/s': s.perSecond === undefined ? '—' : Math.round(s.perSecond).toLocaleString('en'),
  requests: s.count.toLocaleString('en'),
});

const verdict = (ratio: number) => (ratio <= TARGET ? 'met' : 'NOT MET');

interface Report {
  readonly shoppers: number;
  readonly loadMs: number;
  readonly concurrency: number;
  readonly placement: Placement;
  readonly rounds: number;
  readonly floor: Summary;
  readonly lookup: Summary;
  readonly readsInLookups: Summary;
  /** lookup p50 ÷ floor p50 of each pair of rounds, sorted: how steady the ratio is through the run. */
  readonly pairRatios: readonly number[];
  readonly dynamoPerLookup: ReadonlyMap<string, number>;
  readonly compute: Summary;
}

const report = (r: Report) => {
  const where = PLACEMENTS[r.placement];
  console.log(
    `\nlookup latency bench: ${r.shoppers.toLocaleString('en')} demo shoppers (ingested and trained in ` +
      `${(r.loadMs / 1000).toFixed(1)} s), ${r.concurrency} concurrent clients, ${r.rounds} + ${r.rounds} ` +
      `alternating rounds; placement ${r.placement}: floor clients on the ${where.floor} thread, ` +
      `lookup clients on the ${where.lookup} thread (service, emulators and handlers share one thread)`,
  );
  console.table({
    'floor: bare GetItem → dynalite': row(r.floor),
    'lookup: GET /v1/users/{id}/segment': row(r.lookup),
    '  its GetItem, as the handler awaits it': row(r.readsInLookups),
  });
  const p50 = r.lookup.p50 / r.floor.p50;
  const p99 = r.lookup.p99 / r.floor.p99;
  console.log(
    `lookup / floor: p50 ${p50.toFixed(2)}× (${verdict(p50)}), p99 ${p99.toFixed(2)}× (${verdict(p99)}); target ≤ ${TARGET}×`,
  );
  const [low, high] = [r.pairRatios[0] ?? Number.NaN, r.pairRatios.at(-1) ?? Number.NaN];
  const median = r.pairRatios[Math.floor(r.pairRatios.length / 2)] ?? Number.NaN;
  console.log(
    `p50 ratio of each pair of rounds: median ${median.toFixed(2)}×, from ${low.toFixed(2)}× to ${high.toFixed(2)}×`,
  );
  const dynamo = [...r.dynamoPerLookup].map(([command, n]) => `${command} ${n.toFixed(2)}`).join(', ');
  console.log(`service DynamoDB requests per lookup: ${dynamo || 'none'}`);
  console.log(
    `handler compute per lookup, excluding the awaited profile read (${r.compute.count.toLocaleString('en')} ` +
      `lookups one at a time): mean ${r.compute.mean.toFixed(0)} µs, p50 ${r.compute.p50.toFixed(0)} µs, ` +
      `p99 ${r.compute.p99.toFixed(0)} µs`,
  );
};

// ---------------------------------------------------------------------------------------------
// The bench

const envInteger = (name: string, fallback: number): number => {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value <= 0)
    throw new Error(`${name} must be a positive integer, got "${raw}"`);
  return value;
};

const envPlacement = (): Placement => {
  const raw = process.env.BENCH_LOOKUP_CLIENTS ?? 'split';
  if (raw in PLACEMENTS) return raw as Placement;
  throw new Error(`BENCH_LOOKUP_CLIENTS must be one of ${Object.keys(PLACEMENTS).join(', ')}, got "${raw}"`);
};

/** Loads demo shoppers the way a backfill would, trains a model on them, and returns their ids. */
const loadShoppers = async (service: LocalService, shoppers: number): Promise<string[]> => {
  const { messages } = demoTraffic({ end: new Date(END), shoppers, seed: 11 });
  // Grouped by shopper: one profile write per shopper per batch, so loading takes seconds, not minutes.
  const byShopper = [...messages].sort(
    (a, b) => a.userId.localeCompare(b.userId) || a.timestamp.localeCompare(b.timestamp),
  );
  await sendInBatches(service.url, KEYS.writeKey, byShopper, { batchSize: 500 });
  await service.settled();
  const run = await service.retrain('manual');
  if (run.outcome !== 'promoted') throw new Error(`the bench needs a model; the retrain said ${run.outcome}`);
  await service.settled();
  return [...new Set(messages.map((m) => m.userId))];
};

/**
 * The read API caches "no model yet" as it caches a model, for the whole TTL: the re-scores after each ingest
 * batch asked before the retrain, so the new model can take up to MODEL_CACHE_MS to be served.
 */
const waitForModel = async (url: string, shopperId: string): Promise<void> => {
  const deadline = performance.now() + 2 * MODEL_CACHE_MS;
  for (;;) {
    const res = await fetch(`${url}/v1/users/${encodeURIComponent(shopperId)}/segment`, {
      headers: { authorization: `Bearer ${KEYS.readKey}` },
    });
    const body = await res.text();
    if (res.status === 200) return;
    if (res.status !== 503 || performance.now() > deadline)
      throw new Error(`the lookup does not serve the new model: HTTP ${res.status} ${body.slice(0, 200)}`);
    await sleep(250);
  }
};

/** Floor and lookup rounds in ABBA order, so a machine warming up or slowing down favours neither. */
const measureRounds = async (
  clients: Record<Kind, Clients>,
  options: { requests: number; rounds: number; concurrency: number },
): Promise<Round[]> => {
  const measured: Round[] = [];
  const requests = Math.ceil(options.requests / options.rounds);
  for (let r = 0; r < options.rounds; r++) {
    const order: Kind[] = r % 2 === 0 ? ['floor', 'lookup'] : ['lookup', 'floor'];
    for (const kind of order)
      measured.push(
        await clients[kind].run({ kind, requests, concurrency: options.concurrency, seed: 1_000 + r }),
      );
  }
  return measured;
};

export const runLookupLatencyBench = async (options: LookupBenchOptions = {}): Promise<void> => {
  const shoppers = options.shoppers ?? envInteger('BENCH_LOOKUP_SHOPPERS', 300);
  const requests = options.requests ?? envInteger('BENCH_LOOKUP_REQUESTS', 5_000);
  // Short rounds, so a burst of other work on the machine lands on both kinds rather than one.
  const rounds = options.rounds ?? 10;
  const concurrency = options.concurrency ?? 50;
  const placement = options.placement ?? envPlacement();
  const computeCalls = options.computeCalls ?? 1_000;

  const dataDir = await mkdtemp(join(tmpdir(), 'seg-bench-lookup-'));
  const reads = profileReadTimer();
  const dynamoCalls = dynamoCounter();
  let onHandlerStart = () => {};
  let service: LocalService | undefined;
  const started: Clients[] = [];
  try {
    service = await startLocalService({
      ...KEYS,
      dataDir,
      now: END,
      logLevel: 'warn',
      modelCacheMs: MODEL_CACHE_MS,
      decoratePorts: (ports) => ({
        ...ports,
        profiles: reads.wrap(ports.profiles),
        logger: handlerStartProbe(ports.logger, () => onHandlerStart()),
      }),
      instrumentDynamo: dynamoCalls.attach,
    });
    const loadStart = performance.now();
    const shopperIds = await loadShoppers(service, shoppers);
    const loadMs = performance.now() - loadStart;
    await waitForModel(service.url, shopperIds[0] as string);

    const config: ClientConfig = {
      dynamodbEndpoint: service.emulators.dynamodbEndpoint,
      profilesTable: service.config.profilesTable,
      url: service.url,
      readKey: KEYS.readKey,
      shopperIds,
    };
    const threads: Record<Thread, Clients> = {
      service: loadGenerator(config),
      worker: workerClients(config),
    };
    started.push(threads.service, threads.worker);
    const clients = {
      floor: threads[PLACEMENTS[placement].floor],
      lookup: threads[PLACEMENTS[placement].lookup],
    };

    // Warm-up: JIT on both paths, keep-alive connections, the model and policy caches.
    const warmup = await measureRounds(clients, {
      requests: Math.min(1_000, requests),
      rounds: 2,
      concurrency,
    });
    dynamoCalls.counts.clear();
    const stopRecording = reads.record();
    const measured = await measureRounds(clients, { requests, rounds, concurrency });
    const readsInLookups = stopRecording();
    const lookup = summarizeRounds(measured.filter((r) => r.kind === 'lookup'));
    const dynamoPerLookup = new Map([...dynamoCalls.counts].map(([c, n]) => [c, n / lookup.count] as const));

    // Handler compute: the same lookups from outside the service's thread, one at a time.
    const probe = handlerComputeProbe(service.url, reads);
    onHandlerStart = probe.onHandlerStart;
    probe.start();
    const sequential = await threads.worker.run({
      kind: 'lookup',
      requests: computeCalls,
      concurrency: 1,
      seed: 99,
    });
    const compute = probe.stop();

    report({
      shoppers: shopperIds.length,
      loadMs,
      concurrency,
      placement,
      rounds,
      floor: summarizeRounds(measured.filter((r) => r.kind === 'floor')),
      lookup,
      readsInLookups: summarize(readsInLookups),
      pairRatios: pairRatios(measured),
      dynamoPerLookup,
      compute: summarize(compute.computeUs),
    });

    const phases = { 'warm-up': warmup, measured, 'one at a time': [sequential] };
    const failed = Object.entries(phases).flatMap(([phase, list]) =>
      list.flatMap((round, i) =>
        round.failures > 0 ? [{ where: `${phase} ${round.kind} #${i}`, round }] : [],
      ),
    );
    if (failed.length > 0)
      throw new Error(
        `lookup bench: requests failed in ${failed.map((f) => `${f.where} (${f.round.failures})`).join(', ')}; ` +
          `the first: ${failed[0]?.round.firstFailure}`,
      );
    if (compute.unobserved > 0 || compute.computeUs.length !== computeCalls)
      throw new Error(
        `lookup bench: the handler's start was not seen on ${compute.unobserved} of ${computeCalls} lookups ` +
          '(does read-api still derive its request logger first?)',
      );
  } finally {
    for (const clients of started) await clients.close();
    await service?.close();
    await rm(dataDir, { recursive: true, force: true });
  }
};

const clientWorkerConfig = (): ClientConfig | undefined =>
  isMainThread ? undefined : (workerData as Record<string, ClientConfig | undefined> | null)?.[CLIENT_WORKER];

const workerConfig = clientWorkerConfig();
if (workerConfig && parentPort) serveClients(parentPort, workerConfig);
else if (isMainThread && import.meta.url === pathToFileURL(process.argv[1] ?? '').href)
  await runLookupLatencyBench();
