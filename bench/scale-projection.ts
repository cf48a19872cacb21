/**
 * From the figures `BENCH=scale` measures (per part on this machine, the train step and the
 * assembly per table size) to a retrain's wall time and charges at a given number of shoppers and
 * map concurrency, in the stack as it is configured (memory, concurrency, timeouts: read from the
 * synthesised template). Pure arithmetic; every throughput comes from the measurement. What the
 * bench cannot measure here, DynamoDB's and S3's own latency, is an explicit assumption.
 *
 * How a Lambda's time is derived: this machine's single-core time divided by the function's CPU
 * share (memory / 1,769 MB, at most one vCPU for one JS thread), assuming one Lambda vCPU is as
 * fast as one core here; plus, for the Scan and the stamp writes, the assumed request latency,
 * which the workers wait out in sequence (a page is processed before the next is asked for).
 */
import { shareCap } from '#shared/segmentation/domain/features/training-summary';
import { segmentsFor } from '#shared/segmentation/usecases/take-snapshot/plan-snapshot';
import { PRICES } from './aws-prices';
import { QUOTAS } from './aws-quotas';
import { segmentShare } from './generated-scanner';
import { JOB_CONFIG } from './retrain-jobs';
import type { StackSettings } from './step-stack-settings';

/** What the bench measured, per row on one core of this machine unless said otherwise. */
export interface MeasuredFigures {
  /** Mean profile item size, as DynamoDB bills reads and writes. */
  readonly itemBytes: number;
  /** Mean write units of a stamp (UpdateItem on the profile item). */
  readonly stampWriteUnits: number;
  /** Snapshot part bytes (gzip) per row. */
  readonly gzBytesPerRow: number;
  /** Decoding Scan pages (DynamoDB JSON → profiles). */
  readonly decodeUs: number;
  /** The segment worker on parsed profiles: parts (JSON, gzip, checksum, upload) and summary. */
  readonly workerUs: number;
  readonly indexUs: number;
  /** Reassignment, writes accepted in memory. */
  readonly reassignUs: number;
  /** The slowest train step measured, and the highest peak RSS. */
  readonly trainMs: number;
  readonly trainPeakMb: number;
  /** The train step's process RSS when it began (Node and the loader). */
  readonly trainStartMb: number;
  /** The train step's read of `_summary.json` (what a drift check's measure step does too). */
  readonly trainReadMs: number;
  /** The assembly at the largest size measured: its segments, its input rows, time, peak RSS. */
  readonly assembly: {
    readonly segments: number;
    readonly inputRows: number;
    readonly ms: number;
    readonly peakMb: number;
    readonly startMb: number;
  };
  /** JSON bytes a snapshot keeps besides its parts (segment results, `_summary.json`). */
  readonly summaryBytes: number;
  readonly promoteMsPerPartial: number;
  readonly peakMb: { readonly snapshot: number; readonly index: number; readonly reassign: number };
}

export interface Assumptions {
  /** DynamoDB's time to answer one 1 MB Scan page. */
  readonly scanPageMs: number;
  /** DynamoDB's time to answer one UpdateItem or BatchWriteItem, and S3's one small GET. */
  readonly requestMs: number;
  /** Shoppers whose segment changes in a routine retrain (a first model writes every one). */
  readonly routineChangeShare: number;
}

export const DEFAULT_ASSUMPTIONS: Assumptions = { scanPageMs: 50, requestMs: 10, routineChangeShare: 0.05 };

/** Changes per stamp chunk, history items per BatchWriteItem, stamps in flight (reassign-part, the assignment store). */
const CHUNK = 1000;
const WRITE_BATCH = 25;
const STAMPS_IN_FLIGHT = 16;
const GIB = 2 ** 30;

export interface Limit {
  readonly name: string;
  /** Demand over capacity: ≥ 1 binds. */
  readonly use: number;
  readonly detail: string;
  /** Where in the run it is met (1: the Scan … 6: the reassignment, 7: the run as a whole). */
  readonly step: number;
  /** What binding does: the step fails (memory, timeouts), or the run slows (quotas throttle, work queues). */
  readonly effect: 'fails' | 'slows';
}

