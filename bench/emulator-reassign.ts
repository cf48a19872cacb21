/**
 * The reassignment of a part into the local DynamoDB emulator (dynalite), for the figure the
 * local service can reach: the first `rows` shoppers of a part, as a part of their own, are stored
 * as profiles first (a stamp is written only onto an existing profile), then the reassignment
 * job's use case writes every change through the stack's DynamoDB assignment store (history item
 * + conditional stamp). Events are dropped: what is measured is DynamoDB-bound. A few thousand
 * rows give the rate; a whole part takes minutes at the emulator's pace.
 */
import { createHash } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { startLocalService } from '#local/local-service';
import type { Profile } from '#shared/ingestion/domain/profile';
import { NOTHING_PENDING } from '#shared/ingestion/ports/profile-store';
import { mapWithConcurrency } from '#shared/kernel/concurrency';
import { fixedClock } from '#shared/kernel/ports/clock';
import type { ObjectStore } from '#shared/kernel/ports/object-store';
import type { SegmentModel } from '#shared/segmentation/domain/segment-model';
import { reassignPart } from '#shared/segmentation/usecases/reassign-part/reassign-part';
import { readPart } from '#shared/segmentation/usecases/take-snapshot/read-snapshot';
import type { SnapshotPart } from '#shared/segmentation/usecases/take-snapshot/snapshot-layout';
import { droppingPublisher } from './accepting-assignments';

export const reassignIntoEmulator = async (
  source: ObjectStore,
  part: SnapshotPart,
  model: SegmentModel,
  at: string,
  rows: number,
): Promise<{ rows: number; changed: number; ms: number; seedMs: number }> => {
  // On disk, as `npm start` keeps its data.
  const dataDir = join(tmpdir(), `seg-bench-reassign-${process.pid}`);
  const service = await startLocalService({
    writeKey: 'w',
    readKey: 'r',
    adminKey: 'a',
    now: at,
    logLevel: 'warn',
    dataDir,
  });
  try {
    const profiles: Profile[] = [];
    for await (const profile of readPart(source, part)) if (profiles.length < rows) profiles.push(profile);
    const body = gzipSync(`${profiles.map((p) => JSON.stringify(p)).join('\n')}\n`);
    const sample: SnapshotPart = {
      key: part.key.replace(/\.jsonl\.gz$/, '-emulator.jsonl.gz'),
      rows: profiles.length,
      bytes: body.length,
      sha256: createHash('sha256').update(body).digest('hex'),
    };
    let t0 = performance.now();
    await mapWithConcurrency(profiles, 16, (profile) =>
      service.ports.profiles.put(profile, NOTHING_PENDING, undefined),
    );
    const seedMs = performance.now() - t0;
    const { objects, assignments } = service.retrainPorts;
    await objects.put(sample.key, body, 'application/gzip');
    t0 = performance.now();
    const counts = await reassignPart(
      { objects, assignments, publisher: droppingPublisher, clock: fixedClock(at) },
      sample,
      model,
      at,
    );
    return { rows: counts.shoppers, changed: counts.changed, ms: performance.now() - t0, seedMs };
  } finally {
    await service.close();
    await rm(dataDir, { recursive: true, force: true });
  }
};
