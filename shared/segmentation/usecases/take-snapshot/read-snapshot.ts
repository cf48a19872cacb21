/** Finding the latest complete snapshot and reading its rows back, checksums verified. */
import { createHash } from 'node:crypto';
import { createInterface } from 'node:readline';
import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import type { Profile } from '#shared/ingestion/domain/profile';
import { type ObjectStore, readJson } from '#shared/kernel/ports/object-store';
import { MANIFEST_NAME, SNAPSHOT_ROOT, type SnapshotManifest, type SnapshotPart } from './snapshot-layout';

export class SnapshotCorruptError extends Error {
  override readonly name = 'SnapshotCorruptError';
}

/** Only runs whose manifest exists count: a run killed midway has none. */
export const latestSnapshot = async (objects: ObjectStore): Promise<SnapshotManifest | undefined> => {
  const manifests = (await objects.list(SNAPSHOT_ROOT)).filter((key) => key.endsWith(`/${MANIFEST_NAME}`));
  const latest = manifests.sort((a, b) => runOrder(a).localeCompare(runOrder(b))).at(-1);
  if (!latest) return undefined;
  return readManifest(objects, latest);
};

// Sort by run id (as-of time first), not by key: the dt partition is the as-of date anyway.
const runOrder = (key: string): string => /run=([^/]+)\//.exec(key)?.[1] ?? key;

export const readManifest = async (objects: ObjectStore, key: string): Promise<SnapshotManifest> => {
  const manifest = await readJson<SnapshotManifest>(objects, key);
  if (!manifest) throw new SnapshotCorruptError(`manifest ${key} not found`);
  return manifest;
};

/** The rows of one part, streamed line by line out of gzip. */
export async function* readPart(objects: ObjectStore, part: SnapshotPart): AsyncIterable<Profile> {
  const body = await objects.get(part.key);
  if (!body) throw new SnapshotCorruptError(`part ${part.key} is missing`);
  const sha = createHash('sha256').update(body).digest('hex');
  if (sha !== part.sha256) throw new SnapshotCorruptError(`part ${part.key} does not match its checksum`);
  const lines = createInterface({
    input: Readable.from([Buffer.from(body)]).pipe(createGunzip()),
    crlfDelay: Number.POSITIVE_INFINITY,
  });
  let rows = 0;
  for await (const line of lines) {
    if (line.length === 0) continue;
    rows += 1;
    yield JSON.parse(line) as Profile;
  }
  if (rows !== part.rows)
    throw new SnapshotCorruptError(`part ${part.key} has ${rows} rows, manifest says ${part.rows}`);
}

export async function* readSnapshot(
  objects: ObjectStore,
  manifest: SnapshotManifest,
): AsyncIterable<Profile> {
  for (const part of manifest.parts) yield* readPart(objects, part);
}
