/**
 * The soak: concurrent writers (new events, replays of acknowledged batches, and the same batch
 * delivered twice at once, as a client's retry racing its original) and readers (segment
 * lookups, profile reads) against one running service, with a retrain asked for over HTTP in the
 * middle. Then the exactness check: the same batches delivered once, in order, to a fresh
 * service must give every profile exactly as the soaked service has it.
 *
 * Used by `npm run bench` (the figures, for minutes, clients in their own thread) and by
 * test/integration/soak.test.ts (a few seconds; behaviour only, never latencies).
 *
 * Why profiles can be compared exactly: every shopper belongs to one writer, which sends that
 * shopper's events in the reference's order and the next batch only after the last one was
 * acknowledged, and a shopper has fewer events in a batch than one profile write takes (200).
 * Replays and double deliveries only ever repeat events, which exactly-once makes no-ops.
 */
import { seededRandom } from './workload-events';

export interface SoakTarget {
  readonly url: string;
  readonly writeKey: string;
  readonly readKey: string;
  readonly adminKey: string;
}

export interface SoakMessage {
  readonly userId: string;
  readonly messageId: string;
}

export interface SoakPlan<M extends SoakMessage = SoakMessage> {
  /** The soak's new events, in the order a single delivery would send them. */
  readonly events: readonly M[];
  /** Shoppers the readers read (lookups and profiles): the soak's and any loaded before. */
  readonly readIds: readonly string[];
  readonly writers: number;
  readonly readers: number;
  readonly batchSize: number;
  /** Share of acknowledged batches sent again afterwards (all duplicates). */
  readonly replayShare: number;
  /** Share of batches delivered twice at the same time. */
  readonly doubleShare: number;
  /** Share of read requests that are segment lookups; the rest are profile reads. */
  readonly lookupShare: number;
  /**
   * Total new events per second the writers hold, spread evenly (a steady shop, not a flood);
   * absent: each writer sends its next batch as soon as the last is acknowledged.
   */
  readonly eventsPerSecond?: number;
  /** Total reads per second the readers hold, spread evenly; absent: back to back. */
  readonly readsPerSecond?: number;
  /** Ask for a retrain once this share of the batches is acknowledged; none when absent. */
  readonly retrainAt?: number;
  readonly seed: number;
}

export type RequestKind = 'ingest' | 'replay' | 'lookup' | 'profile';

export interface Sample {
  readonly kind: RequestKind;
  /** performance.now() at send, and the latency in ms. */
  readonly at: number;
  readonly ms: number;
  readonly status: number;
  readonly retryAfter: boolean;
}

export interface SoakRun {
  readonly samples: readonly Sample[];
  readonly wallMs: number;
  /**
   * Events applied, summed over every acknowledged delivery (accepted less duplicates): each
   * event once when no delivery failed midway (a failed one may have applied some, which its
   * resend then answers as duplicates).
   */
  readonly applied: number;
  /** Replays of an acknowledged batch that did not answer "all duplicates". */
  readonly replayMismatches: number;
  /** performance.now() when the retrain was asked for and when it answered. */
  readonly retrain?: {
    readonly from: number;
    readonly to: number;
    readonly status: number;
    readonly outcome?: string;
  };
  /** Up to 10 descriptions of unexpected answers (anything but 2xx, 404 and 503 + Retry-After). */
  readonly oddities: readonly string[];
}

const basic = (key: string) => `Basic ${Buffer.from(`${key}:`).toString('base64')}`;

/** Batches per writer: each shopper's events go to one writer, in the plan's order. */
export const writerBatches = <M extends SoakMessage>(plan: SoakPlan<M>): M[][][] => {
  const owner = new Map<string, number>();
  const streams: M[][] = Array.from({ length: plan.writers }, () => []);
  for (const event of plan.events) {
    let w = owner.get(event.userId);
    if (w === undefined) {
      w = owner.size % plan.writers;
      owner.set(event.userId, w);
    }
    streams[w]?.push(event);
  }
  return streams.map((stream) => {
    const batches: M[][] = [];
    for (let i = 0; i < stream.length; i += plan.batchSize) batches.push(stream.slice(i, i + plan.batchSize));
    return batches;
  });
};

