import { appendFile, mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { SegmentChangePublisher } from '#shared/activation/ports/segment-change-publisher';
import type { SegmentChange } from '#shared/segmentation/ports/assignment-store';

/** The local stand-in for the event bus: one "Segment Changed" event a line, append-only. */
export class FilePublisher implements SegmentChangePublisher {
  constructor(private readonly path: string) {}

  async publish(changes: readonly SegmentChange[]): Promise<void> {
    if (changes.length === 0) return;
    await mkdir(dirname(this.path), { recursive: true });
    const lines = changes.map((detail) =>
      JSON.stringify({
        'detail-type': 'Segment Changed',
        source: 'segmentation.service',
        time: detail.at,
        detail,
      }),
    );
    await appendFile(this.path, `${lines.join('\n')}\n`);
  }
}