export interface Projection {
  readonly shoppers: number;
  readonly concurrency: number;
  readonly segments: number;
  readonly parts: number;
  /** Wall seconds per phase, and how much of it is compute. */
  readonly wall: Record<
    'read' | 'assemble' | 'train' | 'index' | 'promote' | 'reassign',
    { s: number; computeS: number }
  >;
  readonly totalS: number;
  /** The same run when it moves only a routine share of shoppers. */
  readonly routineTotalS: number;
  /** Nearest to binding first. */
  readonly limits: readonly Limit[];
  /** The limit met first in the run among those that bind; else the nearest. */
  readonly firstLimit: Limit;
  readonly cost: Cost;
}

export interface Cost {
  readonly scanReadUnits: number;
  readonly stampWriteUnits: { readonly first: number; readonly routine: number };
  readonly lambdaGbSeconds: { readonly first: number; readonly routine: number };
  readonly lambdaRequests: number;
  readonly s3: {
    readonly puts: number;
    readonly gets: number;
    readonly storedGb: number;
    readonly gbMonths: number;
  };
  readonly stateTransitions: number;
  readonly dollars: {
    readonly dynamoRead: number;
    readonly dynamoWrite: { readonly first: number; readonly routine: number };
    readonly lambda: { readonly first: number; readonly routine: number };
    readonly s3: number;
    readonly stepFunctions: number;
    readonly total: { readonly first: number; readonly routine: number };
    /** A drift check: the snapshot again (Scan, segment workers, assembly, parts kept) and its measure step. */
    readonly driftCheck: number;
  };
}

const cpuShare = (memoryMb: number) => Math.min(1, memoryMb / QUOTAS.lambdaMbPerVcpu);
const waves = (items: number, concurrency: number) => Math.ceil(items / Math.max(1, concurrency));

/** Rows the assembly reads for a table cut into `segments`: each segment's share of both samples. */
export const assemblyInputRows = (shoppers: number, segments: number): number => {
  let rows = 0;
  for (let s = 0; s < segments; s++) {
    const share = segmentShare(shoppers, segments, s);
    rows +=
      Math.min(share, shareCap(JOB_CONFIG.maxTrainingRows, segments)) +
      Math.min(share, shareCap(JOB_CONFIG.backtestSample, segments));
  }
  return rows;
};

export const segmentsOf = (shoppers: number): number =>
  segmentsFor(shoppers, {
    minSegments: JOB_CONFIG.snapshotWorkers,
    rowsPerSegment: JOB_CONFIG.rowsPerSegment,
    maxSegments: JOB_CONFIG.maxSegments,
  });