export const runSoak = async <M extends SoakMessage>(
  target: SoakTarget,
  plan: SoakPlan<M>,
): Promise<SoakRun> => {
  const samples: Sample[] = [];
  const oddities: string[] = [];
  const odd = (what: string) => {
    if (oddities.length < 10) oddities.push(what);
  };
  const rand = seededRandom(plan.seed);
  const batches = writerBatches(plan);
  const totalBatches = batches.reduce((n, b) => n + b.length, 0);
  let acknowledged = 0;
  let applied = 0;
  let replayMismatches = 0;
  let writing = true;
  let retrain: SoakRun['retrain'];
  let retrainAsked: Promise<void> | undefined;

  const timed = async (kind: RequestKind, send: () => Promise<Response>) => {
    const at = performance.now();
    const res = await send();
    const body = await res.text();
    const sample: Sample = {
      kind,
      at,
      ms: performance.now() - at,
      status: res.status,
      retryAfter: res.headers.has('retry-after'),
    };
    samples.push(sample);
    if (res.status >= 500 && !(res.status === 503 && sample.retryAfter))
      odd(`${kind} ${res.status}: ${body.slice(0, 200)}`);
    return { res, body, sample };
  };

  /** Delivers a batch until it is acknowledged, as a client with retries does. */
  const deliver = async (kind: 'ingest' | 'replay', batch: readonly M[]) => {
    const payload = JSON.stringify({ batch });
    for (let attempt = 0; ; attempt++) {
      const { res, body } = await timed(kind, () =>
        fetch(`${target.url}/v1/batch`, {
          method: 'POST',
          headers: { authorization: basic(target.writeKey), 'content-type': 'application/json' },
          body: payload,
        }),
      );
      if (res.status === 200) {
        const answer = JSON.parse(body) as { accepted: number; duplicates: number };
        applied += answer.accepted - answer.duplicates;
        return answer;
      }
      if (res.status < 500 || attempt >= 20)
        throw new Error(`batch answered ${res.status}: ${body.slice(0, 200)}`);
      const wait = Number(res.headers.get('retry-after') ?? 0.1);
      await new Promise((resolve) => setTimeout(resolve, Math.max(0.05, wait) * 1000));
    }
  };

  const askRetrain = async () => {
    const from = performance.now();
    const res = await fetch(`${target.url}/local/retrain`, {
      method: 'POST',
      headers: { authorization: `Bearer ${target.adminKey}` },
    });
    const body = (await res.json()) as { outcome?: string; message?: string };
    retrain = {
      from,
      to: performance.now(),
      status: res.status,
      ...(body.outcome ? { outcome: body.outcome } : {}),
    };
    if (res.status !== 200) odd(`retrain ${res.status}: ${body.message ?? ''}`);
  };

  // Each writer's batches start on its own schedule: batch i at i × (writers × batch / rate).
  const batchInterval = plan.eventsPerSecond
    ? (plan.writers * plan.batchSize * 1000) / plan.eventsPerSecond
    : 0;
  const writer = async (mine: readonly M[][], index: number) => {
    const done: (readonly M[])[] = [];
    const start = performance.now() + (index * batchInterval) / plan.writers;
    for (const [i, batch] of mine.entries()) {
      const wait = start + i * batchInterval - performance.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      if (rand() < plan.doubleShare) await Promise.all([deliver('ingest', batch), deliver('ingest', batch)]);
      else await deliver('ingest', batch);
      done.push(batch);
      acknowledged += 1;
      if (plan.retrainAt !== undefined && !retrainAsked && acknowledged >= plan.retrainAt * totalBatches)
        retrainAsked = askRetrain();
      if (rand() < plan.replayShare) {
        const again = done[Math.floor(rand() * done.length)] ?? batch;
        const answer = await deliver('replay', again);
        if (answer.duplicates !== again.length) replayMismatches += 1;
      }
    }
  };

  const readInterval = plan.readsPerSecond ? (plan.readers * 1000) / plan.readsPerSecond : 0;
  const reader = async (_: unknown, index: number) => {
    const authorization = `Bearer ${target.readKey}`;
    const start = performance.now() + (index * readInterval) / plan.readers;
    for (let i = 0; writing; i++) {
      const wait = start + i * readInterval - performance.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      if (!writing) break;
      const id = encodeURIComponent(plan.readIds[Math.floor(rand() * plan.readIds.length)] ?? '');
      const kind: RequestKind = rand() < plan.lookupShare ? 'lookup' : 'profile';
      const path = kind === 'lookup' ? `/v1/users/${id}/segment` : `/v1/users/${id}/profile`;
      const { res, body } = await timed(kind, () =>
        fetch(`${target.url}${path}`, { headers: { authorization } }),
      );
      // 404 is an answer: a shopper whose first batch is not written yet.
      if (res.status !== 200 && res.status !== 404 && res.status < 500)
        odd(`${kind} ${res.status}: ${body.slice(0, 200)}`);
    }
  };

  const started = performance.now();
  const readers = Array.from({ length: plan.readers }, reader);
  try {
    await Promise.all(batches.map((mine, index) => writer(mine, index)));
    await retrainAsked;
  } finally {
    writing = false;
    await Promise.all(readers);
  }
  return {
    samples,
    wallMs: performance.now() - started,
    applied,
    replayMismatches,
    ...(retrain ? { retrain } : {}),
    oddities,
  };
};

// ---------------------------------------------------------------------------------------------
// Figures

