/**
 * The retrain worker thread: runs the retrain and drift check use cases, one job at a time, with
 * ports that call back into the service's thread (retrain-ports-bridge.ts). Started by
 * retrain-thread.ts; not meant to be run on its own.
 */
import { type MessagePort, parentPort, workerData } from 'node:worker_threads';
import { clockFromEnv } from '#shared/kernel/ports/clock';
import { checkDrift } from '#shared/segmentation/usecases/check-drift/check-drift';
import { runRetrain } from '#shared/segmentation/usecases/run-retrain/run-retrain';
import { holdAtGate } from './retrain-gate';
import { GATE_TIMEOUT_MS, type Job, type JobResult, type RetrainWorkerData } from './retrain-jobs';
import { remoteRetrainPorts, toWireError } from './retrain-ports-bridge';

const data = workerData as RetrainWorkerData;
const control = parentPort as MessagePort;
const ports = remoteRetrainPorts(data.ports, clockFromEnv(data.now));

control.on('message', async (job: Job) => {
  holdAtGate(data.gate, GATE_TIMEOUT_MS);
  try {
    const value =
      job.kind === 'retrain' ? await runRetrain(ports, job.options) : await checkDrift(ports, job.options);
    control.postMessage({ id: job.id, ok: true, value } satisfies JobResult);
  } catch (error) {
    control.postMessage({ id: job.id, ok: false, error: toWireError(error) } satisfies JobResult);
  }
});
control.postMessage('ready');
