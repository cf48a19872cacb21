import { appendFile, mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { PolicyAlert, PolicyAlertPublisher } from '#shared/activation/ports/policy-alert-publisher';
import type { SegmentChangePublisher } from '#shared/activation/ports/segment-change-publisher';
import type { SegmentChange } from '#shared/segmentation/ports/assignment-store';

/** The local stand-in for the event bus: one event a line, append-only. */
export class FilePublisher implements SegmentChangePublisher, PolicyAlertPublisher {
  constructor(private readonly path: string) {}

  publish(changes: readonly SegmentChange[]): Promise<void> {
    return this.append(
      'Segment Changed',
      changes.map((detail) => ({ time: detail.at, detail })),
    );
  }

  publishPolicyAlerts(alerts: readonly PolicyAlert[]): Promise<void> {
    return this.append(
      'Policy Underperforming',
      alerts.map((detail) => ({ time: detail.checkedAt, detail })),
    );
  }

  private async append(detailType: string, events: readonly { time: string; detail: unknown }[]) {
    if (events.length === 0) return;
    await mkdir(dirname(this.path), { recursive: true });
    const lines = events.map(({ time, detail }) =>
      JSON.stringify({ 'detail-type': detailType, source: 'segmentation.service', time, detail }),
    );
    await appendFile(this.path, `${lines.join('\n')}\n`);
  }
}
