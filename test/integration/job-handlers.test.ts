/**
 * The stack's job functions, run as Lambda runs them, on the emulators: the handlers of
 * functions/ with the environment the stack sets (names from shared/contract), each fed the
 * payload its state machine feeds it, as JSON. The retrain: plan ({trigger: "schedule"}, the
 * schedule's input) → one snapshot worker per item of the plan's segments list (a Distributed Map)
 * → assemble → train (the assemble step's output) → one index partial per part of the snapshot's
 * parts list (the second Distributed Map) → promote (merge the partials, switch the pointer) → one
 * assign per part, with the promote output's model version and time (the third Distributed Map)
 * → record the run ({run, parts}). The drift check's measure, on a snapshot taken with the drift trigger. Then rescore, with a profiles stream record. Real
 * handlers, real SDK calls; "Segment Changed" events go to a stub of the EventBridge API.
 */
import type { DynamoDBStreamEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { handler as rescoreHandler } from '#functions/rescore';
import { handler as assembleHandler } from '#functions/retrain-assemble';
import { handler as assignHandler } from '#functions/retrain-assign';
import { handler as driftHandler } from '#functions/retrain-drift';
import { handler as indexHandler } from '#functions/retrain-index';
import { handler as planHandler } from '#functions/retrain-plan';
import { handler as promoteHandler } from '#functions/retrain-promote';
import { handler as recordHandler } from '#functions/retrain-record';
import { handler as snapshotHandler } from '#functions/retrain-snapshot';
import { handler as trainHandler } from '#functions/retrain-train';
import { demoTraffic } from '#local/demo-data';
import { sendInBatches } from '#local/demo-loader';
import {
  CURRENT_MODEL_KEY,
  indexPartKey,
  indexPartPrefix,
  MANIFEST_NAME,
} from '#shared/contract/bucket-layout';
import { indexProfiles } from '#shared/recommendations/usecases/build-index/build-recommendation-index';
import type { SegmentModel } from '#shared/segmentation/domain/segment-model';
import { ModelRepository } from '#shared/segmentation/usecases/models/model-repository';
import { readManifest, readSnapshot } from '#shared/segmentation/usecases/take-snapshot/read-snapshot';
import type {
  SnapshotManifest,
  SnapshotPart,
} from '#shared/segmentation/usecases/take-snapshot/snapshot-layout';
import { order } from '../support/events';
import { TEST_EVENT_BUS, useJobEnvironment } from '../support/job-environment';
import { keys, postBatch, useLocalService } from '../support/local-service';
import { readMapItems, type SnapshotStatesRun, snapshotByStates } from '../support/snapshot-states';

const END = '2026-06-30T00:00:00.000Z';
const svc = useLocalService({ now: END });
const env = useJobEnvironment(svc, { now: END, snapshotWorkers: 2, eventBus: true });

/** A Lambda invocation: the payload and the answer cross as JSON, as between Step Functions states. */
const invoke = async <T>(handler: (event: never) => Promise<T>, payload: unknown): Promise<T> =>
  JSON.parse(JSON.stringify(await handler(JSON.parse(JSON.stringify(payload)) as never))) as T;

/** The promote step's answer: what the reassignment map and the record step read. */
type Trained = Awaited<ReturnType<typeof promoteHandler>>;
type Assigned = Awaited<ReturnType<typeof assignHandler>>;

const repository = () => new ModelRepository(svc.service.retrainPorts.objects);
const stampOf = async (shopperId: string) =>
  (await svc.service.ports.profiles.get(shopperId))?.profile.segment;

const snapshotStates = (trigger: string) =>
  snapshotByStates(
    { plan: planHandler, snapshot: snapshotHandler, assemble: assembleHandler },
    svc.service.retrainPorts.objects,
    { trigger },
  );

type AssignItem = { part: SnapshotPart; modelVersion: string; at: string };

/** Filled by the retrain test, read by the ones after it. */
const state = {} as {
  taken: SnapshotStatesRun;
  manifest: SnapshotManifest;
  trained: Trained;
  items: AssignItem[];
  assigned: Assigned[];
  model: SegmentModel;
  shoppers: string[];
};
const LATE = 'late-shopper';

describe('job handlers', () => {
  it('plan → snapshot segments → assemble → train → index per part → promote → assign per part: promotes a model, stamps every shopper, writes the run, index and population counts', async () => {
    const { messages } = demoTraffic({ end: new Date(END), shoppers: 300, seed: 5 });
    expect((await sendInBatches(svc.url, keys.writeKey, messages, { batchSize: 500 })).rejected).toBe(0);
    await svc.service.settled();

    // Snapshot: the schedule's input to the plan, the segments map, the assembly.
    const taken = await snapshotStates('schedule');
    expect(taken.trigger).toBe('schedule');
    expect(taken.snapshot.rows).toBe(300);
    // SNAPSHOT_WORKERS=2 (the emulated table's approximate size asks for fewer): two segments, one
    // part per segment worker, so the reassignment map below has two items.
    expect(taken.plan.totalSegments).toBe(2);
    expect(taken.segments.map((s) => s.segment)).toEqual([0, 1]);
    expect(taken.segments.reduce((n, s) => n + s.rows, 0)).toBe(300);
    expect(taken.snapshot.parts).toBe(2);
    const manifest = await readManifest(svc.service.retrainPorts.objects, taken.snapshot.manifestKey);
    expect(manifest).toMatchObject({ runId: taken.snapshot.runId, rows: 300, workers: 2 });
    expect(manifest.parts).toHaveLength(2);

    // A shopper who arrives after the snapshot, while no model serves: nobody scores them yet
    // (the rescore test below does).
    expect((await postBatch(svc.url, [order(LATE, 'late-1', 2500, '2026-06-29T09:00:00Z')])).status).toBe(
      200,
    );
    await svc.service.settled();
    expect(await stampOf(LATE)).toBeUndefined();

    // Train: the assemble step's output as it is. The candidate passes the gate, is saved, and is
    // not promoted yet.
    const passed = await invoke(trainHandler, taken.assembled);
    expect(passed.run.outcome, passed.run.reason).toBe('promoted');
    expect(passed.passed).toBe(true);
    expect(passed.run).toMatchObject({
      runId: taken.snapshot.runId,
      trigger: 'schedule',
      snapshot: `${manifest.prefix}${MANIFEST_NAME}`,
    });
    const version = passed.run.modelVersion ?? '';
    // Small: the snapshot's reference and the model to index, no list of parts.
    expect(passed).toEqual({
      trigger: 'schedule',
      snapshot: taken.snapshot,
      run: passed.run,
      passed: true,
      modelVersion: version,
      at: passed.run.startedAt,
    });
    const { objects } = svc.service.retrainPorts;
    expect(await repository().currentPointer()).toBeUndefined();
    expect(await repository().load(version)).toBeDefined();
    // The map's items: the parts list its ItemReader reads, through its ItemSelector.
    const parts = await readMapItems<SnapshotPart>(objects, taken.snapshot.partsKey);
    expect(parts).toEqual(manifest.parts);

    // Index parts: one partial per part, under the model, counts only in the answer.
    for (const part of parts) {
      const counted = await invoke(indexHandler, { part, modelVersion: version });
      expect(counted).toEqual({ part: part.key, shoppers: expect.any(Number), products: expect.any(Number) });
      expect(await objects.get(indexPartKey(version, part.key))).toBeDefined();
    }
    expect(await objects.list(indexPartPrefix(version))).toHaveLength(parts.length);

    // Promote, with a partial missing: refused, nothing promoted, no index written.
    const promoteInput = {
      trigger: passed.trigger,
      snapshot: passed.snapshot,
      run: passed.run,
      modelVersion: version,
      at: passed.at,
    };
    const [first] = parts;
    if (!first) throw new Error('no parts');
    const firstPartial = await objects.get(indexPartKey(version, first.key));
    await objects.delete(indexPartKey(version, first.key));
    await expect(invoke(promoteHandler, promoteInput)).rejects.toThrow(
      `1 index partials for model ${version}, expected one for each of its 2 snapshot parts`,
    );
    expect(await repository().currentPointer()).toBeUndefined();
    expect(await repository().loadRecommendations(version)).toBeUndefined();
    // The map's retry of that item writes it again.
    await invoke(indexHandler, { part: first, modelVersion: version });
    expect(await objects.get(indexPartKey(version, first.key))).toEqual(firstPartial);

    const trained = await invoke(promoteHandler, promoteInput);
    expect(trained).toEqual({
      trigger: 'schedule',
      snapshot: taken.snapshot,
      run: trained.run,
      promoted: true,
      modelVersion: version,
      at: passed.run.startedAt,
    });
    expect(trained.run).toEqual({
      ...passed.run,
      finishedAt: trained.run.finishedAt,
      timings: trained.run.timings,
    });
    // The merged index is the one-pass index of the snapshot; the partials are removed.
    const candidate = await repository().load(version);
    if (!candidate) throw new Error(`model ${version} not saved`);
    const { index: onePass } = await indexProfiles(readSnapshot(objects, manifest), candidate);
    expect(await repository().loadRecommendations(version)).toEqual(JSON.parse(JSON.stringify(onePass)));
    expect(await objects.list(indexPartPrefix(version))).toEqual([]);

    const items: AssignItem[] = parts.map((part) => ({
      part,
      modelVersion: trained.modelVersion,
      at: trained.at,
    }));

    // The promoted model: the pointer names it, its run is recorded, its recommendation index is written.
    const repo = repository();
    expect((await repo.currentPointer())?.version).toBe(version);
    expect(await svc.service.retrainPorts.objects.get(CURRENT_MODEL_KEY)).toBeDefined();
    const model = await repo.load(version);
    if (!model) throw new Error(`model ${version} not saved`);
    expect((await repo.runs()).find((run) => run.runId === taken.snapshot.runId)).toMatchObject({
      outcome: 'promoted',
      trigger: 'schedule',
      modelVersion: version,
    });
    expect(await repo.loadRecommendations(version)).toBeDefined();
    // No part counted yet: the population counts are incomplete.
    expect(await repo.population(model)).toBeUndefined();

    // The Distributed Map: one assign per item, at once.
    const assigned = await Promise.all(items.map((item) => invoke(assignHandler, item)));
    const shoppers = assigned.reduce((sum, part) => sum + part.shoppers, 0);
    expect(shoppers).toBe(taken.snapshot.rows);
    // Nobody had a segment: every shopper moved, and each move was announced once on the bus.
    expect(assigned.reduce((sum, part) => sum + part.changed, 0)).toBe(taken.snapshot.rows);
    const announced = env.bus.changes(TEST_EVENT_BUS);
    expect(announced).toHaveLength(taken.snapshot.rows);
    expect(new Set(announced.map((change) => change.shopperId)).size).toBe(taken.snapshot.rows);
    expect(
      announced.every((c) => c.reason === 'retrain' && c.modelVersion === version && c.from === null),
    ).toBe(true);

    // Every shopper of the snapshot is stamped with the model and has one history entry.
    const ids: string[] = [];
    for await (const profile of readSnapshot(svc.service.retrainPorts.objects, manifest))
      ids.push(profile.shopperId);
    expect(ids).toHaveLength(taken.snapshot.rows);
    const bySegment: Record<string, number> = {};
    for (const id of ids) {
      const stamp = await stampOf(id);
      expect(stamp?.modelVersion, id).toBe(version);
      bySegment[stamp?.id ?? ''] = (bySegment[stamp?.id ?? ''] ?? 0) + 1;
      expect(await svc.service.retrainPorts.assignments.history(id)).toHaveLength(1);
    }

    // The population counts: complete, and what the stamps say.
    const population = await repo.population(model);
    expect(population?.shoppers).toBe(taken.snapshot.rows);
    expect(population?.segments).toEqual(bySegment);
    const res = await fetch(`${svc.url}/v1/segments`, {
      headers: { authorization: `Bearer ${keys.readKey}` },
    });
    expect(res.status).toBe(200);
    const catalogue = (await res.json()) as { segments: { id: string; size: number }[] };
    expect(Object.fromEntries(catalogue.segments.map((s) => [s.id, s.size]))).toEqual(bySegment);

    Object.assign(state, { taken, manifest, trained, items, assigned, model, shoppers: ids });
    // A year of demo traffic and a full retrain: minutes on a busy machine, not a race.
  }, 300_000);

  it('assign retried on a part (Step Functions retries a failed item): no second history entry, same counts', async () => {
    const item = state.items[0];
    const first = state.assigned[0];
    if (!item || !first) throw new Error('the retrain test did not run');
    const again = await invoke(assignHandler, item);
    expect({ shoppers: again.shoppers, segments: again.segments }).toEqual({
      shoppers: first.shoppers,
      segments: first.segments,
    });
    for (const id of state.shoppers)
      expect(await svc.service.retrainPorts.assignments.history(id), id).toHaveLength(1);
    expect((await repository().population(state.model))?.shoppers).toBe(state.taken.snapshot.rows);
  });

  it('record run, after the map: the run record gets the reassignment the stamps show, and when it finished', async () => {
    const { taken, trained, shoppers, model } = state;
    if (!trained) throw new Error('the retrain test did not run');
    // What the stamps say: every shopper of the snapshot, by segment.
    const bySegment: Record<string, number> = {};
    for (const id of shoppers) {
      const stamp = await stampOf(id);
      bySegment[stamp?.id ?? ''] = (bySegment[stamp?.id ?? ''] ?? 0) + 1;
    }
    // Before: the run as training recorded it, nothing reassigned yet.
    const runOf = async () => (await repository().runs()).find((run) => run.runId === taken.snapshot.runId);
    expect((await runOf())?.reassigned).toBeNull();

    // What the "Record run" state passes: the train output's run and the snapshot's number of parts.
    const payload = { run: trained.run, parts: trained.snapshot.parts };
    const recorded = await invoke(recordHandler, payload);
    expect(recorded).toEqual({
      ...trained.run,
      // Every shopper moved once (the retried part rewrote its own stamps: the same count).
      reassigned: { shoppers: taken.snapshot.rows, changed: taken.snapshot.rows, segments: bySegment },
      // No policy has a holdout: the lift check checked nothing.
      policyChecks: [],
      finishedAt: END,
    });
    expect(recorded.modelVersion).toBe(model.version);
    expect(await runOf()).toEqual(recorded);
    // Step Functions may retry it: the same record.
    expect(await invoke(recordHandler, payload)).toEqual(recorded);
    expect(await runOf()).toEqual(recorded);
  });

  it('record run refuses a reassignment with a part not counted, and leaves the record as it was', async () => {
    const { taken, trained } = state;
    if (!trained) throw new Error('the retrain test did not run');
    const before = (await repository().runs()).find((run) => run.runId === taken.snapshot.runId);
    await expect(
      invoke(recordHandler, { run: trained.run, parts: trained.snapshot.parts + 1 }),
    ).rejects.toThrow(`expected one for each of its ${trained.snapshot.parts + 1} parts`);
    expect((await repository().runs()).find((run) => run.runId === taken.snapshot.runId)).toEqual(before);
  });

  it('measure drift, on a snapshot taken for a drift check: the same shoppers have not drifted from the promoted model', async () => {
    const { model } = state;
    if (!model) throw new Error('the retrain test did not run');
    // The drift check's "Plan snapshot" payload, then the assemble step's output as it is.
    const taken = await snapshotStates('drift');
    expect(taken.trigger).toBe('drift');
    const measured = await invoke(driftHandler, taken.assembled);
    expect(measured).toMatchObject({
      trigger: 'drift',
      snapshot: taken.snapshot,
      modelVersion: model.version,
      threshold: model.config.gate.driftPsi,
      drifted: false,
    });
    expect(Object.keys(measured.drift?.features ?? {}).sort()).toEqual([...model.transform.features].sort());
    expect(measured.drift?.maxFeaturePsi).toBeLessThan(measured.threshold);
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
