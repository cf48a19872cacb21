/**
 * Real client traffic: the official Segment (`@segment/analytics-node`) and RudderStack
 * (`@rudderstack/rudder-sdk-node`) Node SDKs, pointed at the local service by their host
 * setting only, send identify/page/track calls; the profiles read over HTTP must show them.
 *
 * Retries: a tiny HTTP proxy sits between a client and the service and loses the answer to a
 * request after the service has processed it (503, or a reset connection). The client resends
 * the same messageIds, and each event must still be counted once. No mocks: the proxy only
 * relays real HTTP.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import RudderAnalytics from '@rudderstack/rudder-sdk-node';
import { Analytics as SegmentAnalytics } from '@segment/analytics-node';
import { describe, expect, it } from 'vitest';
import { getProfile, keys, useLocalService } from '../support/local-service';

const service = useLocalService();

// ---------------------------------------------------------------------------------------------
// The shopper script both clients replay, and what it must add up to.

interface Call {
  readonly kind: 'identify' | 'page' | 'track';
  readonly name?: string;
  readonly event?: string;
  readonly properties?: Record<string, unknown>;
  readonly traits?: Record<string, unknown>;
}

/** Shopper n (1-based) views two products, adds one to the cart, visits n + 1 pages and orders n times. */
const script = (userId: string, n: number): Call[] => {
  const calls: Call[] = [
    {
      kind: 'identify',
      traits: {
        email: `${userId}@example.com`,
        address: { country: 'DE' },
        createdAt: '2024-03-01T10:00:00.000Z',
      },
    },
  ];
  for (let i = 0; i <= n; i++)
    calls.push({ kind: 'page', name: `Page ${i}`, properties: { path: `/p/${i}` } });
  calls.push(
    {
      kind: 'track',
      event: 'Product Viewed',
      properties: { product_id: 'sku-shoe', category: 'Shoes', price: 50 },
    },
    {
      kind: 'track',
      event: 'Product Viewed',
      properties: { product_id: 'sku-hat', category: 'Hats', price: 10 },
    },
    {
      kind: 'track',
      event: 'Product Added',
      properties: { product_id: 'sku-shoe', category: 'Shoes', price: 50, quantity: 1 },
    },
  );
  for (let k = 1; k <= n; k++)
    calls.push({
      kind: 'track',
      event: 'Order Completed',
      properties: {
        order_id: `${userId}-order-${k}`,
        revenue: 70,
        currency: 'USD',
        products: [
          { product_id: 'sku-shoe', category: 'Shoes', price: 50, quantity: 1 },
          { product_id: 'sku-hat', category: 'Hats', price: 10, quantity: 2 },
        ],
      },
    });
  return calls;
};

/** The profile shopper n must end with (hand-computed from `script`). */
const expectScriptedProfile = (profile: Record<string, unknown>, n: number) => {
  expect(profile).toMatchObject({
    anonymous: false,
    orders: n,
    revenue: 70 * n,
    units: 3 * n,
    productViews: 2,
    cartAdds: 1,
    pageViews: n + 1,
    duplicateOrders: 0,
    currency: 'USD',
    traits: { hasEmail: true, country: 'DE', signedUpAt: '2024-03-01T10:00:00.000Z' },
  });
  const categories = profile.categories as { name: string }[];
  expect([...categories].sort((a, b) => a.name.localeCompare(b.name))).toEqual([
    { name: 'Hats', views: 1, cartAdds: 0, orders: n, units: 2 * n, revenue: 20 * n },
    { name: 'Shoes', views: 1, cartAdds: 1, orders: n, units: n, revenue: 50 * n },
  ]);
  const windows = profile.windows as Record<string, Record<string, number>>;
  expect(windows.last30Days).toMatchObject({
    orders: n,
    revenue: 70 * n,
    units: 3 * n,
    productViews: 2,
    cartAdds: 1,
  });
};

const expectProfiles = async (users: readonly string[]) => {
  for (const [i, userId] of users.entries()) {
    const { status, body } = await getProfile(service.url, userId);
    expect(status, `profile of ${userId}`).toBe(200);
    expectScriptedProfile(body, i + 1);
  }
};

const eventCount = (n: number) => script('x', n).length;

