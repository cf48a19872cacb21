/**
 * The stack's drift check job, run as its state machine runs it, on the emulators: the snapshot
 * function with the drift trigger, then the measure function (functions/retrain-drift.ts) with
 * the snapshot function's output, then — when drifted — the retrain's train function with the
 * input the drift check starts the retrain with. Real handlers, real SDK calls, no mocks.
 *
 * The customer value settings are not the defaults (weeks, a 180-day calibration window) and the
 * forecasts are clustered, so a drift check that builds any feature differently from training
 * (the forecasts as 0, another time unit or window, another as-of time) reports drift on an
 * unchanged population.
 */
import { describe, expect, it } from 'vitest';
import { handler as measure } from '#functions/retrain-drift';
import { handler as snapshot } from '#functions/retrain-snapshot';
import { handler as train } from '#functions/retrain-train';
import { demoTraffic } from '#local/demo-data';
import { sendInBatches } from '#local/demo-loader';
import { jobRuntimeFromEnv } from '#shared/adapters/retrain-ports';
import { CLV_FEATURES } from '#shared/segmentation/domain/features/features';
import { defaultTrainingConfig } from '#shared/segmentation/domain/training/train-model';
import { ModelRepository } from '#shared/segmentation/usecases/models/model-repository';
import { trainFromSnapshot } from '#shared/segmentation/usecases/run-retrain/run-retrain';
import { MANIFEST_NAME } from '#shared/segmentation/usecases/take-snapshot/snapshot-layout';
import { order } from '../support/events';
import { useJobEnvironment } from '../support/job-environment';
import { keys, postBatch, useLocalService } from '../support/local-service';

const END = '2026-06-30T00:00:00Z';
const CLV = { unit: 'week', calibrationDays: 180, clusterFeatures: true } as const;
const svc = useLocalService({ now: END, clv: CLV });

// The functions' environment, as the stack sets it, pointed at this test's emulators.
useJobEnvironment(svc, { now: END, clv: CLV });
/** The jobs' adapters on the same environment, to train and to read models and runs. */
const jobPorts = () => jobRuntimeFromEnv('drift-check-test').ports;

/** The drift check state machine's snapshot and measure steps, each fed what the state machine feeds it. */
const driftCheck = async () => {
  const taken = await snapshot({ trigger: 'drift' });
  expect(taken.trigger).toBe('drift');
  const measured = await measure(taken);
  // Handed on unchanged: the retrain trains on the very snapshot that was measured.
  expect(measured.manifest).toEqual(taken.manifest);
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
    const { manifest } = await snapshot({ trigger: 'manual' });
    const { run, model } = await trainFromSnapshot(ports, manifest, {
      trigger: 'manual',
      runId: manifest.runId,
      runSuffix: '',
      clv: CLV,
      config: { ...defaultTrainingConfig, required: [...CLV_FEATURES] },
    });
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
      manifest: result.manifest,
      AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID:
        'arn:aws:states:us-east-1:123456789012:execution:drift:check-1',
    };
    const trained = await train(started);
    expect(trained.run).toMatchObject({
      trigger: 'drift',
      snapshot: `${result.manifest.prefix}${MANIFEST_NAME}`,
      runId: result.manifest.runId,
    });
    const runs = await new ModelRepository(jobPorts().objects).runs();
    expect(runs.find((r) => r.runId === result.manifest.runId)?.trigger).toBe('drift');
  }, 300_000);
});
