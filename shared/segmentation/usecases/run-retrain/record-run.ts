/**
 * Use case: the last step of a promoted retrain run (the stack's "Record run" state, after the
 * Distributed Map; the local runner runs the same job handler). Once every part of the snapshot
 * is reassigned, the run record gets what the reassignment did and when it finished: the counts
 * each part's reassignment saved with the model (models/<version>/population/<part>.json), summed
 * into `reassigned` (shoppers, changed, shoppers per segment), and the policy lift checks made
 * just before (`policyChecks`, when the caller made them). Reads only those small objects,
 * so its input and its cost do not grow with the shoppers, and a retry writes the same record.
 */

import type { Clock } from '#shared/kernel/ports/clock';
import type { Logger } from '#shared/kernel/ports/logger';
import type { ObjectStore } from '#shared/kernel/ports/object-store';
import { addCounts, type PopulationCounts, type RetrainRun } from '#shared/segmentation/domain/segment-model';
import { ModelRepository } from '../models/model-repository';

export interface RecordRunPorts {
  readonly objects: ObjectStore;
  readonly clock: Clock;
  readonly logger: Logger;
}

/** The reassignment was not complete: some part has no counts yet (or there are more than the parts). */
export class ReassignmentIncompleteError extends Error {
  override readonly name = 'ReassignmentIncompleteError';
}

/**
 * `run` is the promoted run as training recorded it; `parts` the number of snapshot parts its
 * reassignment fanned out over. Saves and returns the completed record.
 */
export const recordReassignedRun = async (
  ports: RecordRunPorts,
  run: RetrainRun,
  parts: number,
  policyChecks?: RetrainRun['policyChecks'],
): Promise<RetrainRun> => {
  if (run.outcome !== 'promoted' || !run.modelVersion)
    throw new Error(`run ${run.runId} promoted no model: nothing was reassigned`);
  const models = new ModelRepository(ports.objects);
  const counted = await models.partCounts(run.modelVersion);
  if (counted.length !== parts)
    throw new ReassignmentIncompleteError(
      `${counted.length} part counts for model ${run.modelVersion}, expected one for each of its ${parts} parts`,
    );
  let changed = 0;
  let counts: PopulationCounts = { shoppers: 0, segments: {} };
  for (const part of counted) {
    changed += part.changed;
    counts = addCounts(counts, part);
  }
  const record: RetrainRun = {
    ...run,
    reassigned: { shoppers: counts.shoppers, changed, segments: counts.segments },
    ...(policyChecks ? { policyChecks } : {}),
    finishedAt: ports.clock.now().toISOString(),
  };
  await models.saveRun(record);
  ports.logger.info('retrain recorded', {
    runId: record.runId,
    modelVersion: record.modelVersion,
    shoppers: counts.shoppers,
    changed,
  });
  return record;
};