export const project = (
  shoppers: number,
  concurrency: number,
  m: MeasuredFigures,
  stack: StackSettings,
  a: Assumptions = DEFAULT_ASSUMPTIONS,
): Projection => {
  const fn = stack.functions;
  const segments = segmentsOf(shoppers);
  const shares = Array.from({ length: segments }, (_, s) => segmentShare(shoppers, segments, s));
  const parts = shares.reduce((n, share) => n + Math.ceil(share / JOB_CONFIG.rowsPerPart), 0);
  const rowsPerSegment = Math.max(...shares);
  const partRows = Math.min(JOB_CONFIG.rowsPerPart, shoppers);

  // Read: the segment map; each worker pages through its Scan segment.
  const pages = Math.ceil((rowsPerSegment * m.itemBytes) / QUOTAS.dynamoScanPageBytes);
  const segmentComputeS = (rowsPerSegment * (m.decodeUs + m.workerUs)) / 1e6 / cpuShare(fn.Snapshot.memoryMb);
  const segmentS = segmentComputeS + (pages * a.scanPageMs) / 1000;
  const readUnitsPerRow = m.itemBytes / 4096 / 2;
  const scanReadUnits = shoppers * readUnitsPerRow;
  const readRate = (Math.min(concurrency, segments) * rowsPerSegment * readUnitsPerRow) / segmentS;
  const readS = Math.max(
    waves(segments, concurrency) * segmentS,
    scanReadUnits / QUOTAS.dynamoTableReadUnitsPerSecond,
  );

  const assemblyRows = assemblyInputRows(shoppers, segments);
  const assembleS =
    ((m.assembly.ms / 1000) * (assemblyRows / m.assembly.inputRows)) / cpuShare(fn.Assemble.memoryMb);
  const trainS = m.trainMs / 1000 / cpuShare(fn.Train.memoryMb);
  const indexPartS = (partRows * m.indexUs) / 1e6 / cpuShare(fn.Index.memoryMb);
  const indexS = waves(parts, concurrency) * indexPartS;
  const promoteS = (parts * m.promoteMsPerPartial) / 1000 / cpuShare(fn.Promote.memoryMb);

  // Reassign: per part, the scoring, then per chunk of changes its history batches and stamps.
  const reassignComputeS = (partRows * m.reassignUs) / 1e6 / cpuShare(fn.Assign.memoryMb);
  const writesPerChange = 1 + m.stampWriteUnits;
  const reassignPartS = (share: number) => {
    let roundTrips = 0;
    for (let left = Math.round(partRows * share); left > 0; left -= CHUNK) {
      const chunk = Math.min(CHUNK, left);
      roundTrips += Math.ceil(chunk / WRITE_BATCH) + Math.ceil(chunk / STAMPS_IN_FLIGHT);
    }
    return reassignComputeS + (roundTrips * a.requestMs) / 1000;
  };
  const firstPartS = reassignPartS(1);
  const routinePartS = reassignPartS(a.routineChangeShare);
  const stampUnits = shoppers * writesPerChange;
  const writeRate = (Math.min(concurrency, parts) * partRows * writesPerChange) / firstPartS;
  const reassignS = Math.max(
    waves(parts, concurrency) * firstPartS,
    stampUnits / QUOTAS.dynamoTableWriteUnitsPerSecond,
  );
  const routineS = Math.max(
    waves(parts, concurrency) * routinePartS,
    (stampUnits * a.routineChangeShare) / QUOTAS.dynamoTableWriteUnitsPerSecond,
  );
  // Lambda bills the wall time: where the table's quota stretches a map, its workers wait (throttled) the longer.
  const busy = (items: number, itemS: number, wallS: number) =>
    Math.max(items * itemS, Math.min(concurrency, items) * wallS);

  const wall = {
    read: { s: readS, computeS: waves(segments, concurrency) * segmentComputeS },
    assemble: { s: assembleS, computeS: assembleS },
    train: { s: trainS, computeS: trainS },
    index: { s: indexS, computeS: indexS },
    promote: { s: promoteS, computeS: promoteS },
    reassign: { s: reassignS, computeS: waves(parts, concurrency) * reassignComputeS },
  };
  const totalS = Object.values(wall).reduce((s, phase) => s + phase.s, 0);
  const routineTotalS = totalS - reassignS + routineS;

  const lambdaTimeout = fn.Snapshot.timeoutS;
  const limits = (
    [
      {
        name: `segment worker's ${lambdaTimeout / 60}-minute Lambda limit`,
        step: 1,
        effect: 'fails',
        use: segmentS / lambdaTimeout,
        detail: `${Math.round(segmentS)} s for ${rowsPerSegment.toLocaleString('en')} rows; ${Math.round((rowsPerSegment * lambdaTimeout) / segmentS).toLocaleString('en')} rows would fit`,
      },
      {
        name: `DynamoDB on-demand table reads (${QUOTAS.dynamoTableReadUnitsPerSecond.toLocaleString('en')} RRU/s)`,
        step: 1,
        effect: 'slows',
        use: readRate / QUOTAS.dynamoTableReadUnitsPerSecond,
        detail: `${Math.round(readRate).toLocaleString('en')} RRU/s asked by ${Math.min(concurrency, segments)} Scan segments`,
      },
      {
        name: `DynamoDB on-demand table writes (${QUOTAS.dynamoTableWriteUnitsPerSecond.toLocaleString('en')} WRU/s), first model`,
        step: 6,
        effect: 'slows',
        use: writeRate / QUOTAS.dynamoTableWriteUnitsPerSecond,
        detail: `${Math.round(writeRate).toLocaleString('en')} WRU/s asked by ${Math.min(concurrency, parts)} parts`,
      },
      {
        name: `account Lambda concurrency (${QUOTAS.lambdaAccountConcurrency.toLocaleString('en')})`,
        step: 1,
        effect: 'slows',
        use: Math.min(concurrency, Math.max(segments, parts)) / QUOTAS.lambdaAccountConcurrency,
        detail: `${Math.min(concurrency, Math.max(segments, parts))} at once, shared with ingest and lookups`,
      },
      {
        name: `Distributed Map concurrency (${QUOTAS.distributedMapMaxConcurrency.toLocaleString('en')})`,
        step: 1,
        effect: 'slows',
        use: concurrency / QUOTAS.distributedMapMaxConcurrency,
        detail: `${concurrency} configured`,
      },
      {
        name: `S3 PUTs per prefix (${QUOTAS.s3PutsPerSecondPerPrefix.toLocaleString('en')}/s)`,
        step: 4,
        effect: 'slows',
        use:
          Math.min(concurrency, parts) / Math.min(indexPartS, firstPartS) / QUOTAS.s3PutsPerSecondPerPrefix,
        detail: 'one object per part per map item',
      },
      {
        name: `assembly memory (${fn.Assemble.memoryMb} MB)`,
        step: 2,
        effect: 'fails',
        use: m.assembly.peakMb / fn.Assemble.memoryMb,
        detail: `${Math.round(m.assembly.peakMb)} MB peak RSS measured with ${m.assembly.segments} segments, ${Math.round(m.assembly.startMb)} MB of it held at the step's start`,
      },
      {
        name: `assembly's ${lambdaTimeout / 60}-minute limit`,
        step: 2,
        effect: 'fails',
        use: assembleS / lambdaTimeout,
        detail: `${Math.round(assembleS)} s for ${assemblyRows.toLocaleString('en')} sampled rows`,
      },
      {
        name: `train memory (${fn.Train.memoryMb} MB configured, ${QUOTAS.lambdaMaxMemoryMb.toLocaleString('en')} max)`,
        step: 3,
        effect: 'fails',
        use: m.trainPeakMb / fn.Train.memoryMb,
        detail: `${Math.round(m.trainPeakMb)} MB peak RSS measured, ${Math.round(m.trainStartMb)} MB of it held at the step's start`,
      },
      {
        name: `train's ${lambdaTimeout / 60}-minute limit`,
        step: 3,
        effect: 'fails',
        use: trainS / lambdaTimeout,
        detail: `${Math.round(trainS)} s`,
      },
      {
        name: `promote's ${lambdaTimeout / 60}-minute limit`,
        step: 5,
        effect: 'fails',
        use: promoteS / lambdaTimeout,
        detail: `${Math.round(promoteS)} s merging ${parts.toLocaleString('en')} index partials`,
      },
      {
        name: `state machine timeout (${stack.stateMachineTimeoutS / 3600} h)`,
        step: 7,
        effect: 'fails',
        use: totalS / stack.stateMachineTimeoutS,
        detail: `${Math.round(totalS / 60)} min in all`,
      },
    ] satisfies Limit[]
  ).sort((x, y) => y.use - x.use);
  const firstLimit =
    [...limits].filter((l) => l.use >= 1).sort((x, y) => x.step - y.step)[0] ?? (limits[0] as Limit);

  const cost = costOf({
    shoppers,
    concurrency,
    segments,
    parts,
    m,
    stack,
    a,
    busyS: {
      segments: busy(segments, segmentS, readS),
      assembleS,
      trainS,
      index: parts * indexPartS,
      promoteS,
      first: busy(parts, firstPartS, reassignS),
      routine: busy(parts, routinePartS, routineS),
    },
    scanReadUnits,
    stampUnits,
  });
  return { shoppers, concurrency, segments, parts, wall, totalS, routineTotalS, limits, firstLimit, cost };
};

