/**
 * The train step and the drift check read the snapshot's assembled training summary, never its
 * parts: each segment worker (functions/retrain-snapshot.ts) summarises its share of the shoppers
 * and the assembly merges them into `_summary.json`. Here, on the emulators, with the stack's own
 * job handlers and a training sample smaller than the shop:
 * - the assembled summary is exactly the one a full read of every part builds;
 * - with every part of the snapshot deleted, the train step still trains and the drift check
 *   still measures, which they could not if they read a part;
 * - asked for a summary under other settings, the train step rebuilds it from the parts (and so,
 *   with them gone, fails naming the missing part).
 */
import { describe, expect, it } from 'vitest';
import { createAssembleHandler } from '#functions/retrain-assemble';
import { createAssignHandler } from '#functions/retrain-assign';
import { createDriftHandler } from '#functions/retrain-drift';
import { createIndexHandler } from '#functions/retrain-index';
import { createPlanHandler } from '#functions/retrain-plan';
import { createPromoteHandler } from '#functions/retrain-promote';
import { createRecordHandler } from '#functions/retrain-record';
import { createSnapshotHandler } from '#functions/retrain-snapshot';
import { createTrainHandler } from '#functions/retrain-train';
import { demoTraffic } from '#local/demo-data';
import { sendInBatches } from '#local/demo-loader';
import { type JobHandlers, RETRAIN_STEPS, runSteps } from '#local/retrain-pipeline';
import { defaultClvConfig } from '#shared/customer-value/domain/predict';
import {
  type TrainingSummary,
  TrainingSummaryBuilder,
} from '#shared/segmentation/domain/features/training-summary';
import { defaultTrainingConfig } from '#shared/segmentation/domain/training/train-model';
import { ModelRepository } from '#shared/segmentation/usecases/models/model-repository';
import { DEFAULT_RETRAIN_SETTINGS } from '#shared/segmentation/usecases/run-retrain/retrain-settings';
import { readParts, readSummary } from '#shared/segmentation/usecases/take-snapshot/assemble-snapshot';
import { readPart } from '#shared/segmentation/usecases/take-snapshot/read-snapshot';
import { keys, useLocalService } from '../support/local-service';
import { invokeAsJson, readMapItems, snapshotByStates } from '../support/snapshot-states';

const END = '2026-06-30T00:00:00.000Z';
const svc = useLocalService({ now: END });

describe('the snapshot training summary', () => {
  it('is what a full read builds, and is all the train step and the drift check read', async () => {
    const { messages } = demoTraffic({ end: new Date(END), shoppers: 400, seed: 9 });
    expect((await sendInBatches(svc.url, keys.writeKey, messages, { batchSize: 500 })).rejected).toBe(0);
    await svc.service.settled();
    const ports = svc.service.retrainPorts;
    const settings = {
      ...DEFAULT_RETRAIN_SETTINGS,
      snapshotWorkers: 4,
      rowsPerPart: 40,
      maxTrainingRows: 150,
      backtestSample: 120,
      clv: { ...svc.service.config.clv, clusterFeatures: false },
    };
    let runs = 0;
    const handlers = (config: typeof settings): JobHandlers => ({
      plan: createPlanHandler({ ports, config, runSuffix: () => `s${runs++}` }),
      snapshot: createSnapshotHandler({ ports, config }),
      assemble: createAssembleHandler({ ports }),
      train: createTrainHandler({ ports, config }),
      index: createIndexHandler({ ports }),
      promote: createPromoteHandler({ ports }),
      assign: createAssignHandler({ ports }),
      record: createRecordHandler({ ports }),
      measure: createDriftHandler({ ports, config }),
    });
    const jobs = handlers(settings);
    const retrain = await runSteps(
      RETRAIN_STEPS,
      {
        jobs: { ...jobs, retrain: async () => null },
        retrainRunning: () => false,
        readItems: (key) => readMapItems(ports.objects, key),
      },
      { trigger: 'schedule' },
    );
    const current = await new ModelRepository(ports.objects).current();
    expect(current?.version, JSON.stringify(retrain.state)).toBeDefined();

    const taken = await snapshotByStates(jobs, ports.objects, { trigger: 'drift' });
    const { snapshot } = taken;
    const stored = await readSummary<TrainingSummary>(ports.objects, snapshot);
    if (!stored) throw new Error('the assembly wrote no summary');
    const fullRead = new TrainingSummaryBuilder({
      asOf: new Date(snapshot.asOf),
      seed: defaultTrainingConfig.seed,
      maxRows: settings.maxTrainingRows,
      backtestSample: settings.backtestSample,
      clv: { unit: defaultClvConfig.unit, calibrationDays: defaultClvConfig.calibrationDays },
    });
    const parts = await readParts(ports.objects, snapshot);
    for (const part of parts)
      for await (const profile of readPart(ports.objects, part)) fullRead.add(profile);
    expect(taken.plan.totalSegments).toBe(4);
    expect(stored.buyers).toBeGreaterThan(settings.maxTrainingRows);
    expect(stored.rows).toHaveLength(settings.maxTrainingRows);
    expect(stored).toEqual(fullRead.summary());

    for (const part of parts) await ports.objects.delete(part.key);
    const trained = await invokeAsJson(
      jobs.train as (e: never) => Promise<{ passed: boolean; run: { reason: string } }>,
      {
        trigger: 'manual',
        snapshot,
      },
    );
    expect(trained.passed, trained.run.reason).toBe(true);
    const measured = await invokeAsJson(
      jobs.measure as (e: never) => Promise<Record<string, unknown>>,
      taken.assembled,
    );
    expect(measured).toMatchObject({ drifted: false, modelVersion: current?.version });

    const otherSample = handlers({ ...settings, maxTrainingRows: 149 });
    await expect(
      invokeAsJson(otherSample.train as (e: never) => Promise<unknown>, { trigger: 'manual', snapshot }),
    ).rejects.toThrow(/part .* is missing/);
  });
});
