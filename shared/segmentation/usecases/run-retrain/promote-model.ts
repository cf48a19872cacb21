/**
 * Use case: the promotion of a trained candidate (the stack's "Promote model" state, after the
 * "Index parts" map; the local runner runs the same job handler).
 * Input: the run as training left it (gate passed, not yet saved), the candidate's version and the
 * snapshot's number of parts. Output: the run record, promoted or rejected (another model was promoted
 * meanwhile), saved to the bucket.
 * Steps: merge the parts' index partials into the candidate's recommendation index and save it
 * (no partial may be missing: a run never promotes without its index), then switch the current
 * pointer with the sequence check (PromotionConflictError: rejected, the serving model stays),
 * record the run, and remove the partials. A run that dies before the pointer switch leaves the
 * current model untouched.
 */
import type { Clock } from '#shared/kernel/ports/clock';
import type { Logger } from '#shared/kernel/ports/logger';
import type { ObjectStore } from '#shared/kernel/ports/object-store';
import { deleteIndexParts, reduceIndexParts } from '#shared/recommendations/usecases/build-index/index-parts';
import type { RetrainRun } from '#shared/segmentation/domain/segment-model';
import { ModelRepository, PromotionConflictError } from '../models/model-repository';

export interface PromoteModelPorts {
  readonly objects: ObjectStore;
  readonly clock: Clock;
  readonly logger: Logger;
}

export interface PromoteModelInput {
  /** The run as training answered it (outcome promoted, pending this step). */
  readonly run: RetrainRun;
  readonly modelVersion: string;
  /** How many parts the snapshot has: one index partial each. */
  readonly parts: number;
}

export const promoteModel = async (
  ports: PromoteModelPorts,
  input: PromoteModelInput,
): Promise<{ run: RetrainRun; promoted: boolean }> => {
  const { run, modelVersion: version } = input;
  if (run.modelVersion !== version)
    throw new Error(`run ${run.runId} trained ${run.modelVersion}, not ${version}`);
  const models = new ModelRepository(ports.objects);
  const timings: Record<string, number> = { ...run.timings };
  const timed = async <T>(phase: string, work: () => Promise<T>): Promise<T> => {
    const t0 = performance.now();
    const result = await work();
    timings[phase] = Math.round(performance.now() - t0);
    ports.logger.info('retrain phase done', { phase, ms: timings[phase] });
    return result;
  };
  const finish = async (outcome: Pick<RetrainRun, 'outcome' | 'reason'>, promoted: boolean) => {
    const record: RetrainRun = { ...run, ...outcome, timings, finishedAt: ports.clock.now().toISOString() };
    await models.saveRun(record);
    ports.logger.info('retrain trained', {
      runId: run.runId,
      outcome: record.outcome,
      reason: record.reason,
      k: record.k,
    });
    return { run: record, promoted };
  };

  // Part of the model's artefacts: a lookup that reads the new pointer finds the new index.
  await timed('recommendations', () => reduceIndexParts(ports.objects, version, input.parts));
  let result: { run: RetrainRun; promoted: boolean };
  try {
    await timed('promote', () => models.promote(version, ports.clock.now(), run.previousVersion));
    result = await finish({ outcome: 'promoted', reason: run.reason }, true);
  } catch (error) {
    if (!(error instanceof PromotionConflictError)) throw error;
    result = await finish({ outcome: 'rejected', reason: error.message }, false);
  }
  // The index is saved and the run recorded: the partials are no longer needed. Best effort: a
  // partial left behind is only a small object under the model.
  try {
    await deleteIndexParts(ports.objects, version);
  } catch (error) {
    ports.logger.warn('index partials not removed', { modelVersion: version, error: String(error) });
  }
  return result;
};
