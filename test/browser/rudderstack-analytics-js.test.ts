/**
 * RudderStack's browser SDK, `@rudderstack/analytics-js` v3 from npm (its `bundled` build, which
 * loads no plugin from RudderStack's CDN), unmodified, in headless Chromium on a shop page of
 * another origin, pointed at the service by its host settings alone (data plane URL and
 * `configUrl`): it loads its source config from the service and sends each event to /v1/<type>
 * (XHR, JSON, AnonymousId and Authorization headers, `userId: ""` until login). A visitor views
 * products and adds one to the cart anonymously, logs in and orders; the first delivery of the
 * cart add is lost after the service stored it, the SDK retries, and every event is stored once.
 * With the beacon transport, a track call right before the page unloads still arrives, on
 * /beacon/v1/batch with the key in the query. A page on an origin the key does not list gets
 * nothing stored.
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { SHOP_KEY, useBrowserShop } from './support/browser-shop';
import type { Exchange } from './support/relay';
import { HAT, SHOE, shopperProfiles } from './support/shopper-profiles';
import { waitFor } from './support/wait';

const env = useBrowserShop();

interface RudderWindow {
  RudderAnalytics: new () => RudderAnalytics;
  rudderanalytics: RudderAnalytics;
}
interface RudderAnalytics {
  load(writeKey: string, dataPlaneUrl: string, options?: Record<string, unknown>): void;
  ready(callback: () => void): void;
  getAnonymousId(): string;
  [call: string]: unknown;
}

/**
 * Loads the SDK as a shop's script would (the write key, the data plane URL and the config URL,
 * both the service) and waits until it is ready: it has its source config.
 */
const loadRudderStack = (page: Page, writeKey: string, url: string, options: Record<string, unknown> = {}) =>
  page.evaluate(
    ({ writeKey, url, options }) =>
      new Promise<string>((resolve) => {
        const w = globalThis as unknown as RudderWindow;
        w.rudderanalytics = new w.RudderAnalytics();
        w.rudderanalytics.load(writeKey, url, { configUrl: url, logLevel: 'NONE', ...options });
        w.rudderanalytics.ready(() => resolve(w.rudderanalytics.getAnonymousId()));
      }),
    { writeKey, url, options },
  );

const call = (page: Page, method: string, ...args: unknown[]) =>
  page.evaluate(
    ({ method, args }) => {
      const analytics = (globalThis as unknown as RudderWindow).rudderanalytics as unknown as Record<
        string,
        (...a: unknown[]) => void
      >;
      analytics[method]?.(...args);
    },
    { method, args },
  );

const bodyOf = (exchange: Exchange) => {
  try {
    return JSON.parse(exchange.body) as Record<string, unknown>;
  } catch {
    return {};
  }
};

const deliveriesOf = (event: string) =>
  env.relay.exchanges.filter((e) => e.method === 'POST' && bodyOf(e).event === event);

/** Waits until the service has answered a delivery of the event (not one the relay lost) with 200. */
const delivered = (event: string) =>
  waitFor(`${event} to be delivered`, () =>
    deliveriesOf(event).some((e) => !e.lost && e.upstreamStatus === 200) ? true : undefined,
  );

/** Page views have no event name: count them by the page name. */
const deliveredPage = (name: string) =>
  waitFor(`page ${name} to be delivered`, () =>
    env.relay.exchanges.some(
      (e) => e.path === '/v1/page' && bodyOf(e).name === name && e.upstreamStatus === 200,
    )
      ? true
      : undefined,
  );

const { settledProfile, expectStitchedShopper, expectAnonymousIdReadsAsShopper } = shopperProfiles(env);

