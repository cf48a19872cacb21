/**
 * Child steps on one snapshot part (20,000 rows at the stack's defaults), each the work of one
 * Distributed Map item: `snapshotPart` (a segment worker: a Scan segment decoded from DynamoDB
 * JSON pages, written as a gzip part, summarised), `summaryPart` (the summariser alone, over the
 * part streamed back), `indexPart` (the index job) and `reassignPart` (the reassignment job, its
 * writes accepted in memory: compute only).
 */
import { createAssignHandler } from '#functions/retrain-assign';
import { createIndexHandler } from '#functions/retrain-index';
import { indexPartKey, segmentResultKey } from '#shared/contract/bucket-layout';
import { fixedClock } from '#shared/kernel/ports/clock';
import { readPart } from '#shared/segmentation/usecases/take-snapshot/read-snapshot';
import type {
  SegmentResult,
  SnapshotPart,
  SnapshotPlan,
} from '#shared/segmentation/usecases/take-snapshot/snapshot-layout';
import { acceptingAssignments, droppingPublisher } from './accepting-assignments';
import { scanPagesScanner } from './dynamodb-pages';
import { FileObjectStore } from './file-object-store';
import { recordingLogger } from './recording-logger';
import { retrainJobs, stackSummary } from './retrain-jobs';
import { rssMb } from './step-memory';
import { timedSummary } from './timed-summary';

export const snapshotPart = async (args: { root: string; plan: SnapshotPlan; pagesPath: string }) => {
  const objects = new FileObjectStore(args.root);
  const { scanner, decode } = scanPagesScanner(args.pagesPath);
  const { summary, stopwatch } = timedSummary(stackSummary());
  const ports = { objects, scanner, clock: fixedClock(args.plan.asOf), logger: recordingLogger() };
  const jobs = retrainJobs(ports, summary);
  const startMb = rssMb();
  const t0 = performance.now();
  const answer = await jobs.snapshot({ segment: 0, plan: args.plan });
  const ms = performance.now() - t0;
  const result = await objects.get(segmentResultKey(args.plan.prefix, 0));
  if (!result) throw new Error('snapshot part: the segment wrote no result');
  const { parts } = JSON.parse(Buffer.from(result).toString('utf8')) as SegmentResult;
  return { startMb, ms, rows: answer.rows, decodeMs: decode.ms, summariseMs: stopwatch.ms, parts };
};

export const summaryPart = async (args: { root: string; plan: SnapshotPlan; part: SnapshotPart }) => {
  const objects = new FileObjectStore(args.root);
  const summariser = stackSummary().summariser(args.plan);
  const startMb = rssMb();
  const t0 = performance.now();
  let ms = 0;
  let rows = 0;
  for await (const profile of readPart(objects, args.part)) {
    const t1 = performance.now();
    summariser.add(profile);
    ms += performance.now() - t1;
    rows += 1;
  }
  const t1 = performance.now();
  const bytes = JSON.stringify(summariser.summary()).length;
  ms += performance.now() - t1;
  return { startMb, ms, rows, readMs: performance.now() - t0 - ms, summaryBytes: bytes };
};

export const indexPart = async (args: { root: string; part: SnapshotPart; modelVersion: string }) => {
  const objects = new FileObjectStore(args.root);
  const index = createIndexHandler({ ports: { objects } });
  const startMb = rssMb();
  const t0 = performance.now();
  const counts = await index({ part: args.part, modelVersion: args.modelVersion });
  const ms = performance.now() - t0;
  const partial = await objects.get(indexPartKey(args.modelVersion, args.part.key));
  return { startMb, ms, rows: args.part.rows, shoppers: counts.shoppers, partialBytes: partial?.length ?? 0 };
};

export const reassignPart = async (args: {
  root: string;
  part: SnapshotPart;
  modelVersion: string;
  at: string;
}) => {
  const objects = new FileObjectStore(args.root);
  const assignments = acceptingAssignments();
  const assign = createAssignHandler({
    ports: { objects, assignments, publisher: droppingPublisher, clock: fixedClock(args.at) },
  });
  const startMb = rssMb();
  const t0 = performance.now();
  const counts = await assign({ part: args.part, modelVersion: args.modelVersion, at: args.at });
  const ms = performance.now() - t0;
  return { startMb, ms, rows: counts.shoppers, changed: counts.changed };
};
