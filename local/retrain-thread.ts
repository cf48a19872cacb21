/**
 * Runs retrains and drift checks in a worker thread, so their computing never holds the
 * service's event loop (issue 12, hole 7: a retrain on the request thread stalled lookups for
 * 10.7 s). The worker runs the stack's job handlers in the state machines' order
 * (retrain-pipeline.ts), with the job settings given here. It is started on the first job and
 * kept for the next; if it dies, the job in flight fails and the next job starts a fresh one.
 */
import { MessageChannel, type Worker } from 'node:worker_threads';
import type { RetrainRun } from '#shared/segmentation/domain/segment-model';
import type { RetrainPorts } from '#shared/segmentation/usecases/run-retrain/run-retrain';
import { releaseGate } from './retrain-gate';
import type { Job, JobRequest, JobResult, JobSettings, RetrainWorkerData } from './retrain-jobs';
import type { DriftCheck, RetrainInput } from './retrain-pipeline';
import { fromWireError, serveRetrainPorts } from './retrain-ports-bridge';
import { startTsWorker } from './ts-worker';

export interface RetrainThread {
  /** The retrain state machine's steps, on this input. */
  retrain(input: RetrainInput): Promise<RetrainRun>;
  /** The drift check state machine's steps. */
  checkDrift(): Promise<DriftCheck>;
  close(): Promise<void>;
}

export interface RetrainThreadSettings {
  /** The job handlers' configuration. */
  readonly jobs: JobSettings;
  /** Retrains asked for and not finished (retrain-jobs.ts, retrainCounter). */
  readonly retrains: Int32Array;
  readonly now?: string;
  readonly gate?: Int32Array;
}

interface Running {
  readonly worker: Worker;
  readonly stopServing: () => void;
  readonly jobs: Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>;
  readonly ready: Promise<void>;
}

export const retrainThread = (ports: RetrainPorts, settings: RetrainThreadSettings): RetrainThread => {
  let running: Running | undefined;
  let nextId = 0;

  const start = (): Running => {
    const channel = new MessageChannel();
    const stopServing = serveRetrainPorts(channel.port1, () => ports);
    const data: RetrainWorkerData = {
      ports: channel.port2,
      settings: settings.jobs,
      retrains: settings.retrains,
      ...(settings.now ? { now: settings.now } : {}),
      ...(settings.gate ? { gate: settings.gate } : {}),
    };
    const worker = startTsWorker(new URL('./retrain-worker.ts', import.meta.url), {
      workerData: data,
      transferList: [channel.port2],
    });
    // Idle between jobs, the worker must not keep `npm run retrain` or a test process alive.
    worker.unref();
    const jobs: Running['jobs'] = new Map();
    const self: Running = {
      worker,
      stopServing,
      jobs,
      ready: new Promise<void>((resolve, reject) => {
        worker.once('message', () => resolve());
        worker.once('error', reject);
      }),
    };
    worker.on('message', (result: JobResult | 'ready') => {
      if (result === 'ready') return;
      const job = jobs.get(result.id);
      jobs.delete(result.id);
      if (jobs.size === 0) worker.unref();
      if (result.ok) job?.resolve(result.value);
      else job?.reject(fromWireError(result.error));
    });
    const fail = (error: Error) => {
      if (running === self) running = undefined;
      stopServing();
      channel.port1.close();
      for (const job of jobs.values()) job.reject(error);
      jobs.clear();
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`the retrain worker stopped (exit code ${code})`)));
    return self;
  };

  const submit = async <T>(job: JobRequest): Promise<T> => {
    running ??= start();
    const current = running;
    await current.ready;
    const id = nextId++;
    const answer = new Promise<T>((resolve, reject) =>
      current.jobs.set(id, { resolve: resolve as (value: unknown) => void, reject }),
    );
    // A job in flight keeps the process alive, as the same run on the main thread would.
    current.worker.ref();
    current.worker.postMessage({ ...job, id } as Job);
    return answer;
  };

  return {
    retrain: (input) => submit<RetrainRun>({ kind: 'retrain', input }),
    checkDrift: () => submit<DriftCheck>({ kind: 'drift' }),
    close: async () => {
      const current = running;
      running = undefined;
      if (!current) return;
      if (settings.gate) releaseGate(settings.gate);
      await current.worker.terminate();
    },
  };
};
