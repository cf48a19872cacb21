/**
 * Use case: erase a shopper (DELETE /v1/users/{userId}, the right to erasure).
 *
 * Input: a validated shopper id; a linked id (identity stitching) erases the shopper it was folded
 * into, with every id folded into it. Output: what was removed — whether a profile existed, how many
 * ledger items (raw normalised events and order markers) and history entries were deleted.
 *
 * Steps, repeated until step 3 succeeds (at most `maxAttempts` rounds):
 *   1. read the profile (consistent): its version, or that there is none;
 *   2. delete every ledger item and every history entry of the shopper (one partition each);
 *   3. delete the profile only if its version is still the one read in 1 (or, if there was
 *      none, only while there still is none). The profile's bySegment index entry goes with it.
 *   If 3 fails, something wrote the profile meanwhile (an ingest, a segment stamp), and may have
 *   written ledger items or history after 2 deleted them: start again at 1.
 *
 * Ordering: the profile goes last because every other writer of the shopper's data writes the
 * profile first (an ingest puts the profile before its ledger items; a re-score or retrain
 * writes its history entry and then stamps the profile, and takes the entry back when there is
 * no profile to stamp). So a write that could slip in behind step 2 changes the version read in
 * step 1 and the round starts over; once step 3 succeeds, a later writer finds no profile.
 *
 * Idempotent: a retry after a partial failure (storage error → 5xx, the caller retries) deletes
 * what is left, and erasing an already erased shopper succeeds again.
 *
 * Unknown shopper: 200 with `profile: false` and zero counts, not 404. Erasure is a state ("no
 * data of this shopper is held"), not an action on an existing object: a retry after a lost
 * answer, a GDPR tool that fans a request out to every system, or a shopper who never reached
 * this service must all see success. The counts tell the caller whether anything was held; it
 * also removes leftovers (below) when the profile itself is already gone.
 *
 * Events after the erase: a later event — even a replay of a messageId received before the
 * erase — starts a fresh profile and is counted once. The ledger that made it a duplicate is
 * erased with the rest; that is what erasure means.
 *
 * The limit of "nothing remains": an ingest request in flight at the moment of step 1, whose
 * profile write came just before it, may land its ledger items (milliseconds) after step 2
 * deleted the shopper's partition. Such leftovers do not stop a fresh start (with no profile,
 * ingestion ignores ledger items; only once a later event has started a new profile would a
 * replay of exactly that in-flight message count as already received), expire with the
 * ledger's TTL (EVENT_RETENTION_DAYS) and are removed by repeating the erase: a tool that must
 * be certain repeats the DELETE a minute later.
 *
 * Not in the tables: retrain snapshots in S3 (`snapshots/`) hold a copy of every profile and are
 * not rewritten; they expire by the bucket's lifecycle rule (snapshotRetentionDays, 7 days by
 * default), which bounds how long an erased shopper survives there. A retrain that scores a
 * snapshot taken before the erase records and announces nothing for the erased shopper (there
 * is no profile to stamp). Segment-change events already published to the event bus belong to
 * their subscribers. Logs never carried the shopper's payloads and do not get the id now.
 */

import type { LedgerEraser } from '#shared/ingestion/ports/event-ledger';
import type { ProfileEraser, ProfileStore } from '#shared/ingestion/ports/profile-store';
import { WriteContentionError } from '#shared/ingestion/usecases/ingest-events/write-contention';
import { resolveShopper } from '#shared/ingestion/usecases/resolve-shopper/resolve-shopper';
import type { Logger } from '#shared/kernel/ports/logger';
import type { HistoryEraser } from '#shared/segmentation/ports/assignment-store';

export interface ErasePorts {
  readonly profiles: Pick<ProfileStore, 'get' | 'getRecord'> & ProfileEraser;
  readonly ledger: LedgerEraser;
  readonly history: HistoryEraser;
  readonly logger: Logger;
}

export interface EraseResult {
  readonly shopperId: string;
  readonly erased: {
    /** Whether a profile existed and was deleted. */
    readonly profile: boolean;
    /** Ledger items deleted: normalised events (`m#`) and order markers (`o#`). */
    readonly events: number;
    /** Segment-change history entries deleted. */
    readonly history: number;
    /** Ids folded into the shopper by identity stitching, erased with it (their links and events). */
    readonly linkedIds: number;
  };
}

/**
 * The ids that are this shopper: the one asked for, the links followed from it, and every id
 * folded into the shopper it stands for (docs/identity.md: an anonymous id's behaviour cannot
 * be told apart once folded in, so erasing any of them erases the whole shopper).
 */
const identityOf = async (shopperId: string, profiles: ErasePorts['profiles']) => {
  const { shopperId: target, stored, via } = await resolveShopper(profiles, shopperId);
  const linked = [...new Set([...via, ...(stored?.profile.merged ?? []), ...(stored?.linking ?? [])])];
  return { target, linked: linked.filter((id) => id !== target) };
};

/** A linked id: its events, history and link go; its link is deleted only while unchanged. */
const eraseLinked = async (id: string, ports: ErasePorts, maxAttempts: number): Promise<number> => {
  let events = 0;
  for (let attempt = 1; attempt <= maxAttempts; attempt++) {
    const record = await ports.profiles.getRecord(id);
    const [ledgerItems] = await Promise.all([ports.ledger.eraseShopper(id), ports.history.eraseHistory(id)]);
    events += ledgerItems;
    if (await ports.profiles.deleteIfUnchanged(id, record?.version)) return events;
  }
  throw new WriteContentionError('a linked id is being written continuously; retry the erase');
};

export const eraseShopper = async (
  requestedId: string,
  ports: ErasePorts,
  maxAttempts = 10,
): Promise<EraseResult> => {
  const { target: shopperId, linked } = await identityOf(requestedId, ports.profiles);
  let events = 0;
  let history = 0;
  for (const id of linked) events += await eraseLinked(id, ports, maxAttempts);
  for (let attempt = 1; attempt <= maxAttempts; attempt++) {
    const stored = await ports.profiles.get(shopperId);
    const [ledgerItems, historyEntries] = await Promise.all([
      ports.ledger.eraseShopper(shopperId),
      ports.history.eraseHistory(shopperId),
    ]);
    events += ledgerItems;
    history += historyEntries;
    if (await ports.profiles.deleteIfUnchanged(shopperId, stored?.version)) {
      const erased = { profile: stored !== undefined, events, history, linkedIds: linked.length };
      // Counts only: logging the id would keep it (in the logs) after the erase.
      ports.logger.info('shopper erased', { ...erased, attempts: attempt });
      return { shopperId, erased };
    }
    ports.logger.debug('profile written during the erase, starting over', { attempt });
  }
  throw new WriteContentionError('the shopper is being written continuously; retry the erase');
};
