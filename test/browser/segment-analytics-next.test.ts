/**
 * Segment's browser SDK, `@segment/analytics-next` from npm, unmodified, in headless Chromium on
 * a shop page of another origin, pointed at the service by its host setting alone (`cdnURL`):
 * it loads its settings from the service, which send it to the service's /v1/t, /v1/p, … and
 * /v1/b. A visitor views products and adds one to the cart anonymously, logs in (identify) and
 * orders; the first delivery of the cart add is lost after the service stored it (the relay
 * answers 503), so the SDK retries, and every event is still stored once. A track call right
 * before the page unloads still arrives (keepalive batch), and a page on an origin the key does
 * not list gets nothing stored.
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { SHOP_KEY, useBrowserShop } from './support/browser-shop';
import type { Exchange } from './support/relay';
import { HAT, SHOE, shopperProfiles } from './support/shopper-profiles';
import { waitFor } from './support/wait';

const env = useBrowserShop();

interface SegmentLoadOptions {
  readonly writeKey: string;
  readonly cdnURL: string;
  readonly integrations?: Record<string, unknown>;
}

/** Loads analytics-next in the page as a shop's script would: the write key and the service's URL. */
const loadSegment = (page: Page, options: SegmentLoadOptions) =>
  page.evaluate(async ({ writeKey, cdnURL, integrations }) => {
    const w = globalThis as unknown as {
      AnalyticsBrowser: { load: (settings: unknown, options?: unknown) => unknown };
      analytics: unknown;
    };
    w.analytics = w.AnalyticsBrowser.load({ writeKey, cdnURL }, integrations ? { integrations } : {});
  }, options);

/** Runs a call on the page's `analytics` and waits until the SDK has dispatched it. */
const call = (page: Page, method: string, ...args: unknown[]) =>
  page.evaluate(
    async ({ method, args }) => {
      const analytics = (
        globalThis as unknown as { analytics: Record<string, (...a: unknown[]) => Promise<unknown>> }
      ).analytics;
      await analytics[method]?.(...args);
    },
    { method, args },
  );

const anonymousIdOf = (page: Page) =>
  page.evaluate(async () => {
    const analytics = (globalThis as unknown as { analytics: { user(): Promise<{ anonymousId(): string }> } })
      .analytics;
    return (await analytics.user()).anonymousId();
  });

const bodyOf = (exchange: Exchange) => {
  try {
    return JSON.parse(exchange.body) as Record<string, unknown>;
  } catch {
    return {};
  }
};

/** The service's answers to every delivery of one event, by its messageId. */
const deliveriesOf = (exchanges: readonly Exchange[], event: string) =>
  exchanges.filter((e) => e.method === 'POST' && bodyOf(e).event === event);

const { profileOf, settledProfile, expectStitchedShopper, expectAnonymousIdReadsAsShopper } =
  shopperProfiles(env);

