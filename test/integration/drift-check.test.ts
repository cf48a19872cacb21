/**
 * The stack's drift check job, run as its state machine runs it, on the emulators: the snapshot
 * states with the drift trigger (plan, one segment worker per item of the plan's segments list,
 * assemble), then the measure function (functions/retrain-drift.ts) with the assemble step's output, then — when drifted — the retrain's train function with the
 * input the drift check starts the retrain with. Real handlers, real SDK calls, no mocks.
 *
 * The local service's drift check runs the same handlers in the same order (local/retrain-pipeline.ts):
 * the same two cases, through `checkDrift()`, on a service of its own.
 *
 * The customer value settings are not the defaults (weeks, a 180-day calibration window) and the
 * forecasts are clustered, so a drift check that builds any feature differently from training
 * (the forecasts as 0, another time unit or window, another as-of time) reports drift on an
 * unchanged population.
 */
import { describe, expect, it } from 'vitest';
import { handler as assemble } from '#functions/retrain-assemble';
import { handler as measure } from '#functions/retrain-drift';
import { handler as plan } from '#functions/retrain-plan';
import { handler as snapshotSegment } from '#functions/retrain-snapshot';
import { handler as train } from '#functions/retrain-train';
import { demoTraffic } from '#local/demo-data';
import { sendInBatches } from '#local/demo-loader';
import { jobRuntimeFromEnv } from '#shared/adapters/retrain-ports';
import { CLV_FEATURES } from '#shared/segmentation/domain/features/features';
import { defaultTrainingConfig } from '#shared/segmentation/domain/training/train-model';
import { ModelRepository } from '#shared/segmentation/usecases/models/model-repository';
import { trainFromSnapshot } from '#shared/segmentation/usecases/run-retrain/run-retrain';
import { latestSnapshot, readManifest } from '#shared/segmentation/usecases/take-snapshot/read-snapshot';
import { MANIFEST_NAME } from '#shared/segmentation/usecases/take-snapshot/snapshot-layout';
import { order } from '../support/events';
import { useJobEnvironment } from '../support/job-environment';
import { keys, postBatch, useLocalService } from '../support/local-service';
import { snapshotByStates } from '../support/snapshot-states';

const END = '2026-06-30T00:00:00Z';
const CLV = { unit: 'week', calibrationDays: 180, clusterFeatures: true } as const;
const svc = useLocalService({ now: END, clv: CLV });

// The functions' environment, as the stack sets it, pointed at this test's emulators.
useJobEnvironment(svc, { now: END, clv: CLV });
/** The jobs' adapters on the same environment, to train and to read models and runs. */
const jobPorts = () => jobRuntimeFromEnv('drift-check-test').ports;

/** The snapshot states (plan, segments map, assemble) with the real handlers, on the given payload. */
const snapshot = (payload: { trigger: string }) =>
  snapshotByStates({ plan, snapshot: snapshotSegment, assemble }, jobPorts().objects, payload);

/** The drift check state machine's snapshot and measure steps, each fed what the state machine feeds it. */
const driftCheck = async () => {
  const taken = await snapshot({ trigger: 'drift' });
  expect(taken.trigger).toBe('drift');
  const measured = await measure(taken.assembled);
  // Handed on unchanged: the retrain trains on the very snapshot that was measured.
  expect(measured.snapshot).toEqual(taken.snapshot);
  return measured;
};

describe('drift check job', () => {
  it('with no model yet, measures nothing and asks for no retrain', async () => {
    const result = await driftCheck();
    expect(result).toMatchObject({ drifted: false, drift: null, modelVersion: null });
  });

  it('right after a retrain, on the same shoppers, finds no drift in any clustered feature', async () => {
    const { messages } = demoTraffic({ end: new Date(END), shoppers: 240, seed: 7 });
    expect((await sendInBatches(svc.url, keys.writeKey, messages, { batchSize: 500 })).rejected).toBe(0);
    // The retrain's snapshot and train steps (drift needs no reassignment), with an operator's
    // configuration that clusters the customer value forecasts whatever the backtest says.
    const ports = jobPorts();
    const taken = await snapshot({ trigger: 'manual' });
    const manifest = await readManifest(ports.objects, taken.snapshot.manifestKey);
    const { run, model } = await trainFromSnapshot(
      ports,
      { ...manifest, ref: taken.snapshot },
      {
        trigger: 'manual',
        runId: manifest.runId,
        clv: CLV,
        config: { ...defaultTrainingConfig, required: [...CLV_FEATURES] },
      },
    );
    expect(run.outcome, run.reason).toBe('promoted');
    const clustered = model?.transform.features ?? [];
    expect(clustered).toEqual(expect.arrayContaining([...CLV_FEATURES]));

    const result = await driftCheck();
    expect(result.modelVersion).toBe(run.modelVersion);
    expect(Object.keys(result.drift?.features ?? {}).sort()).toEqual([...clustered].sort());
    for (const feature of clustered)
      expect(result.drift?.features[feature], `PSI of ${feature}`).toBeLessThan(0.01);
    expect(result.drift?.segmentSharesPsi).toBeLessThan(0.01);
    expect(result.drifted).toBe(false);
    // Loading a year of demo traffic and a full retrain: minutes on a busy machine, not a race.
  }, 300_000);

  it('after a burst of new big spenders, drifts, and the retrain it starts is a drift retrain of that snapshot', async () => {
    const burst = Array.from({ length: 300 }, (_, i) =>
      order(`burst-${i}`, `burst-order-${i}`, 900, '2026-06-29T12:00:00Z'),
    );
    expect((await postBatch(svc.url, burst)).body).toMatchObject({ accepted: 300, rejected: [] });

    const result = await driftCheck();
    expect(result.drifted).toBe(true);
    expect(result.drift?.maxFeaturePsi).toBeGreaterThanOrEqual(result.threshold);
    expect(result.threshold).toBe(defaultTrainingConfig.gate.driftPsi);

    // What the "Start retrain" state passes the retrain state machine, whose "Snapshot given?"
    // choice sends it straight to the train function.
    const started = {
      trigger: 'drift',
      snapshot: result.snapshot,
      AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID:
        'arn:aws:states:us-east-1:123456789012:execution:drift:check-1',
    };
    const trained = await train(started);
    expect(trained.run).toMatchObject({
      trigger: 'drift',
      snapshot: `${result.snapshot.prefix}${MANIFEST_NAME}`,
      runId: result.snapshot.runId,
    });
    const runs = await new ModelRepository(jobPorts().objects).runs();
    expect(result.snapshot.manifestKey).toBe(`${result.snapshot.prefix}${MANIFEST_NAME}`);
    expect(runs.find((r) => r.runId === result.snapshot.runId)?.trigger).toBe('drift');
  }, 300_000);
});

