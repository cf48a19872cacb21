/**
 * Use case: snapshot one parallel Scan segment (one item of the "Snapshot segments" map).
 * Input: the plan, the segment, rows per part, and a summariser (the training summary: the
 * handler passes the domain's builder). Output: the segment's parts and summary, written to
 * `_segments/<segment>.json`; the answer is only counts, so the map's results stay small.
 * Steps: scan the segment page by page, stream rows through gzip into parts of at most
 * `rowsPerPart` rows (one part in memory at a time), feed each profile to the summariser.
 * A retried worker rewrites the same keys: its parts and result replace the failed attempt's.
 */
import { createHash } from 'node:crypto';
import { createGzip } from 'node:zlib';
import type { Logger } from '#shared/kernel/ports/logger';
import type { ObjectStore } from '#shared/kernel/ports/object-store';
import type { ProfileScanner } from '#shared/segmentation/ports/profile-scanner';
import {
  partKey,
  type SegmentResult,
  type SnapshotPart,
  type SnapshotPlan,
  segmentResultKey,
} from './snapshot-layout';
import type { Summariser } from './snapshot-summary';

export interface SegmentPorts {
  readonly scanner: ProfileScanner;
  readonly objects: ObjectStore;
  readonly logger: Logger;
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

export const snapshotSegment = async <Summary>(
  ports: SegmentPorts,
  plan: SnapshotPlan,
  segment: number,
  options: { readonly rowsPerPart: number; readonly summariser: Summariser<Summary> },
): Promise<{ readonly segment: number; readonly rows: number; readonly parts: number }> => {
  if (!Number.isInteger(segment) || segment < 0 || segment >= plan.totalSegments)
    throw new RangeError(`segment ${segment} is not one of the plan's ${plan.totalSegments}`);
  const started = Date.now();
  const parts: SnapshotPart[] = [];
  let writer = new PartWriter();
  const flush = async () => {
    if (writer.rows === 0) return;
    const body = await writer.finish();
    const key = partKey(plan.prefix, segment, parts.length);
    await ports.objects.put(key, body, 'application/gzip');
    parts.push({
      key,
      rows: writer.rows,
      bytes: body.length,
      sha256: createHash('sha256').update(body).digest('hex'),
    });
    writer = new PartWriter();
  };
  for await (const page of ports.scanner.scan(segment, plan.totalSegments)) {
    for (const profile of page) {
      writer.add(JSON.stringify(profile));
      options.summariser.add(profile);
      if (writer.rows >= options.rowsPerPart) await flush();
    }
  }
  await flush();
  const rows = parts.reduce((n, p) => n + p.rows, 0);
  const result: SegmentResult<Summary> = { segment, rows, parts, summary: options.summariser.summary() };
  await ports.objects.put(segmentResultKey(plan.prefix, segment), JSON.stringify(result), 'application/json');
  ports.logger.info('snapshot segment written', {
    runId: plan.runId,
    segment,
    rows,
    parts: parts.length,
    ms: Date.now() - started,
  });
  return { segment, rows, parts: parts.length };
};
