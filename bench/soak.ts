/**
 * The soak (issue 12): minutes of concurrent writers (new events, replays, double deliveries) and
 * readers (segment lookups, profile reads) against the local server, with a retrain asked for in
 * the middle, then every profile compared with one delivery of the same batches to a fresh
 * service (test/support/soak.ts). Reported: throughput, p50/p99 by request kind, lookups while
 * the retrain ran against the rest of the same run (targets: p99 ≤ 2 × idle p99, no lookup over
 * 1 s), 5xx (only 503 with Retry-After allowed) and the exactness count.
 *
 * The population: demo shoppers loaded first (a model to look up from the start), then the
 * soak's own shoppers (randomBatch: views, cart adds, orders with repeated ids, refunds). The
 * clients run in a worker thread (bench/soak-clients.ts); the service, its emulators and its
 * handlers on this thread, and the retrain in its own worker (local/retrain-thread.ts).
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { demoTraffic } from '#local/demo-data';
import { sendInBatches } from '#local/demo-loader';
import { startLocalService } from '#local/local-service';
import { startTsWorker } from '#local/ts-worker';
import {
  compareProfiles,
  deliverOnce,
  duringRetrain,
  type Percentiles,
  percentiles,
  type RequestKind,
  type SoakPlan,
  type SoakRun,
  type SoakTarget,
  serverErrors,
  UNCOMPARED_FIELDS,
} from './soak-run';
import { randomBatch } from './workload-events';

const KEYS = { writeKey: 'soak-write', readKey: 'soak-read', adminKey: 'soak-admin' } as const;
const END = '2025-07-01T00:00:00.000Z';
const P99_RATIO_TARGET = 2;
const MAX_LOOKUP_MS = 1_000;

export interface SoakBenchOptions {
  readonly baseShoppers?: number;
  readonly shoppers?: number;
  readonly events?: number;
  readonly writers?: number;
  readonly readers?: number;
  readonly batchSize?: number;
  /** New events per second held by the writers; 0: as fast as the service answers. */
  readonly eventsPerSecond?: number;
  /** Reads per second held by the readers; 0: back to back. */
  readonly readsPerSecond?: number;
}

const inClientThread = async (target: SoakTarget, plan: SoakPlan): Promise<SoakRun> => {
  const worker = startTsWorker(new URL('./soak-clients.ts', import.meta.url), {
    workerData: { target, plan },
  });
  try {
    return await new Promise<SoakRun>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
      worker.once('exit', (code) => reject(new Error(`the soak clients stopped (exit code ${code})`)));
    });
  } finally {
    await worker.terminate();
  }
};

const ms = (value: number) => (Number.isFinite(value) ? `${value.toFixed(1)} ms` : '—');
const line = (label: string, p: Percentiles) =>
  `${label.padEnd(34)} n ${String(p.n).padStart(7)}   p50 ${ms(p.p50).padStart(10)}   p99 ${ms(p.p99).padStart(10)}   max ${ms(p.max).padStart(10)}`;

