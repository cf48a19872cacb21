/**
 * Use case: the live shopper an id stands for. An id folded into another shopper by identity
 * stitching (docs/identity.md) is a link; ingestion, lookups, profile reads, history and erasure
 * all follow it, so a linked anonymous id answers for the shopper it became.
 */
import type { ProfileStore, StoredProfile } from '#shared/ingestion/ports/profile-store';

/** Links followed from an id to its shopper: a chain this long means a cycle or corrupt data. */
export const MAX_LINK_HOPS = 8;

export class LinkChainError extends Error {
  override readonly name = 'LinkChainError';
}

export interface ResolvedShopper {
  /** The live shopper the id stands for (the id itself when it is not linked). */
  readonly shopperId: string;
  readonly stored: StoredProfile | undefined;
  /** The linked ids followed to get there, in order (their partitions hold their earlier events). */
  readonly via: readonly string[];
}

/** Follows an id's links to the shopper it stands for. */
export const resolveShopper = async (
  profiles: Pick<ProfileStore, 'getRecord'>,
  shopperId: string,
): Promise<ResolvedShopper> => {
  const via: string[] = [];
  let id = shopperId;
  for (let hop = 0; hop <= MAX_LINK_HOPS; hop++) {
    const record = await profiles.getRecord(id);
    if (record?.kind !== 'link') return { shopperId: id, stored: record, via };
    via.push(id);
    if (via.includes(record.mergedInto)) break;
    id = record.mergedInto;
  }
  throw new LinkChainError(
    `the links from one shopper id form a chain longer than ${MAX_LINK_HOPS} or a cycle`,
  );
};
