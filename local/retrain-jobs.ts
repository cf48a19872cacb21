/** What the service's thread and the retrain worker say to each other about jobs. */
import type { MessagePort } from 'node:worker_threads';
import type { RuntimeConfig } from '#shared/adapters/runtime-config';
import type { TrainingConfig } from '#shared/segmentation/domain/segment-model';
import type { RetrainSettings } from '#shared/segmentation/usecases/run-retrain/retrain-settings';
import type { RetrainInput } from './retrain-pipeline';
import type { WireError } from './retrain-ports-bridge';

/**
 * The job handlers' configuration: what the stack sets in the job functions' environment
 * (snapshot workers, rows per part, training rows, the customer value settings), and the
 * training configuration, which tests may set (the stack trains with the default).
 */
export interface JobSettings extends RetrainSettings {
  readonly clv: RuntimeConfig['clv'];
  readonly training?: TrainingConfig;
}

export interface RetrainWorkerData {
  /** The channel the worker calls the service's ports on. */
  readonly ports: MessagePort;
  /** The service's pinned clock (NOW), if any. */
  readonly now?: string;
  readonly gate?: Int32Array;
  readonly settings: JobSettings;
  /** See retrainCounter. */
  readonly retrains: Int32Array;
}

/**
 * Retrains asked for and not finished, in memory both threads share: the service counts those it
 * is asked for (queued or running), the worker those its drift checks start. A drift check's
 * "Retrain running?" states read it, as the stack's ask Step Functions for running executions.
 */
export const retrainCounter = (): Int32Array => new Int32Array(new SharedArrayBuffer(4));
export const retrainsRunning = (counter: Int32Array): boolean => Atomics.load(counter, 0) > 0;
/** Counts `work` as a running retrain while it runs. */
export const countedRetrain = async <T>(counter: Int32Array, work: () => Promise<T>): Promise<T> => {
  Atomics.add(counter, 0, 1);
  try {
    return await work();
  } finally {
    Atomics.sub(counter, 0, 1);
  }
};

export type JobRequest =
  | { readonly kind: 'retrain'; readonly input: RetrainInput }
  | { readonly kind: 'drift' };

export type Job = JobRequest & { readonly id: number };

export type JobResult =
  | { readonly id: number; readonly ok: true; readonly value: unknown }
  | { readonly id: number; readonly ok: false; readonly error: WireError };

/** A held run gives up after this long (a test that never releases it must not hang the worker). */
export const GATE_TIMEOUT_MS = 30_000;