const costOf = (input: {
  shoppers: number;
  concurrency: number;
  segments: number;
  parts: number;
  m: MeasuredFigures;
  stack: StackSettings;
  a: Assumptions;
  /** Lambda seconds billed per job, summed over its invocations. */
  busyS: Record<'segments' | 'assembleS' | 'trainS' | 'index' | 'promoteS' | 'first' | 'routine', number>;
  scanReadUnits: number;
  stampUnits: number;
}): Cost => {
  const { shoppers, concurrency, segments, parts, m, stack, a, busyS: t } = input;
  const gb = (job: keyof StackSettings['functions']) => stack.functions[job].memoryMb / 1024;
  // Plan and record are not measured: one request each (record reads one count object per part).
  const planS = (2 * a.requestMs) / 1000;
  const recordS = (Math.ceil(parts / 16) * a.requestMs) / 1000;
  const measureS =
    m.trainReadMs / 1000 / Math.min(1, stack.functions.Train.memoryMb / QUOTAS.lambdaMbPerVcpu);
  const readGbS = t.segments * gb('Snapshot') + t.assembleS * gb('Assemble');
  const commonGbS =
    planS * gb('Plan') +
    readGbS +
    t.trainS * gb('Train') +
    t.index * gb('Index') +
    t.promoteS * gb('Promote') +
    recordS * gb('Record');
  const lambdaGbSeconds = {
    first: commonGbS + t.first * gb('Assign'),
    routine: commonGbS + t.routine * gb('Assign'),
  };
  const lambdaRequests = 6 + segments + 2 * parts;
  const listPages = 3 * Math.ceil(parts / 1000);
  // Segment list, parts, segment results, assembly (3), model, partials, index + pointer + run,
  // population counts, the record, and each map's result writer (a manifest and a results file).
  const puts = 1 + parts + segments + 3 + 1 + parts + 3 + parts + 1 + 6 + listPages;
  const modelLoads = 2 * Math.min(parts, concurrency);
  const gets = segments + 3 + parts + parts + 2 + parts + parts + modelLoads + 3;
  const storedGb = (shoppers * m.gzBytesPerRow + m.summaryBytes) / GIB;
  const gbMonths = (storedGb * stack.snapshotRetentionDays) / 30;
  // A Distributed Map's child execution: one transition to start it, one per state it runs.
  const perItem = (map: string) => 1 + (stack.maps[map]?.childStates ?? 1);
  const stateTransitions =
    stack.promotedPathStates +
    segments * perItem('Snapshot segments') +
    parts * perItem('Index parts') +
    parts * perItem('Reassign shoppers');
  const dynamoRead = input.scanReadUnits * PRICES.dynamoReadUnit;
  const dynamoWrite = {
    first: input.stampUnits * PRICES.dynamoWriteUnit,
    routine: input.stampUnits * a.routineChangeShare * PRICES.dynamoWriteUnit,
  };
  const lambda = {
    first: lambdaGbSeconds.first * PRICES.lambdaGbSecond + lambdaRequests * PRICES.lambdaRequest,
    routine: lambdaGbSeconds.routine * PRICES.lambdaGbSecond + lambdaRequests * PRICES.lambdaRequest,
  };
  const s3 = puts * PRICES.s3Put + gets * PRICES.s3Get + gbMonths * PRICES.s3GbMonth;
  const stepFunctions = stateTransitions * PRICES.stateTransition;
  const driftCheck =
    dynamoRead +
    (readGbS + planS * gb('Plan') + measureS * gb('Train')) * PRICES.lambdaGbSecond +
    (3 + segments) * PRICES.lambdaRequest +
    (parts + segments + 5) * PRICES.s3Put +
    (segments + 2) * PRICES.s3Get +
    gbMonths * PRICES.s3GbMonth +
    (8 + 2 * segments) * PRICES.stateTransition;
  return {
    scanReadUnits: input.scanReadUnits,
    stampWriteUnits: { first: input.stampUnits, routine: input.stampUnits * a.routineChangeShare },
    lambdaGbSeconds,
    lambdaRequests,
    s3: { puts, gets, storedGb, gbMonths },
    stateTransitions,
    dollars: {
      dynamoRead,
      dynamoWrite,
      lambda,
      s3,
      stepFunctions,
      total: {
        first: dynamoRead + dynamoWrite.first + lambda.first + s3 + stepFunctions,
        routine: dynamoRead + dynamoWrite.routine + lambda.routine + s3 + stepFunctions,
      },
      driftCheck,
    },
  };
};
