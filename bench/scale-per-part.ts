/**
 * One snapshot part's Distributed Map items (part 2 of `BENCH=scale`), each alone in a fresh
 * process, on the smallest size's bucket (which holds its trained model): a segment worker
 * writing the part from DynamoDB JSON pages, the summariser alone, the index partial, the
 * reassignment (compute only, then into the DynamoDB emulator) and the promotion's merge of as
 * many partials as a snapshot of that size has parts; and the bare read of the part, the baseline.
 */
import { join } from 'node:path';
import { fixedClock } from '#shared/kernel/ports/clock';
import { ModelRepository } from '#shared/segmentation/usecases/models/model-repository';
import { planSnapshot } from '#shared/segmentation/usecases/take-snapshot/plan-snapshot';
import { runStep } from './child-step';
import { writeScanPages } from './dynamodb-pages';
import { reassignIntoEmulator } from './emulator-reassign';
import { FileObjectStore } from './file-object-store';
import { segmentProfiles } from './generated-scanner';
import { bareRead } from './io-floor';
import { JOB_CONFIG } from './retrain-jobs';
import { ASOF, SEGMENT_SETTINGS, type SizeRun } from './scale-train-sizes';
import type { indexPart, reassignPart, snapshotPart, summaryPart } from './step-part';
import type { promote } from './step-retrain-jobs';
import type { StackSettings } from './step-stack-settings';

/** One part's map items, each alone, on the smallest size's bucket (which holds its trained model). */
export const perPart = async (
  root: string,
  base: SizeRun,
  options: { readonly promotePartials: number; readonly emulatorRows: number },
  stack: StackSettings,
) => {
  const memory = (job: keyof StackSettings['functions']) => ({
    lambdaMemoryMb: stack.functions[job].memoryMb,
  });
  const { trained } = base;
  const { modelVersion, at } = trained.answer;
  if (!modelVersion || !at)
    throw new Error(`the ${base.size.rows} model did not pass: ${trained.answer.run.reason}`);
  const objects = new FileObjectStore(base.size.root);
  const plan = await planSnapshot(
    { objects, clock: fixedClock(ASOF) },
    { runSuffix: 'part', approximateRows: base.size.rows, segments: SEGMENT_SETTINGS },
  );
  const pages = await writeScanPages(
    join(root, 'scan-pages.jsonl'),
    segmentProfiles(999, JOB_CONFIG.rowsPerPart, new Date(ASOF)),
  );
  const snapshot = await runStep<typeof snapshotPart>(
    'snapshotPart',
    { root: base.size.root, plan, pagesPath: pages.path },
    memory('Snapshot'),
  );
  const [part] = snapshot.parts;
  if (!part || snapshot.parts.length !== 1)
    throw new Error(`expected one part, got ${snapshot.parts.length}`);
  const floors = [];
  for (let i = 0; i < 3; i++) floors.push(await bareRead(objects, [part]));
  const floorMs = Math.min(...floors.map((f) => f.ms));
  const summary = await runStep<typeof summaryPart>(
    'summaryPart',
    { root: base.size.root, plan, part },
    memory('Snapshot'),
  );
  const index = await runStep<typeof indexPart>(
    'indexPart',
    { root: base.size.root, part, modelVersion },
    memory('Index'),
  );
  const reassign = await runStep<typeof reassignPart>(
    'reassignPart',
    { root: base.size.root, part, modelVersion, at },
    memory('Assign'),
  );
  const promoted = await runStep<typeof promote>(
    'promote',
    { root: base.size.root, trained: trained.answer, part, copies: options.promotePartials },
    memory('Promote'),
  );
  let emulator: Awaited<ReturnType<typeof reassignIntoEmulator>> | undefined;
  if (options.emulatorRows > 0) {
    const model = await new ModelRepository(objects).load(modelVersion);
    if (!model) throw new Error(`model ${modelVersion} not found`);
    emulator = await reassignIntoEmulator(objects, part, model, at, options.emulatorRows);
  }
  const idle = await runStep<() => Promise<{ startMb: number }>>('idle', null);
  return {
    pages,
    part,
    floorMs,
    snapshot,
    summary,
    index,
    reassign,
    promoted,
    emulator,
    idleMb: idle.startMb,
  };
};

export type PerPart = Awaited<ReturnType<typeof perPart>>;
