import type { SegmentChange } from '#shared/segmentation/ports/assignment-store';

/** Announces segment changes to marketing tools (EventBridge in the stack, a file locally). */
export interface SegmentChangePublisher {
  publish(changes: readonly SegmentChange[]): Promise<void>;
}
