import type { StoredRecord } from '#shared/ingestion/ports/profile-store';

/** Many shoppers' records at once (eventually consistent): what a report over a population reads. */
export interface ProfileRecords {
  /** Each found id's profile or link; unknown ids (erased shoppers) are absent. */
  getRecords(shopperIds: readonly string[]): Promise<Map<string, StoredRecord>>;
}
