/**
 * The retrain worker thread: runs retrains and drift checks, one job at a time, as the stack's
 * state machines run them (local/retrain-pipeline.ts): the stack's own job handlers
 * (functions/retrain-*.ts), built here once on ports that call back into the service's thread
 * (retrain-ports-bridge.ts) and on the service's job settings. Started by retrain-thread.ts; not
 * meant to be run on its own.
 */

import { type MessagePort, parentPort, workerData } from 'node:worker_threads';
import { createAssembleHandler } from '#functions/retrain-assemble';
import { createAssignHandler } from '#functions/retrain-assign';
import { createDriftHandler } from '#functions/retrain-drift';
import { createIndexHandler } from '#functions/retrain-index';
import { createPlanHandler } from '#functions/retrain-plan';
import { createPromoteHandler } from '#functions/retrain-promote';
import { createRecordHandler } from '#functions/retrain-record';
import { createSnapshotHandler } from '#functions/retrain-snapshot';
import { createTrainHandler } from '#functions/retrain-train';
import { clockFromEnv } from '#shared/kernel/ports/clock';
import { readJson } from '#shared/kernel/ports/object-store';
import { holdAtGate } from './retrain-gate';
import {
  countedRetrain,
  GATE_TIMEOUT_MS,
  type Job,
  type JobResult,
  type RetrainWorkerData,
  retrainsRunning,
} from './retrain-jobs';
import {
  type JobHandlers,
  type PipelineDeps,
  type RetrainInput,
  runDriftCheckPipeline,
  runRetrainPipeline,
} from './retrain-pipeline';
import { remoteRetrainPorts, toWireError } from './retrain-ports-bridge';

const data = workerData as RetrainWorkerData;
const control = parentPort as MessagePort;
const ports = remoteRetrainPorts(data.ports, clockFromEnv(data.now));
const { settings } = data;

// Run ids sort by as-of time, then by this suffix: with a pinned clock, in the order runs started.
let runs = 0;
const runSuffix = () => `${Date.now().toString(36)}${(runs++).toString(36)}`;

const jobs: JobHandlers = {
  plan: createPlanHandler({ ports, config: settings, runSuffix }),
  snapshot: createSnapshotHandler({
    ports,
    config: settings,
    ...(settings.training ? { training: settings.training } : {}),
  }),
  assemble: createAssembleHandler({ ports }),
  train: createTrainHandler({
    ports,
    config: settings,
    ...(settings.training ? { training: settings.training } : {}),
  }),
  index: createIndexHandler({ ports }),
  promote: createPromoteHandler({ ports }),
  assign: createAssignHandler({ ports }),
  record: createRecordHandler({ ports }),
  measure: createDriftHandler({ ports, config: settings }),
};

const deps: PipelineDeps = {
  jobs: {
    ...jobs,
    // "Start retrain": the retrain state machine from "Snapshot given?", a running retrain meanwhile.
    retrain: (input) => countedRetrain(data.retrains, () => runRetrainPipeline(deps, input as RetrainInput)),
  },
  retrainRunning: () => retrainsRunning(data.retrains),
  // At most this many map items at once, as the stack's Distributed Maps' MaxConcurrency.
  mapConcurrency: settings.mapConcurrency,
  // The maps' ItemReader: a JSON array in the bucket.
  readItems: async (key) => {
    const items = await readJson<unknown>(ports.objects, key);
    if (items === undefined) throw new Error(`no map items at ${key}`);
    if (!Array.isArray(items)) throw new Error(`the map items at ${key} are not a JSON array`);
    return items;
  },
};

control.on('message', async (job: Job) => {
  holdAtGate(data.gate, GATE_TIMEOUT_MS);
  try {
    const value =
      job.kind === 'retrain' ? await runRetrainPipeline(deps, job.input) : await runDriftCheckPipeline(deps);
    control.postMessage({ id: job.id, ok: true, value } satisfies JobResult);
  } catch (error) {
    control.postMessage({ id: job.id, ok: false, error: toWireError(error) } satisfies JobResult);
  }
});
control.postMessage('ready');
