import type { ShopperEvent } from '../domain/shopper-event';

/**
 * A durable record of an accepted event (`m#<messageId>`) or a completed order (`o#<orderId>`).
 * A `receipt` records an event applied by a delivery that never completed and was not sent
 * again: the key is known, the normalised event is not.
 */
export type LedgerItem =
  | { readonly kind: 'event'; readonly shopperId: string; readonly key: string; readonly event: ShopperEvent }
  | { readonly kind: 'receipt'; readonly shopperId: string; readonly key: string }
  | {
      readonly kind: 'order';
      readonly shopperId: string;
      readonly key: string;
      readonly messageId: string;
      readonly at: string;
      readonly amount: number;
      readonly currency: string;
    };

export interface EventLedger {
  /** Strongly consistent: which of these keys exist for the shopper, with their items. */
  find(shopperId: string, keys: readonly string[]): Promise<Map<string, LedgerItem>>;
  /**
   * The same across several shoppers' partitions (a stitched shopper's events were recorded
   * under the ids they came with): a key found in any of them, with the first partition's item.
   */
  findIn(shopperIds: readonly string[], keys: readonly string[]): Promise<Map<string, LedgerItem>>;
  /** Writes the items (idempotent: the same key always gets the same content). */
  write(items: readonly LedgerItem[]): Promise<void>;
  /** Writes each item whose key does not exist yet; an existing item is kept as it is. */
  writeMissing(items: readonly LedgerItem[]): Promise<void>;
}

/** Erasure: kept apart so that only the admin function holds it. */
export interface LedgerEraser {
  /** Deletes every ledger item of the shopper (events and order markers); returns how many. */
  eraseShopper(shopperId: string): Promise<number>;
}

export const eventKey = (messageId: string): string => `m#${messageId}`;
export const orderKey = (orderId: string): string => `o#${orderId}`;
