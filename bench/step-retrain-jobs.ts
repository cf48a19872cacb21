/**
 * Child steps that run one retrain job handler alone on a folder bucket: `assemble` (the merge of
 * the segments' summaries), `train` (reads `_summary.json` only: asserted) and `promote` (merges
 * `copies` index partials, as many as a snapshot has parts, saves the index, switches the pointer).
 */

import { cpuUsage } from 'node:process';
import { indexPartKey, segmentResultPrefix } from '#shared/contract/bucket-layout';
import { fixedClock } from '#shared/kernel/ports/clock';
import type { SnapshotPart, SnapshotPlan } from '#shared/segmentation/usecases/take-snapshot/snapshot-layout';
import { FileObjectStore } from './file-object-store';
import { generatedScanner } from './generated-scanner';
import { assertSummaryRead, recordingLogger } from './recording-logger';
import { retrainJobs, type TrainAnswer } from './retrain-jobs';
import { rssMb } from './step-memory';

const jobsOn = (root: string, asOf: string) => {
  const objects = new FileObjectStore(root);
  const logger = recordingLogger();
  const ports = { objects, scanner: generatedScanner(0, new Date(asOf)), clock: fixedClock(asOf), logger };
  return { objects, logger, jobs: retrainJobs(ports) };
};

export const assemble = async (args: { root: string; plan: SnapshotPlan }) => {
  const { objects, jobs } = jobsOn(args.root, args.plan.asOf);
  const segmentBytes = await objects.bytesUnder(segmentResultPrefix(args.plan.prefix));
  const startMb = rssMb();
  const t0 = performance.now();
  const answer = await jobs.assemble({ trigger: 'manual', plan: args.plan });
  const ms = performance.now() - t0;
  return {
    startMb,
    ms,
    answer,
    segmentBytes,
    summaryBytes: await objects.bytesUnder(answer.snapshot.summaryKey),
  };
};

export const train = async (args: {
  root: string;
  assembled: { trigger: 'manual'; snapshot: TrainAnswer['snapshot'] };
}) => {
  const { jobs, logger } = jobsOn(args.root, args.assembled.snapshot.asOf);
  const startMb = rssMb();
  const t0 = performance.now();
  const cpu0 = cpuUsage();
  const answer = await jobs.train(args.assembled);
  const ms = performance.now() - t0;
  // CPU time, user and system: the step's own work, whatever else this shared machine runs.
  const { user, system } = cpuUsage(cpu0);
  assertSummaryRead(logger);
  return { startMb, ms, cpuMs: (user + system) / 1000, answer };
};

export const promote = async (args: {
  root: string;
  trained: TrainAnswer;
  part: SnapshotPart;
  copies: number;
}) => {
  const { trained } = args;
  if (!trained.modelVersion || !trained.at) throw new Error('promote: the model did not pass the gate');
  const { objects, jobs } = jobsOn(args.root, trained.snapshot.asOf);
  const partial = await objects.get(indexPartKey(trained.modelVersion, args.part.key));
  if (!partial) throw new Error(`promote: no index partial for ${args.part.key}`);
  // One partial per part of a snapshot of `copies` parts: the part's own and copies under other part names.
  for (let copy = 1; copy < args.copies; copy++)
    await objects.put(
      indexPartKey(trained.modelVersion, `part-900-${String(copy).padStart(5, '0')}.jsonl.gz`),
      partial,
    );
  const startMb = rssMb();
  const t0 = performance.now();
  const answer = await jobs.promote({
    trigger: trained.trigger,
    snapshot: { ...trained.snapshot, parts: args.copies },
    run: trained.run,
    modelVersion: trained.modelVersion,
    at: trained.at,
  });
  const ms = performance.now() - t0;
  if (!answer.promoted) throw new Error(`promote: not promoted (${answer.run.reason})`);
  return { startMb, ms, partials: args.copies, partialBytes: partial.length };
};
