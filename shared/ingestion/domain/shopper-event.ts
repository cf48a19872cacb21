import type { MessageType } from '#shared/contract/message-types';
import type { Behaviour } from './behaviour';

/** A product line as the profile needs it; every field has been validated. */
export interface ProductLine {
  readonly productId?: string;
  readonly category?: string;
  readonly price?: number;
  readonly quantity: number;
}

/** Identify traits worth keeping: nothing that identifies a person (see docs/event-mapping.md, "Personal data"). */
export interface KeptTraits {
  readonly signedUpAt?: string;
  readonly country?: string;
  readonly hasEmail?: boolean;
}

/**
 * One accepted Segment message, normalised. This (not the raw payload) is what the event
 * ledger stores, so raw personal data is never persisted.
 */
export interface ShopperEvent {
  readonly messageId: string;
  readonly shopperId: string;
  readonly anonymous: boolean;
  /**
   * Other ids the message says are this shopper (its `anonymousId` beside a `userId`, an alias's
   * `previousId`): identity stitching folds their profiles into this one.
   */
  readonly links?: readonly string[];
  readonly type: MessageType;
  readonly event?: string;
  readonly behaviour: Behaviour;
  /** Behaviour time (ISO 8601, UTC): `timestamp`, else `originalTimestamp`. */
  readonly at: string;
  readonly orderId?: string;
  /** Order revenue, refund or cancellation amount, when the event carries one. */
  readonly amount?: number;
  readonly currency?: string;
  readonly discount?: number;
  readonly coupon?: string;
  /** The first MAX_PRODUCTS_PER_EVENT product lines. */
  readonly products: readonly ProductLine[];
  /**
   * Units on the product lines past MAX_PRODUCTS_PER_EVENT, whose detail is not kept. Absent
   * when no line was left out, as in every event stored before big orders were accepted.
   */
  readonly omittedUnits?: number;
  readonly traits?: KeptTraits;
}
