/**
 * Use case: write every profile to the bucket as a snapshot.
 * Input: ports (scanner, object store, clock, logger), worker count, rows per part, a unique run suffix.
 * Output: the manifest, written last.
 * Steps: each worker scans its DynamoDB segment page by page and streams rows through gzip
 * into parts of at most `rowsPerPart` rows; only one part per worker is in memory at a time.
 */
import { createHash } from 'node:crypto';
import { createGzip } from 'node:zlib';
import type { Clock } from '#shared/kernel/ports/clock';
import type { Logger } from '#shared/kernel/ports/logger';
import type { ObjectStore } from '#shared/kernel/ports/object-store';
import type { ProfileScanner } from '#shared/segmentation/ports/profile-scanner';
import {
  MANIFEST_NAME,
  newRunId,
  partKey,
  type SnapshotManifest,
  type SnapshotPart,
  snapshotPrefix,
} from './snapshot-layout';

export interface SnapshotPorts {
  readonly scanner: ProfileScanner;
  readonly objects: ObjectStore;
  readonly clock: Clock;
  readonly logger: Logger;
}

export interface SnapshotOptions {
  readonly workers?: number;
  readonly rowsPerPart?: number;
  /** Makes the run id unique among runs with the same as-of time. */
  readonly runSuffix: string;
}

/** Accumulates gzip output for one part. */
class PartWriter {
  private readonly gzip = createGzip({ level: 6 });
  private readonly chunks: Buffer[] = [];
  rows = 0;

  constructor() {
    this.gzip.on('data', (chunk: Buffer) => this.chunks.push(chunk));
  }

  add(line: string): void {
    this.gzip.write(`${line}\n`);
    this.rows += 1;
  }

  async finish(): Promise<Buffer> {
    await new Promise<void>((resolve, reject) => {
      this.gzip.once('end', resolve);
      this.gzip.once('error', reject);
      this.gzip.end();
    });
    return Buffer.concat(this.chunks);
  }
}

export const takeSnapshot = async (
  ports: SnapshotPorts,
  options: SnapshotOptions,
): Promise<SnapshotManifest> => {
  const workers = options.workers ?? 4;
  const rowsPerPart = options.rowsPerPart ?? 20_000;
  const asOf = ports.clock.now();
  const dt = asOf.toISOString().slice(0, 10);
  const runId = newRunId(asOf, options.runSuffix);
  const prefix = snapshotPrefix(dt, runId);

  const runWorker = async (worker: number): Promise<SnapshotPart[]> => {
    const parts: SnapshotPart[] = [];
    let writer = new PartWriter();
    const flush = async () => {
      if (writer.rows === 0) return;
      const body = await writer.finish();
      const key = partKey(prefix, worker, parts.length);
      await ports.objects.put(key, body, 'application/gzip');
      parts.push({
        key,
        rows: writer.rows,
        bytes: body.length,
        sha256: createHash('sha256').update(body).digest('hex'),
      });
      writer = new PartWriter();
    };
    for await (const page of ports.scanner.scan(worker, workers)) {
      for (const profile of page) {
        writer.add(JSON.stringify(profile));
        if (writer.rows >= rowsPerPart) await flush();
      }
    }
    await flush();
    return parts;
  };

  const started = Date.now();
  const parts = (await Promise.all(Array.from({ length: workers }, (_, w) => runWorker(w)))).flat();
  const manifest: SnapshotManifest = {
    schema: 1,
    runId,
    dt,
    asOf: asOf.toISOString(),
    prefix,
    workers,
    rows: parts.reduce((n, p) => n + p.rows, 0),
    parts,
  };
  await ports.objects.put(`${prefix}${MANIFEST_NAME}`, JSON.stringify(manifest, null, 2), 'application/json');
  ports.logger.info('snapshot written', {
    runId,
    rows: manifest.rows,
    parts: parts.length,
    ms: Date.now() - started,
  });
  return manifest;
};