export const runSoakBench = async (options: SoakBenchOptions = {}): Promise<void> => {
  const baseShoppers = options.baseShoppers ?? 100;
  const shoppers = options.shoppers ?? 4_000;
  const eventCount = options.events ?? 40_000;
  const service = await startLocalService({ ...KEYS, now: END, logLevel: 'error' });
  const reference = await startLocalService({ ...KEYS, now: END, logLevel: 'error' });
  try {
    const base = demoTraffic({ end: new Date(END), shoppers: baseShoppers, seed: 11 });
    const byShopper = [...base.messages].sort(
      (a, b) => a.userId.localeCompare(b.userId) || a.timestamp.localeCompare(b.timestamp),
    );
    await sendInBatches(service.url, KEYS.writeKey, byShopper, { batchSize: 500 });
    const first = await service.retrain('manual');
    process.stdout.write(
      `\nSoak: ${base.messages.length} demo events (${baseShoppers} shoppers) loaded; first model ${first.outcome}.\n`,
    );

    const events = randomBatch(2026, shoppers, eventCount, 'soak');
    const plan: SoakPlan = {
      events,
      readIds: [...base.shoppers.map((s) => s.userId), ...new Set(events.map((e) => e.userId))],
      writers: options.writers ?? 4,
      readers: options.readers ?? 10,
      batchSize: options.batchSize ?? 100,
      replayShare: 0.2,
      doubleShare: 0.1,
      lookupShare: 0.75,
      retrainAt: 0.4,
      seed: 12,
      ...(options.eventsPerSecond ? { eventsPerSecond: options.eventsPerSecond } : {}),
      ...(options.readsPerSecond ? { readsPerSecond: options.readsPerSecond } : {}),
    };
    const loopDelay = monitorEventLoopDelay({ resolution: 10 });
    loopDelay.enable();
    const run = await inClientThread({ url: service.url, ...KEYS }, plan);
    loopDelay.disable();
    await service.settled();

    const during = duringRetrain(run);
    const of = (kind: RequestKind, inRetrain?: boolean) =>
      percentiles(
        run.samples
          .filter((s) => s.kind === kind && (inRetrain === undefined || during(s) === inRetrain))
          .map((s) => s.ms),
      );
    const idleLookups = of('lookup', false);
    const retrainLookups = of('lookup', true);
    const errors = serverErrors(run.samples);
    const seconds = run.wallMs / 1000;
    const count = (kinds: RequestKind[]) => run.samples.filter((s) => kinds.includes(s.kind)).length;
    const retrainMs = run.retrain ? run.retrain.to - run.retrain.from : Number.NaN;

    process.stdout.write(
      `Soak: ${plan.writers} writers (${plan.eventsPerSecond ? `held at ${plan.eventsPerSecond} new events/s` : 'as fast as answered'}), ${plan.readers} readers (${plan.readsPerSecond ? `held at ${plan.readsPerSecond} reads/s` : 'back to back'}) for ${seconds.toFixed(0)} s; ${eventCount} new events over ${shoppers} shoppers in batches of ${plan.batchSize}, ` +
        `${plan.replayShare * 100}% replayed, ${plan.doubleShare * 100}% delivered twice at once; retrain asked at ${(plan.retrainAt ?? 0) * 100}% of the batches\n`,
    );
    process.stdout.write(
      `  throughput: ${(run.applied / seconds).toFixed(0)} events applied/s, ${(count(['ingest', 'replay']) / seconds).toFixed(1)} batch requests/s, ` +
        `${(count(['lookup', 'profile']) / seconds).toFixed(0)} reads/s\n`,
    );
    process.stdout.write(
      `  retrain: ${run.retrain?.outcome ?? `failed (${run.retrain?.status})`} in ${(retrainMs / 1000).toFixed(1)} s\n`,
    );
    process.stdout.write(`${line('  lookup, no retrain running', idleLookups)}\n`);
    process.stdout.write(`${line('  lookup, during the retrain', retrainLookups)}\n`);
    process.stdout.write(`${line('  profile read', of('profile'))}\n`);
    process.stdout.write(`${line('  ingest batch', of('ingest'))}\n`);
    process.stdout.write(`${line('  replayed batch', of('replay'))}\n`);
    const ratio = retrainLookups.p99 / idleLookups.p99;
    const slowest = Math.max(idleLookups.max, retrainLookups.max);
    process.stdout.write(
      `  lookup p99 during the retrain / idle: ${ratio.toFixed(2)}× (target ≤ ${P99_RATIO_TARGET}×: ${ratio <= P99_RATIO_TARGET ? 'met' : 'NOT met'}); ` +
        `slowest lookup ${ms(slowest)} (target ≤ ${MAX_LOOKUP_MS} ms: ${slowest <= MAX_LOOKUP_MS ? 'met' : 'NOT met'})\n`,
    );
    process.stdout.write(
      `  service thread event-loop delay: p99 ${ms(loopDelay.percentile(99) / 1e6)}, max ${ms(loopDelay.max / 1e6)}\n`,
    );
    process.stdout.write(
      `  5xx: ${errors.throttled} × 503 with Retry-After (allowed), ${errors.other} other (target 0); replays not all duplicates: ${run.replayMismatches}` +
        `${run.oddities.length > 0 ? `\n  unexpected answers: ${run.oddities.join(' | ')}` : ''}\n`,
    );

    await deliverOnce({ url: reference.url, ...KEYS }, plan);
    const exact = await compareProfiles(
      { url: service.url, ...KEYS },
      { url: reference.url, ...KEYS },
      events,
    );
    process.stdout.write(
      `  exactness: ${exact.identical} of ${exact.shoppers} profiles identical to one delivery of the same batches (not compared: ${UNCOMPARED_FIELDS.join(', ')})` +
        `${exact.firstDifference ? `; first difference: ${JSON.stringify(exact.firstDifference).slice(0, 600)}` : ''}\n`,
    );
  } finally {
    await service.close();
    await reference.close();
  }
};
