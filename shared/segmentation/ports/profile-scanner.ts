import type { Profile } from '#shared/ingestion/domain/profile';

/** Reads every profile once, split into segments that parallel workers can take. */
export interface ProfileScanner {
  scan(segment: number, totalSegments: number): AsyncIterable<Profile[]>;
  /**
   * About how many profiles there are, to decide how many segments to cut: the store's own
   * estimate (DynamoDB refreshes it about every six hours), 0 when it has none.
   */
  approximateCount(): Promise<number>;
}
