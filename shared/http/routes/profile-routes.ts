/** GET /v1/users/{userId}/profile (function `read-api`, read key): the live profile. */
import type { Clock } from '../../ports/clock';
import type { ProfileStore } from '../../ports/profile-store';
import { readProfile } from '../../usecases/read-profile';
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