// ---------------------------------------------------------------------------------------------
// Clients.

const sendWithSegment = async (
  host: string,
  users: readonly string[],
  options: { maxRetries?: number } = {},
) => {
  const analytics = new SegmentAnalytics({
    writeKey: keys.writeKey,
    host,
    path: '/v1/batch',
    flushAt: 200,
    flushInterval: 60_000,
    maxRetries: options.maxRetries ?? 3,
    httpRequestTimeout: 5_000,
  });
  const errors: unknown[] = [];
  const statuses: number[] = [];
  analytics.on('error', (error) => errors.push(error));
  analytics.on('http_response', (response) => statuses.push(response.status));
  for (const [i, userId] of users.entries()) {
    for (const call of script(userId, i + 1)) {
      if (call.kind === 'identify') analytics.identify({ userId, traits: call.traits ?? {} });
      else if (call.kind === 'page')
        analytics.page({ userId, name: call.name ?? '', properties: call.properties ?? {} });
      else analytics.track({ userId, event: call.event ?? '', properties: call.properties ?? {} });
    }
  }
  await analytics.closeAndFlush({ timeout: 30_000 });
  return { errors, statuses };
};

const sendWithRudder = async (host: string, users: readonly string[]) => {
  const errors: unknown[] = [];
  const client = new RudderAnalytics(keys.writeKey, {
    dataPlaneUrl: host,
    flushAt: 200,
    flushInterval: 60_000,
    logLevel: 'none',
    retryCount: 3,
    // axios-retry's default exponential delay is seconds; the retry itself is what is tested.
    axiosRetryConfig: { retryDelay: () => 20 },
    errorHandler: (error: unknown) => errors.push(error),
  });
  for (const [i, userId] of users.entries()) {
    for (const call of script(userId, i + 1)) {
      if (call.kind === 'identify')
        client.identify({ userId, traits: call.traits as RudderAnalytics.apiObject });
      else if (call.kind === 'page')
        client.page({
          userId,
          name: call.name ?? '',
          properties: call.properties as RudderAnalytics.apiObject,
        });
      else
        client.track({
          userId,
          event: call.event ?? '',
          properties: call.properties as RudderAnalytics.apiObject,
        });
    }
  }
  // The client sends its first call at once and the rest on flush, one batch per flush.
  await new Promise<void>((resolve, reject) => {
    client.flush((error) => (error ? reject(error) : resolve())).catch(reject);
  });
  return { errors };
};

// ---------------------------------------------------------------------------------------------
// A relaying proxy that can lose answers.

type Action = 'relay' | 'lose-response' | 'reset-after-forward' | 'refuse';

interface Exchange {
  readonly action: Action;
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
  /** The service's answer, when the request was forwarded. */
  upstreamStatus?: number;
  upstreamBody?: Record<string, unknown>;
}

interface Proxy {
  readonly url: string;
  readonly exchanges: Exchange[];
  close(): Promise<void>;
}

const HOP_HEADERS = new Set(['host', 'connection', 'content-length', 'transfer-encoding', 'keep-alive']);

