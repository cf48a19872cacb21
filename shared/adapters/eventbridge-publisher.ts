import {
  type EventBridgeClient,
  PutEventsCommand,
  type PutEventsRequestEntry,
} from '@aws-sdk/client-eventbridge';
import type { PolicyAlert, PolicyAlertPublisher } from '#shared/activation/ports/policy-alert-publisher';
import type { SegmentChangePublisher } from '#shared/activation/ports/segment-change-publisher';
import type { SegmentChange } from '#shared/segmentation/ports/assignment-store';

const MAX_ENTRIES = 10;
const MAX_ROUNDS = 5;

/**
 * "Segment Changed" and "Policy Underperforming" events on a bus, 10 to a PutEvents call, failed
 * entries retried.
 */
export class EventBridgePublisher implements SegmentChangePublisher, PolicyAlertPublisher {
  constructor(
    private readonly client: EventBridgeClient,
    private readonly busName: string,
    private readonly source = 'segmentation.service',
  ) {}

  publish(changes: readonly SegmentChange[]): Promise<void> {
    return this.send(
      'Segment Changed',
      changes.map((change) => ({ at: change.at, detail: change })),
    );
  }

  publishPolicyAlerts(alerts: readonly PolicyAlert[]): Promise<void> {
    return this.send(
      'Policy Underperforming',
      alerts.map((alert) => ({ at: alert.checkedAt, detail: alert })),
    );
  }

  private async send(detailType: string, events: readonly { at: string; detail: unknown }[]): Promise<void> {
    for (let i = 0; i < events.length; i += MAX_ENTRIES) {
      let entries: PutEventsRequestEntry[] = events.slice(i, i + MAX_ENTRIES).map((event) => ({
        EventBusName: this.busName,
        Source: this.source,
        DetailType: detailType,
        Time: new Date(event.at),
        Detail: JSON.stringify(event.detail),
      }));
      for (let round = 0; entries.length > 0; round++) {
        if (round >= MAX_ROUNDS)
          throw new Error(`${entries.length} "${detailType}" events could not be published`);
        if (round > 0) await new Promise((r) => setTimeout(r, 50 * 2 ** round));
        const out = await this.client.send(new PutEventsCommand({ Entries: entries }));
        // Results are positional: an entry with an ErrorCode failed and is sent again.
        entries = entries.filter((_, index) => out.Entries?.[index]?.ErrorCode);
      }
    }
  }
}
