/**
 * The stack's job functions, run as Lambda runs them, on the emulators: the handlers of
 * functions/ with the environment the stack sets (names from shared/contract), each fed the
 * payload its state machine feeds it, as JSON. The retrain: snapshot ({trigger: "schedule"}, the
 * schedule's input) → train (the snapshot's output) → one assign per item of the train's
 * `assign` list (the Distributed Map). Then rescore, with a profiles stream record. Real
 * handlers, real SDK calls; "Segment Changed" events go to a stub of the EventBridge API.
 */
import type { DynamoDBStreamEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { handler as rescoreHandler } from '#functions/rescore';
import { handler as assignHandler } from '#functions/retrain-assign';
import { handler as snapshotHandler } from '#functions/retrain-snapshot';
import { handler as trainHandler } from '#functions/retrain-train';
import { demoTraffic } from '#local/demo-data';
import { sendInBatches } from '#local/demo-loader';
import { CURRENT_MODEL_KEY, MANIFEST_NAME } from '#shared/contract/bucket-layout';
import type { SegmentModel } from '#shared/segmentation/domain/segment-model';
import { ModelRepository } from '#shared/segmentation/usecases/models/model-repository';
import { readSnapshot } from '#shared/segmentation/usecases/take-snapshot/read-snapshot';
import { order } from '../support/events';
import { TEST_EVENT_BUS, useJobEnvironment } from '../support/job-environment';
import { keys, postBatch, useLocalService } from '../support/local-service';

const END = '2026-06-30T00:00:00.000Z';
const svc = useLocalService({ now: END });
const env = useJobEnvironment(svc, { now: END, snapshotWorkers: 2, eventBus: true });

/** A Lambda invocation: the payload and the answer cross as JSON, as between Step Functions states. */
const invoke = async <T>(handler: (event: never) => Promise<T>, payload: unknown): Promise<T> =>
  JSON.parse(JSON.stringify(await handler(JSON.parse(JSON.stringify(payload)) as never))) as T;

type Snapshot = Awaited<ReturnType<typeof snapshotHandler>>;
type Trained = Awaited<ReturnType<typeof trainHandler>>;
type Assigned = Awaited<ReturnType<typeof assignHandler>>;

const repository = () => new ModelRepository(svc.service.retrainPorts.objects);
const stampOf = async (shopperId: string) =>
  (await svc.service.ports.profiles.get(shopperId))?.profile.segment;

/** Filled by the retrain test, read by the ones after it. */
const state = {} as {
  taken: Snapshot;
  trained: Trained;
  assigned: Assigned[];
  model: SegmentModel;
  shoppers: string[];
};
const LATE = 'late-shopper';

describe('job handlers', () => {
  it('snapshot → train → assign per part: promotes a model, stamps every shopper, writes the run, index and population counts', async () => {
    const { messages } = demoTraffic({ end: new Date(END), shoppers: 300, seed: 5 });
    expect((await sendInBatches(svc.url, keys.writeKey, messages, { batchSize: 500 })).rejected).toBe(0);
    await svc.service.settled();

    // Snapshot: the schedule's input.
    const taken = await invoke(snapshotHandler, { trigger: 'schedule' });
    expect(taken.trigger).toBe('schedule');
    expect(taken.manifest.rows).toBe(300);
    // SNAPSHOT_WORKERS=2: one part per parallel scan worker, so the map below has two items.
    expect(taken.manifest.workers).toBe(2);
    expect(taken.manifest.parts.length).toBe(2);

    // A shopper who arrives after the snapshot, while no model serves: nobody scores them yet
    // (the rescore test below does).
    expect((await postBatch(svc.url, [order(LATE, 'late-1', 2500, '2026-06-29T09:00:00Z')])).status).toBe(
      200,
    );
    await svc.service.settled();
    expect(await stampOf(LATE)).toBeUndefined();

    // Train: the snapshot's output as it is.
    const trained = await invoke(trainHandler, taken);
    expect(trained.run.outcome, trained.run.reason).toBe('promoted');
    expect(trained.promoted).toBe(true);
    expect(trained.run).toMatchObject({
      runId: taken.manifest.runId,
      trigger: 'schedule',
      snapshot: `${taken.manifest.prefix}${MANIFEST_NAME}`,
    });
    const version = trained.run.modelVersion ?? '';
    expect(trained.assign).toEqual(
      taken.manifest.parts.map((part) => ({ part, modelVersion: version, at: trained.run.startedAt })),
    );

    // The promoted model: the pointer names it, its run is recorded, its recommendation index is written.
    const repo = repository();
    expect((await repo.currentPointer())?.version).toBe(version);
    expect(await svc.service.retrainPorts.objects.get(CURRENT_MODEL_KEY)).toBeDefined();
    const model = await repo.load(version);
    if (!model) throw new Error(`model ${version} not saved`);
    expect((await repo.runs()).find((run) => run.runId === taken.manifest.runId)).toMatchObject({
      outcome: 'promoted',
      trigger: 'schedule',
      modelVersion: version,
    });
    expect(await repo.loadRecommendations(version)).toBeDefined();
    // No part counted yet: the population counts are incomplete.
    expect(await repo.population(model)).toBeUndefined();

    // The Distributed Map: one assign per item, at once.
    const assigned = await Promise.all(trained.assign.map((item) => invoke(assignHandler, item)));
    const shoppers = assigned.reduce((sum, part) => sum + part.shoppers, 0);
    expect(shoppers).toBe(taken.manifest.rows);
    // Nobody had a segment: every shopper moved, and each move was announced once on the bus.
    expect(assigned.reduce((sum, part) => sum + part.changed, 0)).toBe(taken.manifest.rows);
    const announced = env.bus.changes(TEST_EVENT_BUS);
    expect(announced).toHaveLength(taken.manifest.rows);
    expect(new Set(announced.map((change) => change.shopperId)).size).toBe(taken.manifest.rows);
    expect(
      announced.every((c) => c.reason === 'retrain' && c.modelVersion === version && c.from === null),
    ).toBe(true);

    // Every shopper of the snapshot is stamped with the model and has one history entry.
    const ids: string[] = [];
    for await (const profile of readSnapshot(svc.service.retrainPorts.objects, taken.manifest))
      ids.push(profile.shopperId);
    expect(ids).toHaveLength(taken.manifest.rows);
    const bySegment: Record<string, number> = {};
    for (const id of ids) {
      const stamp = await stampOf(id);
      expect(stamp?.modelVersion, id).toBe(version);
      bySegment[stamp?.id ?? ''] = (bySegment[stamp?.id ?? ''] ?? 0) + 1;
      expect(await svc.service.retrainPorts.assignments.history(id)).toHaveLength(1);
    }

    // The population counts: complete, and what the stamps say.
    const population = await repo.population(model);
    expect(population?.shoppers).toBe(taken.manifest.rows);
    expect(population?.segments).toEqual(bySegment);
    const res = await fetch(`${svc.url}/v1/segments`, {
      headers: { authorization: `Bearer ${keys.readKey}` },
    });
    expect(res.status).toBe(200);
    const catalogue = (await res.json()) as { segments: { id: string; size: number }[] };
    expect(Object.fromEntries(catalogue.segments.map((s) => [s.id, s.size]))).toEqual(bySegment);

    Object.assign(state, { taken, trained, assigned, model, shoppers: ids });
    // A year of demo traffic and a full retrain: minutes on a busy machine, not a race.
  }, 300_000);

  it('assign retried on a part (Step Functions retries a failed item): no second history entry, same counts', async () => {
    const item = state.trained.assign[0];
    const first = state.assigned[0];
    if (!item || !first) throw new Error('the retrain test did not run');
    const again = await invoke(assignHandler, item);
    expect({ shoppers: again.shoppers, segments: again.segments }).toEqual({
      shoppers: first.shoppers,
      segments: first.segments,
    });
    for (const id of state.shoppers)
      expect(await svc.service.retrainPorts.assignments.history(id), id).toHaveLength(1);
    expect((await repository().population(state.model))?.shoppers).toBe(state.taken.manifest.rows);
  });

  it('rescore, on a profiles stream record, stamps a shopper the retrain did not see and announces it once', async () => {
    expect(state.model).toBeDefined();
    const before = env.bus.changes(TEST_EVENT_BUS).length;
    const record = (pk: string, eventName: 'INSERT' | 'MODIFY' | 'REMOVE') => ({
      eventName,
      dynamodb: { Keys: { pk: { S: pk } } },
    });
    const event = { Records: [record(LATE, 'INSERT'), record('erased-shopper', 'REMOVE')] };

    const result = await invoke(rescoreHandler, event as DynamoDBStreamEvent);
    expect(result).toEqual({ scored: 1, changed: 1 });
    const stamp = await stampOf(LATE);
    expect(stamp?.modelVersion).toBe(state.model.version);
    const history = await svc.service.retrainPorts.assignments.history(LATE);
    expect(history).toHaveLength(1);
    expect(history[0]).toMatchObject({ reason: 'behaviour', from: null, to: { id: stamp?.id } });
    const announced = env.bus.changes(TEST_EVENT_BUS).slice(before);
    expect(announced).toEqual([expect.objectContaining({ shopperId: LATE, reason: 'behaviour' })]);

    // Its own stamp write comes back through the stream: no change, nothing announced.
    expect(await invoke(rescoreHandler, { Records: [record(LATE, 'MODIFY')] })).toEqual({
      scored: 1,
      changed: 0,
    });
    expect(env.bus.changes(TEST_EVENT_BUS).length).toBe(before + 1);
  });
});
