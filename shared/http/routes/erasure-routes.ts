/**
 * DELETE /v1/users/{userId} (function `admin`, admin key): erase the shopper's profile, raw events
 * (ledger) and segment history; snapshots age out by the bucket's lifecycle rule. 200 with what was
 * removed, also for an unknown or already erased id (see shared/privacy/usecases/erase-shopper/erase-shopper.ts).
 */
import { type ErasePorts, eraseShopper } from '#shared/privacy/usecases/erase-shopper/erase-shopper';
import type { RouteHandlers } from '../edge';
import { json } from '../responses';

export interface ErasureRouteDeps {
  readonly erase: Omit<ErasePorts, 'logger'>;
}

export const erasureRoutes = (deps: ErasureRouteDeps): RouteHandlers<{ group: 'erasure' }> => ({
  'DELETE /v1/users/{userId}': {
    handle: async ({ params, logger }) =>
      json(200, await eraseShopper(params.userId, { ...deps.erase, logger })),
  },
});
