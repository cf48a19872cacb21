/**
 * The soak's short form (the long one, with the latency figures, is `npm run bench`, BENCH=soak):
 * a few seconds of concurrent writers (new events, replays, double deliveries) and readers
 * (lookups, profile reads) with a retrain in the middle. Behaviour only: no 5xx but 503 with
 * Retry-After, every replay answered as all duplicates, and every profile exactly as one
 * delivery of the same events, in order, gives on a fresh service.
 */
import { describe, expect, it } from 'vitest';
import { compareProfiles, deliverOnce, runSoak, type SoakPlan, serverErrors } from '#bench/soak-run';
import { demoTraffic } from '#local/demo-data';
import { sendInBatches } from '#local/demo-loader';
import { randomBatch } from '../support/events';
import { keys, useLocalService } from '../support/local-service';

const NOW = '2025-07-01T00:00:00.000Z';
const soaked = useLocalService({ now: NOW });
const reference = useLocalService({ now: NOW });

describe('soak, short form', () => {
  it('keeps every answer and every profile exact under mixed load with a retrain in the middle', async () => {
    const base = demoTraffic({ end: new Date(NOW), shoppers: 50, seed: 21 });
    // Grouped by shopper, as a backfill sends them: one profile write per shopper per batch.
    const byShopper = [...base.messages].sort((a, b) => a.userId.localeCompare(b.userId));
    await sendInBatches(soaked.url, keys.writeKey, byShopper, { batchSize: 500 });
    expect((await soaked.service.retrain('manual')).outcome).toBe('promoted');

    const events = randomBatch(2025, 60, 1_200, 'soak');
    const plan: SoakPlan = {
      events,
      readIds: [...base.shoppers.map((s) => s.userId), ...new Set(events.map((e) => e.userId))],
      writers: 4,
      readers: 4,
      batchSize: 40,
      replayShare: 0.3,
      doubleShare: 0.2,
      lookupShare: 0.7,
      retrainAt: 0.3,
      seed: 7,
    };
    const target = { url: soaked.url, ...keys };
    const run = await runSoak(target, plan);

    // On failure, the service's own error lines say which handler failed and where.
    const errorLines = soaked.logs.filter((l) => l.includes('"level":"error"')).slice(0, 3);
    expect(run.oddities, errorLines.join('\n')).toEqual([]);
    expect(serverErrors(run.samples).other).toBe(0);
    expect(run.replayMismatches).toBe(0);
    expect(run.retrain?.status).toBe(200);
    // Double deliveries and replays never count an event twice.
    expect(run.applied).toBeLessThanOrEqual(events.length);
    const kinds = new Set(run.samples.map((s) => s.kind));
    expect([...kinds].sort()).toEqual(['ingest', 'lookup', 'profile', 'replay']);

    await soaked.service.settled();
    await deliverOnce({ url: reference.url, ...keys }, plan);
    const exact = await compareProfiles(target, { url: reference.url, ...keys }, events);
    expect(exact.firstDifference).toBeUndefined();
    expect(exact).toEqual({
      shoppers: new Set(events.map((e) => e.userId)).size,
      identical: exact.shoppers,
      differing: [],
    });
  }, 180_000);
});
