/** What the service's thread and the retrain worker say to each other about jobs. */
import type { MessagePort } from 'node:worker_threads';
import type { RetrainOptions } from '#shared/segmentation/usecases/run-retrain/run-retrain';
import type { WireError } from './retrain-ports-bridge';

export interface RetrainWorkerData {
  /** The channel the worker calls the service's ports on. */
  readonly ports: MessagePort;
  /** The service's pinned clock (NOW), if any. */
  readonly now?: string;
  readonly gate?: Int32Array;
}

export type Job =
  | { readonly id: number; readonly kind: 'retrain'; readonly options: RetrainOptions }
  | {
      readonly id: number;
      readonly kind: 'drift';
      readonly options: Omit<RetrainOptions, 'trigger' | 'snapshot'>;
    };

export type JobResult =
  | { readonly id: number; readonly ok: true; readonly value: unknown }
  | { readonly id: number; readonly ok: false; readonly error: WireError };

/** A held run gives up after this long (a test that never releases it must not hang the worker). */
export const GATE_TIMEOUT_MS = 30_000;