describe('@rudderstack/analytics-js in a shop page', () => {
  const visitor = { anonymousId: '', userId: 'rs-browser-shopper' };

  it('records an anonymous visit, a login and an order, each event once, though the cart add is retried', async () => {
    const context = await env.browser.newContext();
    const page = await context.newPage();
    const elsewhere: string[] = [];
    page.on('request', (request) => {
      const { origin } = new URL(request.url());
      if (origin !== env.shop.origin && origin !== env.relay.url) elsewhere.push(request.url());
    });
    env.relay.loseFirst((e) => e.method === 'POST' && bodyOf(e).event === 'Product Added');
    try {
      // Each page's events are delivered before the visitor moves on, as the SDK would otherwise
      // leave them in localStorage for the next page to reclaim, seconds later.
      const visit = async (path: string, name: string) => {
        await page.goto(`${env.shop.origin}/rudderstack${path}`);
        const anonymousId = await loadRudderStack(page, SHOP_KEY, env.relay.url);
        await call(page, 'page', 'Shop', name);
        await deliveredPage(name);
        return anonymousId;
      };
      visitor.anonymousId = await visit('/products/shoe', 'Shoe');
      await call(page, 'track', 'Product Viewed', SHOE);
      await delivered('Product Viewed');
      expect(await visit('/products/hat', 'Hat')).toBe(visitor.anonymousId);
      await call(page, 'track', 'Product Viewed', HAT);
      await call(page, 'track', 'Product Added', { ...SHOE, quantity: 1 });
      await delivered('Product Added');
      await visit('/account', 'Log in');
      await call(page, 'identify', visitor.userId, { email: 'shopper@example.com' });
      await waitFor('the identify call', () =>
        env.relay.exchanges.some((e) => e.path === '/v1/identify' && e.upstreamStatus === 200)
          ? true
          : undefined,
      );
      await visit('/checkout', 'Checkout');
      await call(page, 'track', 'Order Completed', {
        order_id: 'rs-browser-order-1',
        revenue: 50,
        currency: 'USD',
        products: [{ ...SHOE, quantity: 1 }],
      });
      await delivered('Order Completed');
    } finally {
      await context.close();
    }
    expect(elsewhere).toEqual([]);

    const config = env.relay.exchanges.find(
      (e) => e.method === 'GET' && e.path.startsWith('/sourceConfig/?'),
    );
    expect(config?.upstreamStatus).toBe(200);
    expect(new URL(config?.path ?? '', 'http://x').searchParams.get('writeKey')).toBe(SHOP_KEY);
    const cartAdds = deliveriesOf('Product Added');
    expect(cartAdds.map((e) => [e.path, e.lost, e.upstreamStatus])).toEqual([
      ['/v1/track', true, 200],
      ['/v1/track', false, 200],
    ]);
    const [lost, resent] = cartAdds as [Exchange, Exchange];
    expect(bodyOf(resent).messageId).toBe(bodyOf(lost).messageId);
    expect(resent.headers['rsa-retry-attempt']).toBe('1');
    // The wire format: JSON with charset, the write key as basic auth, the anonymousId as a header
    // (base64), an empty userId before login, traits under context.traits, originalTimestamp.
    expect(resent.headers['content-type']).toBe('application/json;charset=UTF-8');
    expect(resent.headers.authorization).toBe(`Basic ${Buffer.from(`${SHOP_KEY}:`).toString('base64')}`);
    expect(Buffer.from(resent.headers.anonymousid as string, 'base64').toString('utf8')).toBe(
      visitor.anonymousId,
    );
    expect(bodyOf(resent)).toMatchObject({ userId: '', anonymousId: visitor.anonymousId, channel: 'web' });
    expect(typeof bodyOf(resent).originalTimestamp).toBe('string');
    const identify = env.relay.exchanges.find((e) => e.method === 'POST' && e.path === '/v1/identify');
    expect(bodyOf(identify as Exchange)).toMatchObject({
      userId: visitor.userId,
      context: { traits: { email: 'shopper@example.com' } },
    });
    expect(lost.upstreamBody).toEqual({ success: true, accepted: 1, duplicates: 0, rejected: [] });
    expect(resent.upstreamBody).toEqual({ success: true, accepted: 1, duplicates: 1, rejected: [] });

    await expectStitchedShopper(visitor);
  });

  it('stitching: the logged-in shopper shows the order, and the anonymous views and cart add each once', async () => {
    await expectAnonymousIdReadsAsShopper(visitor);
  });

  it('delivers a track call made right before the page unloads (beacon, the key in the query)', async () => {
    const context = await env.browser.newContext();
    const page = await context.newPage();
    let anonymousId = '';
    try {
      await page.goto(`${env.shop.origin}/rudderstack/products/hat`);
      // The beacon queue holds events (up to 10, or 10 minutes) and sends them as the page goes away.
      anonymousId = await loadRudderStack(page, SHOP_KEY, env.relay.url, { useBeacon: true });
      await call(page, 'track', 'Product Viewed', HAT);
      await page.goto('about:blank');
    } finally {
      await context.close();
    }
    const profile = await settledProfile(anonymousId, { productViews: 1 });
    expect(profile).toMatchObject({ anonymous: true, productViews: 1 });
    const beacons = env.relay.exchanges.filter((e) => e.path.startsWith('/beacon/v1/batch'));
    expect(beacons).toHaveLength(1);
    const [beacon] = beacons as [Exchange];
    expect(beacon.path).toBe(`/beacon/v1/batch?writeKey=${SHOP_KEY}`);
    expect(beacon.headers.authorization).toBeUndefined();
    expect(beacon.headers['content-type']).toMatch(/^text\/plain/);
    expect(beacon.upstreamBody).toEqual({ success: true, accepted: 1, duplicates: 0, rejected: [] });
  });

  it('loads nothing and stores nothing for a page on an origin the key does not list', async () => {
    const context = await env.browser.newContext();
    const page = await context.newPage();
    const before = env.relay.exchanges.length;
    try {
      await page.goto(`${env.otherShop.origin}/rudderstack/products/shoe`);
      void loadRudderStack(page, SHOP_KEY, env.relay.url).catch(() => undefined);
      // The source config request carries the key in its query and an Authorization header, so
      // the browser asks first; the service refuses that origin for this key.
      const preflight = await waitFor('the source config preflight', () =>
        env.relay.exchanges
          .slice(before)
          .find((e) => e.method === 'OPTIONS' && e.path.startsWith('/sourceConfig')),
      );
      await env.relay.quiet(500);
      expect(preflight.upstreamStatus).toBe(403);
      expect(preflight.upstreamBody).toMatchObject({ error: 'origin_not_allowed', field: 'origin' });
      expect(env.relay.exchanges.slice(before).filter((e) => e.method !== 'OPTIONS')).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
