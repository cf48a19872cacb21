/** GET /v1/users/{userId}/profile (function `read-api`, read key): the live profile. */

import type { ProfileStore } from '#shared/ingestion/ports/profile-store';
import { readProfile } from '#shared/ingestion/usecases/read-profile/read-profile';
import type { Clock } from '#shared/kernel/ports/clock';
import type { RouteHandlers } from '../edge';
import { json } from '../responses';

export interface ProfileRouteDeps {
  readonly ports: { readonly profiles: ProfileStore; readonly clock: Clock };
}

export const profileRoutes = (deps: ProfileRouteDeps): RouteHandlers<{ group: 'profiles' }> => ({
  'GET /v1/users/{userId}/profile': {
    handle: async ({ params }) => json(200, await readProfile(params.userId, deps.ports)),
  },
});
