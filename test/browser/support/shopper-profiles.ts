/**
 * What both browser SDK suites check on the service's side: the shopper's profile as the read API
 * serves it, polled until the SDK's deliveries have landed, and the stitched shopper a visit
 * ends as (anonymous views and cart add, login, order, each once).
 */
import { expect } from 'vitest';
import { getProfile } from '../../support/local-service';
import type { BrowserShop } from './browser-shop';
import { waitFor } from './wait';

export const SHOE = { product_id: 'sku-shoe', category: 'Shoes', price: 50 };
export const HAT = { product_id: 'sku-hat', category: 'Hats', price: 10 };

export const shopperProfiles = (env: BrowserShop) => {
  const profileOf = async (shopperId: string) => {
    const { status, body } = await getProfile(env.service.url, shopperId);
    return status === 404 ? undefined : body;
  };

  /** Polls until the shopper's profile has at least these counts, then (queues flushed) returns it. */
  const settledProfile = async (shopperId: string, atLeast: Record<string, number>) => {
    await waitFor(`${shopperId}'s profile to reach ${JSON.stringify(atLeast)}`, async () => {
      const profile = await profileOf(shopperId);
      return profile && Object.entries(atLeast).every(([k, n]) => (profile[k] as number) >= n)
        ? true
        : undefined;
    });
    await env.relay.quiet(1_500);
    return (await profileOf(shopperId)) as Record<string, unknown>;
  };

  /**
   * The anonymous visit folded into the shopper at login (identity stitching): one profile with
   * the anonymous pages, views and cart add and the logged-in page and order, once each.
   */
  const expectStitchedShopper = async (visitor: { anonymousId: string; userId: string }) => {
    const known = await settledProfile(visitor.userId, {
      orders: 1,
      pageViews: 4,
      productViews: 2,
      cartAdds: 1,
    });
    expect(known).toMatchObject({
      anonymous: false,
      pageViews: 4,
      productViews: 2,
      cartAdds: 1,
      orders: 1,
      revenue: 50,
      merged: [visitor.anonymousId],
    });
    expect(known.traits).toMatchObject({ hasEmail: true });
  };

  /** Read again later: the order came after the first view, and the anonymous id answers for the shopper. */
  const expectAnonymousIdReadsAsShopper = async (visitor: { anonymousId: string; userId: string }) => {
    const known = (await profileOf(visitor.userId)) ?? {};
    expect(known).toMatchObject({ orders: 1, revenue: 50, productViews: 2, cartAdds: 1, pageViews: 4 });
    expect(String(known.firstSeen) < String(known.firstOrderAt)).toBe(true);
    expect(await profileOf(visitor.anonymousId)).toEqual({ ...known, asOf: expect.any(String) });
  };

  return { profileOf, settledProfile, expectStitchedShopper, expectAnonymousIdReadsAsShopper };
};