export interface Percentiles {
  readonly n: number;
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
}

export const percentiles = (values: readonly number[]): Percentiles => {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) =>
    sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? Number.NaN;
  return { n: sorted.length, p50: at(0.5), p99: at(0.99), max: sorted[sorted.length - 1] ?? Number.NaN };
};

/** Whether a request was sent while the retrain ran. */
export const duringRetrain = (run: SoakRun) => (sample: Sample) =>
  run.retrain !== undefined && sample.at >= run.retrain.from && sample.at < run.retrain.to;

/**
 * 5xx answers: 503 with Retry-After (throttling: allowed, the client waits and resends) and every
 * other (not allowed; a model exists before the soak starts, so even `no_model` counts here).
 */
export const serverErrors = (samples: readonly Sample[]) => ({
  throttled: samples.filter((s) => s.status === 503 && s.retryAfter).length,
  other: samples.filter((s) => s.status >= 500 && !(s.status === 503 && s.retryAfter)).length,
});

// ---------------------------------------------------------------------------------------------
// Exactness

/**
 * Profile fields left out of the comparison: `segment` is the stamp a retrain or re-score
 * writes (which model scored the shopper, and when), and the reference service never trains.
 * Everything else, windows as of the pinned clock included, must be equal.
 */
export const UNCOMPARED_FIELDS = ['segment'] as const;

export interface Exactness {
  readonly shoppers: number;
  readonly identical: number;
  readonly differing: readonly string[];
  /** The first differing shopper's differing fields, each as soaked and as delivered once. */
  readonly firstDifference?: {
    readonly shopperId: string;
    readonly fields: Record<string, { readonly soaked: unknown; readonly once: unknown }>;
  };
}

/** JSON with every object's keys sorted: two equal profiles read the same whatever their key order. */
const canonical = (value: unknown): string =>
  JSON.stringify(value, (_, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );

const readProfile = async (url: string, readKey: string, shopperId: string) => {
  const res = await fetch(`${url}/v1/users/${encodeURIComponent(shopperId)}/profile`, {
    headers: { authorization: `Bearer ${readKey}` },
  });
  const body = (await res.json()) as Record<string, unknown>;
  for (const field of UNCOMPARED_FIELDS) delete body[field];
  return { status: res.status, body };
};

/**
 * The soak's batches, each delivered once, in order, one at a time. The same batches, not the
 * events regrouped: a request applies each shopper's events sorted by time, and
 * `purchasedProducts` keeps products in the order they were applied, so how a shopper's events
 * were grouped into requests shows in the profile (a shop's client groups as it likes; the
 * soak is about what concurrency, replays and retrains do, not about grouping).
 */
export const deliverOnce = async (target: SoakTarget, plan: SoakPlan) => {
  for (const batch of writerBatches(plan).flat()) {
    const res = await fetch(`${target.url}/v1/batch`, {
      method: 'POST',
      headers: { authorization: basic(target.writeKey), 'content-type': 'application/json' },
      body: JSON.stringify({ batch }),
    });
    const body = (await res.json()) as { accepted?: number; duplicates?: number };
    if (res.status !== 200 || body.duplicates !== 0 || body.accepted !== batch.length)
      throw new Error(`reference batch answered ${res.status}: ${JSON.stringify(body)}`);
  }
};

/** Every shopper of the events, read from both services (a few at a time) and compared. */
export const compareProfiles = async (
  soaked: SoakTarget,
  once: SoakTarget,
  events: readonly SoakMessage[],
  parallel = 8,
): Promise<Exactness> => {
  const shoppers = [...new Set(events.map((e) => e.userId))].sort();
  const differing: string[] = [];
  let firstDifference: Exactness['firstDifference'];
  let next = 0;
  const worker = async () => {
    while (next < shoppers.length) {
      const id = shoppers[next++] as string;
      const [a, b] = await Promise.all([
        readProfile(soaked.url, soaked.readKey, id),
        readProfile(once.url, once.readKey, id),
      ]);
      if (a.status === 200 && b.status === 200 && canonical(a.body) === canonical(b.body)) continue;
      differing.push(id);
      if (firstDifference) continue;
      const fields: Record<string, { soaked: unknown; once: unknown }> = {};
      for (const field of new Set([...Object.keys(a.body), ...Object.keys(b.body)]))
        if (canonical(a.body[field]) !== canonical(b.body[field]))
          fields[field] = { soaked: a.body[field], once: b.body[field] };
      firstDifference = {
        shopperId: id,
        fields: a.status === b.status ? fields : { status: { soaked: a.status, once: b.status } },
      };
    }
  };
  await Promise.all(Array.from({ length: parallel }, worker));
  return {
    shoppers: shoppers.length,
    identical: shoppers.length - differing.length,
    differing: differing.sort(),
    ...(firstDifference ? { firstDifference } : {}),
  };
};
