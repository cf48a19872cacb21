/**
 * Segment stamps across a promotion, on the emulators: the live re-score and the retrain's
 * reassignment both write the stamp on the profile, and during a promotion they run with
 * different models. A stamp from a newer model is never replaced by an older model's score,
 * both paths score as of the same time, and a promotion under live re-scoring changes each
 * shopper at most once. Interleavings are driven step by step (no timing luck): the "old
 * model cached" is a real CurrentModel whose clock never lets its TTL expire.
 */
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { demoTraffic } from '#local/demo-data';
import { sendInBatches } from '#local/demo-loader';
import { fixedClock } from '#shared/kernel/ports/clock';
import { scoreProfile } from '#shared/segmentation/domain/score-profile';
import type { SegmentModel } from '#shared/segmentation/domain/segment-model';
import { defaultTrainingConfig } from '#shared/segmentation/domain/training/train-model';
import { CurrentModel } from '#shared/segmentation/usecases/models/current-model';
import { ModelRepository } from '#shared/segmentation/usecases/models/model-repository';
import { reassignPart } from '#shared/segmentation/usecases/reassign-part/reassign-part';
import { rescoreShoppers } from '#shared/segmentation/usecases/rescore-shoppers/rescore-shoppers';
import { trainFromSnapshot } from '#shared/segmentation/usecases/run-retrain/run-retrain';
import type { SnapshotManifest } from '#shared/segmentation/usecases/take-snapshot/snapshot-layout';
import { takeSnapshot } from '#shared/segmentation/usecases/take-snapshot/take-snapshot';
import { keys, useLocalService } from '../support/local-service';

const END = '2026-06-30T00:00:00.000Z';
// Reassignment runs after the snapshot (minutes in the stack, hours for a re-run part); 40 days
// here, so that recency visibly moves between the two.
const LATER = '2026-08-09T00:00:00.000Z';
const svc = useLocalService({ now: END, retrain: { rowsPerPart: 60 } });

let shopperIds: string[] = [];

const jobs = (at: string) => ({ ...svc.service.retrainPorts, clock: fixedClock(at) });
const repository = () => new ModelRepository(svc.service.retrainPorts.objects);

/** A CurrentModel holding whatever is current now, and never re-reading it. */
const frozenCache = async (): Promise<CurrentModel> => {
  const cache = new CurrentModel(repository(), 60_000, () => 0);
  await cache.get();
  return cache;
};

const rescore = (model: CurrentModel, at: string) =>
  rescoreShoppers(shopperIds, {
    profiles: svc.service.ports.profiles,
    model,
    assignments: svc.service.retrainPorts.assignments,
    publisher: svc.service.retrainPorts.publisher,
    clock: fixedClock(at),
    logger: svc.service.retrainPorts.logger,
  });

const train = async (
  suffix: string,
  at: string,
  options: Partial<Parameters<typeof trainFromSnapshot>[2]> = {},
): Promise<{ manifest: SnapshotManifest; model: SegmentModel }> => {
  const manifest = await takeSnapshot(jobs(at), { runSuffix: suffix, rowsPerPart: 60 });
  const { run, model } = await trainFromSnapshot(jobs(at), manifest, {
    trigger: 'manual',
    runId: manifest.runId,
    ...options,
  });
  expect(run.outcome, run.reason).toBe('promoted');
  if (!model) throw new Error('not promoted');
  return { manifest, model };
};

const reassign = (manifest: SnapshotManifest, model: SegmentModel, at: string, part?: number) =>
  Promise.all(
    manifest.parts
      .filter((_, i) => part === undefined || i === part)
      .map((p) => reassignPart(jobs(at), p, model, at)),
  );

const stamps = async () =>
  new Map(
    await Promise.all(
      shopperIds.map(
        async (id) => [id, (await svc.service.ports.profiles.get(id))?.profile.segment] as const,
      ),
    ),
  );

const historyLengths = async () =>
  new Map(
    await Promise.all(
      shopperIds.map(
        async (id) => [id, (await svc.service.retrainPorts.assignments.history(id)).length] as const,
      ),
    ),
  );

/** "Segment Changed" events published so far, by shopper. */
const published = async (): Promise<Map<string, number>> => {
  const text = await readFile(svc.service.eventsFile, 'utf8').catch(() => '');
  const counts = new Map<string, number>();
  for (const line of text.split('\n').filter(Boolean)) {
    const id = (JSON.parse(line) as { detail: { shopperId: string } }).detail.shopperId;
    counts.set(id, (counts.get(id) ?? 0) + 1);
  }
  return counts;
};

const delta = (after: Map<string, number>, before: Map<string, number>) =>
  shopperIds.map((id) => (after.get(id) ?? 0) - (before.get(id) ?? 0));

const liveScores = async (model: SegmentModel, at: string) =>
  new Map(
    await Promise.all(
      shopperIds.map(async (id) => {
        const stored = await svc.service.ports.profiles.get(id);
        if (!stored) throw new Error(`no profile ${id}`);
        return [id, scoreProfile(model, stored.profile, new Date(at)).segmentId] as const;
      }),
    ),
  );

