import {
  type EventBridgeClient,
  PutEventsCommand,
  type PutEventsRequestEntry,
} from '@aws-sdk/client-eventbridge';
import type { SegmentChangePublisher } from '#shared/activation/ports/segment-change-publisher';
import type { SegmentChange } from '#shared/segmentation/ports/assignment-store';

const MAX_ENTRIES = 10;
const MAX_ROUNDS = 5;

/** "Segment Changed" events on a bus, 10 to a PutEvents call, failed entries retried. */
export class EventBridgePublisher implements SegmentChangePublisher {
  constructor(
    private readonly client: EventBridgeClient,
    private readonly busName: string,
    private readonly source = 'segmentation.service',
  ) {}

  async publish(changes: readonly SegmentChange[]): Promise<void> {
    for (let i = 0; i < changes.length; i += MAX_ENTRIES) {
      let entries: PutEventsRequestEntry[] = changes.slice(i, i + MAX_ENTRIES).map((change) => ({
        EventBusName: this.busName,
        Source: this.source,
        DetailType: 'Segment Changed',
        Time: new Date(change.at),
        Detail: JSON.stringify(change),
      }));
      for (let round = 0; entries.length > 0; round++) {
        if (round >= MAX_ROUNDS)
          throw new Error(`${entries.length} segment change events could not be published`);
        if (round > 0) await new Promise((r) => setTimeout(r, 50 * 2 ** round));
        const out = await this.client.send(new PutEventsCommand({ Entries: entries }));
        // Results are positional: an entry with an ErrorCode failed and is sent again.
        entries = entries.filter((_, index) => out.Entries?.[index]?.ErrorCode);
      }
    }
  }
}
