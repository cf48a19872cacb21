/**
 * Use case: read a shopper's live profile.
 * Input: shopper id (a linked anonymous id answers for its shopper). Output: the profile with lifetime and windowed figures as of the clock's
 * now, or ProfileNotFoundError.
 */

import {
  activeDays,
  type Profile,
  type WINDOWS,
  type WindowFigures,
  windowFigures,
} from '#shared/ingestion/domain/profile';
import type { ProfileStore } from '#shared/ingestion/ports/profile-store';
import { resolveShopper } from '#shared/ingestion/usecases/resolve-shopper/resolve-shopper';
import { roundMoney } from '#shared/kernel/money';
import type { Clock } from '#shared/kernel/ports/clock';

export class ProfileNotFoundError extends Error {
  override readonly name = 'ProfileNotFoundError';
}

export interface ProfileView
  extends Omit<Profile, 'days' | 'archivedDays' | 'archivedOrderDays' | 'firstOrderDayRevenue'> {
  readonly asOf: string;
  readonly netRevenue: number;
  readonly averageOrderValue: number | null;
  readonly activeDays: number;
  readonly distinctProducts: number;
  readonly windows: Record<`last${(typeof WINDOWS)[number]}Days`, WindowFigures>;
}

export const profileView = (profile: Profile, asOf: Date): ProfileView => {
  const {
    days: _days,
    archivedDays: _archived,
    archivedOrderDays: _archivedOrders,
    firstOrderDayRevenue: _firstDay,
    ...rest
  } = profile;
  const pricedOrders =
    profile.orders - Object.values(profile.otherCurrencies).reduce((n, c) => n + c.orders, 0);
  return {
    ...rest,
    asOf: asOf.toISOString(),
    netRevenue: roundMoney(profile.revenue - profile.refundAmount),
    averageOrderValue: pricedOrders > 0 ? roundMoney(profile.revenue / pricedOrders) : null,
    activeDays: activeDays(profile),
    distinctProducts: profile.purchasedProducts.length,
    windows: {
      last30Days: windowFigures(profile, asOf, 30),
      last90Days: windowFigures(profile, asOf, 90),
      last365Days: windowFigures(profile, asOf, 365),
    },
  };
};

export const readProfile = async (
  shopperId: string,
  ports: { profiles: Pick<ProfileStore, 'getRecord'>; clock: Clock },
): Promise<ProfileView> => {
  // A linked id (identity stitching) reads as the shopper it was folded into.
  const { stored } = await resolveShopper(ports.profiles, shopperId);
  if (!stored) throw new ProfileNotFoundError(`no profile for shopper "${shopperId}"`);
  return profileView(stored.profile, ports.clock.now());
};