/** Request i gets `plan[i]` (default: relay). */
const startProxy = async (target: string, plan: readonly Action[]): Promise<Proxy> => {
  const exchanges: Exchange[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', async () => {
      const action = plan[exchanges.length] ?? 'relay';
      const exchange: Exchange = {
        action,
        method: req.method ?? 'GET',
        path: req.url ?? '/',
        headers: req.headers,
        body: Buffer.concat(chunks),
      };
      exchanges.push(exchange);
      if (action === 'refuse') {
        res.writeHead(503, { 'content-type': 'application/json' }).end('{"error":"proxy_unavailable"}');
        return;
      }
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(req.headers))
        if (value !== undefined && !HOP_HEADERS.has(name))
          headers[name] = Array.isArray(value) ? value.join(',') : value;
      try {
        const upstream = await fetch(`${target}${exchange.path}`, {
          method: exchange.method,
          headers,
          ...(exchange.body.length > 0 ? { body: exchange.body } : {}),
        });
        const text = await upstream.text();
        exchange.upstreamStatus = upstream.status;
        exchange.upstreamBody = JSON.parse(text) as Record<string, unknown>;
        if (action === 'lose-response') {
          res.writeHead(503, { 'content-type': 'application/json' }).end('{"error":"lost_response"}');
        } else if (action === 'reset-after-forward') {
          req.socket.destroy();
        } else {
          res
            .writeHead(upstream.status, {
              'content-type': upstream.headers.get('content-type') ?? 'application/json',
            })
            .end(text);
        }
      } catch {
        res.writeHead(502).end();
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    exchanges,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
};

const batchOf = (exchange: Exchange): { messageId: string; userId: string }[] => {
  const raw = exchange.headers['content-encoding'] === 'gzip' ? gunzipSync(exchange.body) : exchange.body;
  return (JSON.parse(raw.toString('utf8')) as { batch: { messageId: string; userId: string }[] }).batch;
};

const idsOf = (exchange: Exchange) => batchOf(exchange).map((m) => m.messageId);

// ---------------------------------------------------------------------------------------------

describe('@segment/analytics-node against the service', () => {
  it('delivers identify, page and track calls for three shoppers in one batch, counted in their profiles', async () => {
    const proxy = await startProxy(service.url, []);
    const users = ['seg-alice', 'seg-bob', 'seg-carol'];
    try {
      const { errors, statuses } = await sendWithSegment(proxy.url, users);
      expect(errors).toEqual([]);
      expect(statuses).toEqual([200]);
      expect(proxy.exchanges).toHaveLength(1);
      const [exchange] = proxy.exchanges;
      if (!exchange) throw new Error('no request reached the proxy');
      // The wire format the service was built for: plain JSON, basic auth, writeKey also in the body.
      expect(exchange.method).toBe('POST');
      expect(exchange.path).toBe('/v1/batch');
      expect(exchange.headers['content-type']).toBe('application/json');
      expect(exchange.headers.authorization).toBe(
        `Basic ${Buffer.from(`${keys.writeKey}:`).toString('base64')}`,
      );
      const total = eventCount(1) + eventCount(2) + eventCount(3);
      expect(batchOf(exchange)).toHaveLength(total);
      expect(exchange.upstreamBody).toEqual({ success: true, accepted: total, duplicates: 0, rejected: [] });
    } finally {
      await proxy.close();
    }
    await expectProfiles(users);
  });

  it('resends the same messageIds after a lost 503 answer and a reset connection; every event counts once', async () => {
    // Request 1 reaches the service but its answer is replaced by a 503; the resend reaches it
    // too but the connection is cut before the answer; the third delivery gets the answer.
    const proxy = await startProxy(service.url, ['lose-response', 'reset-after-forward']);
    const users = ['seg-retry-1', 'seg-retry-2'];
    try {
      const { errors, statuses } = await sendWithSegment(proxy.url, users, { maxRetries: 4 });
      expect(errors).toEqual([]);
      expect(statuses).toEqual([503, 200]);
      expect(proxy.exchanges.map((e) => e.action)).toEqual(['lose-response', 'reset-after-forward', 'relay']);
      const [first, second, third] = proxy.exchanges;
      if (!first || !second || !third) throw new Error('expected three deliveries');
      const total = eventCount(1) + eventCount(2);
      expect(idsOf(first)).toHaveLength(total);
      expect(idsOf(second)).toEqual(idsOf(first));
      expect(idsOf(third)).toEqual(idsOf(first));
      expect(second.headers['x-retry-count']).toBe('1');
      expect(third.headers['x-retry-count']).toBe('2');
      // Every delivery reached the service; only the first was applied.
      expect(first.upstreamBody).toEqual({ success: true, accepted: total, duplicates: 0, rejected: [] });
      expect(second.upstreamBody).toEqual({
        success: true,
        accepted: total,
        duplicates: total,
        rejected: [],
      });
      expect(third.upstreamBody).toEqual({ success: true, accepted: total, duplicates: total, rejected: [] });
    } finally {
      await proxy.close();
    }
    await expectProfiles(users);
  });

  it('retries a 503 from an unreachable upstream (not forwarded) and then delivers once', async () => {
    const proxy = await startProxy(service.url, ['refuse']);
    const users = ['seg-refused'];
    try {
      const { errors, statuses } = await sendWithSegment(proxy.url, users);
      expect(errors).toEqual([]);
      expect(statuses).toEqual([503, 200]);
      expect(proxy.exchanges.map((e) => e.upstreamStatus)).toEqual([undefined, 200]);
    } finally {
      await proxy.close();
    }
    await expectProfiles(users);
  });
});

describe('@rudderstack/rudder-sdk-node against the service', () => {
  it('delivers its gzip bodies (labelled form-urlencoded) and every call shows in the profiles', async () => {
    const proxy = await startProxy(service.url, []);
    const users = ['rud-alice', 'rud-bob', 'rud-carol'];
    try {
      const { errors } = await sendWithRudder(proxy.url, users);
      expect(errors).toEqual([]);
      expect(proxy.exchanges.length).toBeGreaterThanOrEqual(1);
      for (const exchange of proxy.exchanges) {
        expect(exchange.path).toBe('/v1/batch');
        expect(exchange.headers['content-encoding']).toBe('gzip');
        expect(exchange.headers['content-type']).toMatch(/^application\/x-www-form-urlencoded/);
        expect(exchange.headers.authorization).toBe(
          `Basic ${Buffer.from(`${keys.writeKey}:`).toString('base64')}`,
        );
        expect(exchange.upstreamStatus).toBe(200);
        expect(exchange.upstreamBody).toMatchObject({ success: true, duplicates: 0, rejected: [] });
      }
      const delivered = proxy.exchanges.flatMap(idsOf);
      expect(delivered).toHaveLength(eventCount(1) + eventCount(2) + eventCount(3));
      expect(new Set(delivered).size).toBe(delivered.length);
    } finally {
      await proxy.close();
    }
    await expectProfiles(users);
  });

  it('resends after a lost 503 answer and after a reset connection; every event counts once', async () => {
    // The client sends its first call alone and the rest on flush: lose the answer to the first
    // delivery of each, in two different ways.
    const proxy = await startProxy(service.url, ['lose-response', 'relay', 'reset-after-forward', 'relay']);
    const users = ['rud-retry-1', 'rud-retry-2'];
    try {
      const { errors } = await sendWithRudder(proxy.url, users);
      expect(errors).toEqual([]);
      expect(proxy.exchanges.map((e) => e.action)).toEqual([
        'lose-response',
        'relay',
        'reset-after-forward',
        'relay',
      ]);
      const [lost, resent, cut, resentAgain] = proxy.exchanges;
      if (!lost || !resent || !cut || !resentAgain) throw new Error('expected four deliveries');
      expect(idsOf(resent)).toEqual(idsOf(lost));
      expect(idsOf(resentAgain)).toEqual(idsOf(cut));
      const first = idsOf(lost).length;
      const rest = idsOf(cut).length;
      expect(first + rest).toBe(eventCount(1) + eventCount(2));
      expect(lost.upstreamBody).toEqual({ success: true, accepted: first, duplicates: 0, rejected: [] });
      expect(resent.upstreamBody).toEqual({
        success: true,
        accepted: first,
        duplicates: first,
        rejected: [],
      });
      expect(cut.upstreamBody).toEqual({ success: true, accepted: rest, duplicates: 0, rejected: [] });
      expect(resentAgain.upstreamBody).toEqual({
        success: true,
        accepted: rest,
        duplicates: rest,
        rejected: [],
      });
    } finally {
      await proxy.close();
    }
    await expectProfiles(users);
  });
});

describe('both clients for one shopper', () => {
  it('adds up Segment and RudderStack traffic for the same userId, with replays of both deduplicated', async () => {
    const userId = 'both-clients';
    await sendWithSegment(service.url, [userId]);
    await sendWithRudder(service.url, [userId]);
    // Different SDKs mint different messageIds, so views, pages and cart adds count twice; but
    // both reported order `both-clients-order-1`, and an order id counts once.
    const { status, body } = await getProfile(service.url, userId);
    expect(status).toBe(200);
    expect(body).toMatchObject({
      pageViews: 4,
      productViews: 4,
      cartAdds: 2,
      orders: 1,
      duplicateOrders: 1,
      revenue: 70,
      units: 3,
    });
  });
});