describe('local drift check', () => {
  // The local service with the same settings, and the same operator's training configuration.
  const local = useLocalService({
    now: END,
    clv: CLV,
    retrain: { training: { ...defaultTrainingConfig, required: [...CLV_FEATURES] } },
  });
  const runs = () => new ModelRepository(local.service.retrainPorts.objects).runs();

  it('right after a retrain, on the same shoppers, finds no drift and starts no retrain', async () => {
    const { messages } = demoTraffic({ end: new Date(END), shoppers: 240, seed: 7 });
    expect((await sendInBatches(local.url, keys.writeKey, messages, { batchSize: 500 })).rejected).toBe(0);
    const run = await local.service.retrain('manual');
    expect(run.outcome, run.reason).toBe('promoted');
    const model = await new ModelRepository(local.service.retrainPorts.objects).current();
    const clustered = model?.transform.features ?? [];
    expect(clustered).toEqual(expect.arrayContaining([...CLV_FEATURES]));

    const check = await local.service.checkDrift();
    expect(check.skipped).toBeUndefined();
    expect(check.retrain).toBeNull();
    expect(check.threshold).toBe(defaultTrainingConfig.gate.driftPsi);
    expect(Object.keys(check.drift?.features ?? {}).sort()).toEqual([...clustered].sort());
    for (const feature of clustered)
      expect(check.drift?.features[feature], `PSI of ${feature}`).toBeLessThan(0.01);
    expect(check.drift?.segmentSharesPsi).toBeLessThan(0.01);
    // The check took a snapshot, and recorded no run.
    expect((await runs()).map((r) => r.runId)).toEqual([run.runId]);
    expect((await latestSnapshot(local.service.retrainPorts.objects))?.runId).not.toBe(run.runId);
  }, 300_000);

  it('after a wave of new buyers, drifts and retrains on the snapshot it measured, recorded in full', async () => {
    // 300 new shoppers, one to three recent orders each of every size: the population moves, and
    // still splits into segments the gate accepts.
    const burst = Array.from({ length: 300 }, (_, i) =>
      Array.from({ length: 1 + (i % 3) }, (_, n) =>
        order(
          `wave-${i}`,
          `wave-order-${i}-${n}`,
          20 + ((i * 37 + n * 101) % 1_500),
          new Date(Date.parse('2026-06-29T12:00:00Z') - ((i * 7 + n * 13) % 60) * 86_400_000).toISOString(),
        ),
      ),
    ).flat();
    expect((await postBatch(local.url, burst)).body).toMatchObject({ accepted: burst.length, rejected: [] });

    const check = await local.service.checkDrift();
    expect(check.drift?.maxFeaturePsi).toBeGreaterThanOrEqual(check.threshold);
    const run = check.retrain;
    if (!run) throw new Error('no drift retrain');
    // The drift check's own snapshot, the latest one: the run is named after it, as in the stack.
    const measured = await latestSnapshot(local.service.retrainPorts.objects);
    if (!measured) throw new Error('no snapshot');
    expect(run).toMatchObject({
      trigger: 'drift',
      runId: measured.runId,
      snapshot: `${measured.prefix}${MANIFEST_NAME}`,
    });
    expect(run.outcome, run.reason).toBe('promoted');
    // Recorded by its last step, with every shopper of that snapshot reassigned.
    expect(run.reassigned?.shoppers).toBe(measured.rows);
    expect(run.finishedAt).toBe(new Date(END).toISOString());
    expect((await runs()).find((r) => r.runId === run.runId)).toEqual(run);
  }, 300_000);
});