describe('segment stamps across model versions', () => {
  it('setup: demo traffic and a first model stamped on every shopper', async () => {
    const { shoppers, messages } = demoTraffic({ end: new Date(END), shoppers: 240, seed: 11 });
    shopperIds = shoppers.map((s) => s.userId);
    const sorted = [...messages].sort(
      (a, b) => a.userId.localeCompare(b.userId) || a.timestamp.localeCompare(b.timestamp),
    );
    expect((await sendInBatches(svc.url, keys.writeKey, sorted, { batchSize: 500 })).rejected).toBe(0);
    await svc.service.settled();
    const run = await svc.service.retrain('manual');
    expect(run.outcome, run.reason).toBe('promoted');
    expect(run.reassigned?.changed).toBe(shopperIds.length);
  });

  it('reassignment and re-scoring of shoppers whose behaviour did not change agree', async () => {
    // Snapshot and training as of END; the reassignment and the re-score both run at LATER.
    const { manifest, model } = await train('agree', END);
    // Not vacuous: for some shoppers the segment as of END differs from the one as of LATER.
    const asOfEnd = await liveScores(model, END);
    const asOfLater = await liveScores(model, LATER);
    expect(shopperIds.filter((id) => asOfEnd.get(id) !== asOfLater.get(id)).length).toBeGreaterThan(0);

    await reassign(manifest, model, LATER);
    const history = await historyLengths();
    const events = await published();
    const result = await rescore(new CurrentModel(repository(), 0), LATER);
    expect(result.changed).toBe(0);
    expect(delta(await historyLengths(), history).every((d) => d === 0)).toBe(true);
    expect(delta(await published(), events).every((d) => d === 0)).toBe(true);
    // The stamps are what the model says as of the reference time both paths use.
    const stamped = await stamps();
    expect(shopperIds.filter((id) => stamped.get(id)?.id !== asOfLater.get(id))).toEqual([]);
  });

  it("a re-score with an older cached model leaves a newer model's stamp, history and events alone", async () => {
    const old = await frozenCache();
    const oldModel = await old.get();
    if (!oldModel) throw new Error('no model');
    // Another clustering (the RFM core only, K fixed) moves shoppers between segments.
    const { manifest, model } = await train('newer', LATER, {
      config: { ...defaultTrainingConfig, kMin: 4, kMax: 4 },
      clv: { clusterFeatures: false },
    });
    await reassign(manifest, model, LATER);
    const stampedBefore = await stamps();
    const oldScores = await liveScores(oldModel, LATER);
    const contested = shopperIds.filter(
      (id) =>
        stampedBefore.get(id)?.modelVersion === model.version &&
        oldScores.get(id) !== stampedBefore.get(id)?.id,
    );
    expect(contested.length).toBeGreaterThan(0);

    const history = await historyLengths();
    const events = await published();
    const result = await rescore(old, LATER);
    expect(result.changed).toBe(0);
    const stampedAfter = await stamps();
    expect(contested.filter((id) => stampedAfter.get(id)?.modelVersion !== model.version)).toEqual([]);
    expect(shopperIds.filter((id) => stampedAfter.get(id)?.id !== stampedBefore.get(id)?.id)).toEqual([]);
    expect(delta(await historyLengths(), history).every((d) => d === 0)).toBe(true);
    expect(delta(await published(), events).every((d) => d === 0)).toBe(true);
  });

  it('a promotion under live re-scoring with the old model cached changes each shopper at most once', async () => {
    const old = await frozenCache();
    const oldModel = await old.get();
    if (!oldModel) throw new Error('no model');
    const history = await historyLengths();
    const events = await published();
    // Back to the default clustering: shoppers move again.
    const { manifest, model } = await train('promotion', LATER);
    const oldScores = await liveScores(oldModel, LATER);
    const newScores = await liveScores(model, LATER);
    expect(shopperIds.filter((id) => oldScores.get(id) !== newScores.get(id)).length).toBeGreaterThan(0);

    // The interleaving: before each part, after each part and at the end, the live path
    // re-scores every shopper with the old model still cached.
    for (let part = 0; part < manifest.parts.length; part++) {
      await rescore(old, LATER);
      await reassign(manifest, model, LATER, part);
    }
    await rescore(old, LATER);
    // Then the cache sees the new model: nothing is left to change.
    expect((await rescore(new CurrentModel(repository(), 0), LATER)).changed).toBe(0);

    const changes = delta(await historyLengths(), history);
    const announced = delta(await published(), events);
    expect(Math.max(...changes)).toBeLessThanOrEqual(1);
    expect(Math.max(...announced)).toBeLessThanOrEqual(1);
    // Exactly the shoppers the new model moved changed, once each.
    const moved = shopperIds.map((id) => (oldScores.get(id) === newScores.get(id) ? 0 : 1));
    expect(changes).toEqual(moved);
    expect(announced).toEqual(moved);
    const stamped = await stamps();
    expect(shopperIds.filter((id) => stamped.get(id)?.id !== newScores.get(id))).toEqual([]);
  });
});
