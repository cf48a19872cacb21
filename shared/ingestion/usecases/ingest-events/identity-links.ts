/**
 * Identity stitching's storage steps (docs/identity.md), used by the ingest use case.
 *
 * An id that turns out to be a known shopper (an anonymous id seen beside a userId, an alias's
 * previousId) is folded into that shopper once, with no transaction, in three writes:
 *   1. the known profile records the intent (`linking`), conditional on its version;
 *   2. the id's record becomes a link to the known shopper, carrying what its profile was
 *      (`folded`), conditional on the id's version, after its pending ledger entries are durable;
 *   3. the known profile folds that in, lists the id in `merged` and drops the intent, in the
 *      same conditional write that applies the request's events.
 * Whichever write of the known shopper comes next finishes an intent a crash left behind; an
 * id already in `merged` is never folded again, so a replay changes nothing. Events sent under
 * the linked id later follow the link (resolve-shopper.ts).
 */
import type { Profile } from '#shared/ingestion/domain/profile';
import type { EventLedger } from '#shared/ingestion/ports/event-ledger';
import type { ProfileStore } from '#shared/ingestion/ports/profile-store';
import type { Logger } from '#shared/kernel/ports/logger';
import { recoverPending } from './pending-recovery';
import { WriteContentionError } from './write-contention';

export type Claim =
  /** The id is now a link to the target; `folded` is what its profile held (none: it had none). */
  | { readonly kind: 'claimed'; readonly folded?: Profile }
  /** The id stays as it is: it was linked to another shopper first, or is absorbing ids itself. */
  | { readonly kind: 'refused'; readonly reason: string };

/** Step 2: turns `id` into a link to `target`, or says why not. Idempotent. */
export const claimLink = async (
  ports: { readonly profiles: ProfileStore; readonly ledger: EventLedger; readonly logger: Logger },
  target: string,
  id: string,
  options: { readonly defaultCurrency: string; readonly maxAttempts: number },
): Promise<Claim> => {
  for (let attempt = 0; attempt < options.maxAttempts; attempt++) {
    const record = await ports.profiles.getRecord(id);
    if (!record) {
      if (await ports.profiles.putLink(id, { mergedInto: target }, undefined)) return { kind: 'claimed' };
      continue;
    }
    if (record.kind === 'link')
      return record.mergedInto === target
        ? { kind: 'claimed', ...(record.folded ? { folded: record.folded } : {}) }
        : { kind: 'refused', reason: 'already linked to another shopper (the first link wins)' };
    // A profile that is itself absorbing ids is left alone: two shoppers linking each other at
    // once must not become links to each other.
    if ((record.linking?.length ?? 0) > 0)
      return { kind: 'refused', reason: 'is absorbing other ids itself' };
    // Durable first: once the id is a link, nothing writes its profile's pending entries.
    await recoverPending(id, record.pending, ports.ledger, options.defaultCurrency);
    if (await ports.profiles.putLink(id, { mergedInto: target, folded: record.profile }, record.version))
      return { kind: 'claimed', folded: record.profile };
    ports.logger.debug('linked id written meanwhile, retrying the link', { attempt });
  }
  throw new WriteContentionError('too many concurrent writes for an id being linked');
};
