/**
 * The I/O floor of reading a snapshot: gunzip each part, split it into lines and JSON.parse each
 * line, and nothing else (no checksum, no row count, no product code). Whatever reads the parts
 * can go no faster on one core, so the retrain is measured against it.
 */
import { gunzipSync } from 'node:zlib';
import type { ObjectStore } from '#shared/kernel/ports/object-store';
import type { SnapshotPart } from '#shared/segmentation/usecases/take-snapshot/snapshot-layout';

export const bareRead = async (
  objects: ObjectStore,
  parts: readonly SnapshotPart[],
): Promise<{ ms: number; rows: number }> => {
  const t0 = performance.now();
  let rows = 0;
  for (const part of parts) {
    const body = await objects.get(part.key);
    if (!body) throw new Error(`part ${part.key} is missing`);
    for (const line of gunzipSync(body).toString('utf8').split('\n')) {
      if (line.length === 0) continue;
      if (JSON.parse(line) !== null) rows += 1;
    }
  }
  return { ms: performance.now() - t0, rows };
};