describe('@segment/analytics-next in a shop page', () => {
  const visitor = { anonymousId: '', userId: 'seg-browser-shopper' };

  it('records an anonymous visit, a login and an order, each event once, though the cart add is retried', async () => {
    const context = await env.browser.newContext();
    const page = await context.newPage();
    // Every request the page makes goes to the shop's site or to the service: nothing else.
    const elsewhere: string[] = [];
    page.on('request', (request) => {
      const { origin } = new URL(request.url());
      if (origin !== env.shop.origin && origin !== env.relay.url) elsewhere.push(request.url());
    });
    env.relay.loseFirst((e) => e.method === 'POST' && bodyOf(e).event === 'Product Added');
    try {
      const visit = async (path: string, title: string) => {
        await page.goto(`${env.shop.origin}/segment${path}`);
        await loadSegment(page, { writeKey: SHOP_KEY, cdnURL: env.relay.url });
        await call(page, 'page', 'Shop', title);
      };
      await visit('/products/shoe', 'Shoe');
      visitor.anonymousId = await anonymousIdOf(page);
      await call(page, 'track', 'Product Viewed', SHOE);
      await visit('/products/hat', 'Hat');
      expect(await anonymousIdOf(page)).toBe(visitor.anonymousId);
      await call(page, 'track', 'Product Viewed', HAT);
      await call(page, 'track', 'Product Added', { ...SHOE, quantity: 1 });
      // The SDK resends the lost delivery after its backoff; wait for the resend's answer.
      await waitFor('the resent cart add', () =>
        deliveriesOf(env.relay.exchanges, 'Product Added').some((e) => !e.lost && e.upstreamStatus === 200)
          ? true
          : undefined,
      );
      await visit('/account', 'Log in');
      await call(page, 'identify', visitor.userId, { email: 'shopper@example.com' });
      await visit('/checkout', 'Checkout');
      await call(page, 'track', 'Order Completed', {
        order_id: 'seg-browser-order-1',
        revenue: 50,
        currency: 'USD',
        products: [{ ...SHOE, quantity: 1 }],
      });
    } finally {
      await context.close();
    }
    expect(elsewhere).toEqual([]);

    // The wire format: settings from the service, events on the short paths, the key as basic auth.
    const settings = env.relay.exchanges.find((e) => e.path === `/v1/projects/${SHOP_KEY}/settings`);
    expect(settings?.upstreamStatus).toBe(200);
    const cartAdds = deliveriesOf(env.relay.exchanges, 'Product Added');
    expect(cartAdds.map((e) => [e.path, e.lost, e.upstreamStatus])).toEqual([
      ['/v1/t', true, 200],
      ['/v1/t', false, 200],
    ]);
    const [lost, resent] = cartAdds as [Exchange, Exchange];
    expect(bodyOf(resent).messageId).toBe(bodyOf(lost).messageId);
    expect(resent.headers['x-retry-count']).toBe('1');
    expect(resent.headers.authorization).toBe(`Basic ${Buffer.from(`${SHOP_KEY}:`).toString('base64')}`);
    expect(resent.headers['content-type']).toMatch(/^text\/plain/);
    expect(resent.headers.origin).toBe(env.shop.origin);
    // The service stored the first delivery and recognised the resend.
    expect(lost.upstreamBody).toEqual({ success: true, accepted: 1, duplicates: 0, rejected: [] });
    expect(resent.upstreamBody).toEqual({ success: true, accepted: 1, duplicates: 1, rejected: [] });

    await expectStitchedShopper(visitor);
  });

  it('stitching: the logged-in shopper shows the order, and the anonymous views and cart add each once', async () => {
    await expectAnonymousIdReadsAsShopper(visitor);
  });

  it('delivers a track call made right before the page unloads (batched, sent with keepalive)', async () => {
    const context = await env.browser.newContext();
    const page = await context.newPage();
    let anonymousId = '';
    try {
      await page.goto(`${env.shop.origin}/segment/products/hat`);
      await loadSegment(page, {
        writeKey: SHOP_KEY,
        cdnURL: env.relay.url,
        // Batching holds events (here for a minute) and sends them when the page goes away.
        integrations: {
          'Segment.io': { deliveryStrategy: { strategy: 'batching', config: { size: 50, timeout: 60_000 } } },
        },
      });
      anonymousId = await anonymousIdOf(page);
      await call(page, 'track', 'Product Viewed', HAT);
      await page.goto('about:blank');
    } finally {
      await context.close();
    }
    const profile = await settledProfile(anonymousId, { productViews: 1 });
    expect(profile).toMatchObject({ anonymous: true, productViews: 1 });
    // One batch, sent as the page went away (its preflight aside): nothing was due before.
    const batch = env.relay.exchanges.filter((e) => e.method === 'POST' && e.path === '/v1/b');
    expect(batch).toHaveLength(1);
    expect(batch[0]?.upstreamBody).toEqual({ success: true, accepted: 1, duplicates: 0, rejected: [] });
  });

  it('loads nothing and stores nothing for a page on an origin the key does not list', async () => {
    const context = await env.browser.newContext();
    const page = await context.newPage();
    const before = env.relay.exchanges.length;
    try {
      await page.goto(`${env.otherShop.origin}/segment/products/shoe`);
      const failure = await page.evaluate(
        async ({ writeKey, cdnURL }) => {
          const w = globalThis as unknown as {
            AnalyticsBrowser: { load: (settings: unknown) => Promise<unknown> };
          };
          try {
            await w.AnalyticsBrowser.load({ writeKey, cdnURL });
            return 'loaded';
          } catch (error) {
            return String(error);
          }
        },
        { writeKey: SHOP_KEY, cdnURL: env.relay.url },
      );
      expect(failure).not.toBe('loaded');
      // The same request a script on that page could send by hand: refused, and readable as such
      // there (the page is a shop's), so an SDK would not retry it.
      const answer = await page.evaluate(
        async ({ url, key }) => {
          const res = await fetch(`${url}/v1/t`, {
            method: 'POST',
            headers: { 'content-type': 'text/plain', authorization: `Basic ${btoa(`${key}:`)}` },
            body: JSON.stringify({
              type: 'track',
              event: 'Product Viewed',
              anonymousId: 'foreign-page-visitor',
              timestamp: new Date().toISOString(),
              properties: { product_id: 'sku-shoe' },
            }),
          });
          return { status: res.status, body: await res.json() };
        },
        { url: env.relay.url, key: SHOP_KEY },
      );
      expect(answer).toEqual({
        status: 403,
        body: {
          error: 'origin_not_allowed',
          message: `the origin ${env.otherShop.origin} is not allowed for this write key`,
          field: 'origin',
        },
      });
    } finally {
      await context.close();
    }
    const settings = env.relay.exchanges.slice(before).find((e) => e.path.endsWith('/settings'));
    expect(settings?.upstreamStatus).toBe(403);
    expect(await profileOf('foreign-page-visitor')).toBeUndefined();
  });
});
