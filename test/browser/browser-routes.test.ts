/**
 * The browser-facing routes over HTTP, against the real local runtime: analytics-next's settings
 * and RudderStack's source config per write key, CORS preflight per key and origin, the beacon
 * path and the short Segment paths storing what /v1/batch and /v1/track store, and hostile or
 * refused requests answered with a JSON 4xx naming the field or origin, with nothing stored.
 * Requests carry an Origin header as a browser would; Node's fetch sends none on its own, which
 * is what a server-side client looks like.
 */
import { describe, expect, it } from 'vitest';
import { basicAuth, getProfile, keys, useLocalService } from '../support/local-service';

const SHOP = 'https://shop.example';
const WWW_SHOP = 'https://www.shop.example';
const OTHER_SHOP = 'https://other.example';
const SHOP_KEY = 'shop-browser-key';
const OTHER_KEY = 'other-browser-key';

const service = useLocalService({
  browserKeys: { [SHOP_KEY]: [SHOP, WWW_SHOP], [OTHER_KEY]: [OTHER_SHOP] },
});

interface Answer {
  readonly status: number;
  readonly headers: Headers;
  readonly body: Record<string, unknown>;
}

const send = async (
  method: string,
  path: string,
  init: { headers?: Record<string, string>; body?: string } = {},
): Promise<Answer> => {
  const res = await fetch(`${service.url}${path}`, {
    method,
    headers: init.headers ?? {},
    ...(init.body === undefined ? {} : { body: init.body }),
  });
  const text = await res.text();
  return {
    status: res.status,
    headers: res.headers,
    body: text ? (JSON.parse(text) as Record<string, unknown>) : {},
  };
};

const message = (anonymousId: string, extra: Record<string, unknown> = {}) => ({
  type: 'track',
  event: 'Product Viewed',
  anonymousId,
  messageId: `${anonymousId}-${Math.random().toString(36).slice(2)}`,
  timestamp: new Date().toISOString(),
  properties: { product_id: 'sku-1', category: 'Hats', price: 10 },
  ...extra,
});

/** What analytics-next sends: JSON as text/plain, the key as basic auth and in the body. */
const segmentPost = (path: string, body: unknown, key = SHOP_KEY, origin: string | null = SHOP) =>
  send('POST', path, {
    headers: {
      'content-type': 'text/plain',
      authorization: basicAuth(key),
      ...(origin ? { origin } : {}),
    },
    body: JSON.stringify({ ...(body as object), writeKey: key }),
  });

const expectRefusedOrigin = (answer: Answer, origin: string) => {
  expect(answer.status).toBe(403);
  expect(answer.headers.get('content-type')).toMatch(/^application\/json/);
  expect(answer.body).toEqual({
    error: 'origin_not_allowed',
    message: `the origin ${origin} is not allowed for this write key`,
    field: 'origin',
  });
};

const profileStatus = async (shopperId: string) => (await getProfile(service.url, shopperId)).status;

describe("analytics-next's settings", () => {
  it('answers a known browser key with the Segment.io destination pointed at this host, cacheable, for its origin', async () => {
    const answer = await send('GET', `/v1/projects/${SHOP_KEY}/settings`, { headers: { origin: SHOP } });
    expect(answer.status).toBe(200);
    const host = new URL(service.url).host;
    expect(answer.body).toEqual({
      integrations: {
        'Segment.io': {
          apiKey: SHOP_KEY,
          apiHost: `${host}/v1`,
          protocol: 'http',
          unbundledIntegrations: [],
          addBundledMetadata: true,
          maybeBundledConfigIds: {},
        },
      },
      plan: {},
      middlewareSettings: {},
      enabledMiddleware: {},
      remotePlugins: [],
      legacyVideoPluginsEnabled: false,
      metrics: { sampleRate: 0 },
    });
    expect(answer.headers.get('cache-control')).toBe('public, max-age=300');
    expect(answer.headers.get('access-control-allow-origin')).toBe(SHOP);
    expect(answer.headers.get('vary')).toBe('origin');
  });

  it('points at the host a proxy names (X-Forwarded-Host, -Proto)', async () => {
    const answer = await send('GET', `/v1/projects/${SHOP_KEY}/settings`, {
      headers: { 'x-forwarded-host': 'track.shop.example', 'x-forwarded-proto': 'https' },
    });
    expect(answer.body.integrations).toMatchObject({
      'Segment.io': { apiHost: 'track.shop.example/v1', protocol: 'https' },
    });
  });

  it('answers 400 naming the host for a Host that is not a host name', async () => {
    const answer = await send('GET', `/v1/projects/${SHOP_KEY}/settings`, {
      headers: { 'x-forwarded-host': 'evil.example/path?x=<script>' },
    });
    expect(answer.status).toBe(400);
    expect(answer.body).toMatchObject({ error: 'bad_request', field: 'host' });
  });

  it('answers 404 JSON for an unknown key and 403 naming the origin for a page the key does not list', async () => {
    const unknown = await send('GET', '/v1/projects/no-such-key/settings', { headers: { origin: SHOP } });
    expect(unknown.status).toBe(404);
    expect(unknown.body).toEqual({ error: 'not_found', message: 'no project has this write key' });
    expectRefusedOrigin(
      await send('GET', `/v1/projects/${SHOP_KEY}/settings`, { headers: { origin: OTHER_SHOP } }),
      OTHER_SHOP,
    );
    // The server-side write key is not for pages.
    expectRefusedOrigin(
      await send('GET', `/v1/projects/${keys.writeKey}/settings`, { headers: { origin: SHOP } }),
      SHOP,
    );
  });
});

describe("RudderStack's source config", () => {
  const path = `/sourceConfig/?p=npm&v=3.34.1&build=modern&writeKey=${SHOP_KEY}&lockIntegrationsVersion=true&lockPluginsVersion=true`;

  it('answers an enabled source without destinations, for the key in the query or as basic auth', async () => {
    const asked: Record<string, string>[] = [
      { origin: WWW_SHOP },
      { origin: WWW_SHOP, authorization: basicAuth(SHOP_KEY) },
    ];
    for (const headers of asked) {
      const answer = await send('GET', path, { headers });
      expect(answer.status).toBe(200);
      expect(answer.body).toEqual({
        source: {
          id: 'segmentation-service',
          name: 'Segmentation service',
          enabled: true,
          config: {},
          destinations: [],
        },
      });
      expect(answer.headers.get('access-control-allow-origin')).toBe(WWW_SHOP);
      expect(answer.headers.get('cache-control')).toBe('public, max-age=300');
    }
  });

  it('answers 401 JSON without a known key and 403 for an origin the key does not list', async () => {
    const unknown = await send('GET', '/sourceConfig/?writeKey=nope', { headers: { origin: SHOP } });
    expect(unknown.status).toBe(401);
    expect(unknown.body).toMatchObject({ error: 'unauthorized' });
    expect(unknown.headers.get('www-authenticate')).toBe('Basic realm="segmentation"');
    expect((await send('GET', '/sourceConfig/', { headers: { origin: SHOP } })).status).toBe(401);
    expectRefusedOrigin(await send('GET', path, { headers: { origin: OTHER_SHOP } }), OTHER_SHOP);
  });
});

describe('CORS preflight', () => {
  const preflight = (path: string, origin: string, requestHeaders = 'authorization,content-type') =>
    send('OPTIONS', path, {
      headers: {
        origin,
        'access-control-request-method': 'POST',
        'access-control-request-headers': requestHeaders,
      },
    });

  it('allows the headers both SDKs send, for the origins of every browser key', async () => {
    for (const [path, origin] of [
      ['/v1/t', SHOP],
      ['/v1/b', WWW_SHOP],
      ['/v1/track', OTHER_SHOP],
      ['/v1/batch', SHOP],
    ] as const) {
      const answer = await preflight(path, origin);
      expect(answer.status, `${path} from ${origin}`).toBe(204);
      expect(answer.headers.get('access-control-allow-origin')).toBe(origin);
      expect(answer.headers.get('access-control-allow-methods')).toContain('POST');
      expect(answer.headers.get('vary')).toBe('origin');
      const allowed = (answer.headers.get('access-control-allow-headers') ?? '').split(',');
      expect(allowed).toEqual(
        expect.arrayContaining([
          'authorization',
          'content-type',
          'x-retry-count',
          'anonymousid',
          'sentat',
          'rsa-recovered',
          'rsa-retry-attempt',
          'rsa-since-last-attempt',
          'rsa-since-first-attempt',
          'rsa-retry-reason',
        ]),
      );
    }
  });

  it('answers, where the URL names the key, only that key’s origins', async () => {
    const config = '/sourceConfig/?writeKey=';
    expect((await preflight(`${config}${SHOP_KEY}`, SHOP)).status).toBe(204);
    expectRefusedOrigin(await preflight(`${config}${SHOP_KEY}`, OTHER_SHOP), OTHER_SHOP);
    expect((await preflight(`${config}${OTHER_KEY}`, OTHER_SHOP)).status).toBe(204);
    expectRefusedOrigin(await preflight(`${config}${keys.writeKey}`, SHOP), SHOP);
    expectRefusedOrigin(await preflight(`${config}unknown`, SHOP), SHOP);
  });

  it('refuses an origin no browser key lists, with no CORS grant', async () => {
    const answer = await preflight('/v1/t', 'https://evil.example');
    expectRefusedOrigin(answer, 'https://evil.example');
    expect(answer.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('still allows any origin on the read routes', async () => {
    const answer = await preflight('/v1/users/someone/profile', 'https://dashboard.example');
    expect(answer.status).toBe(204);
    expect(answer.headers.get('access-control-allow-origin')).toBe('*');
  });
});

describe('events on the browser paths', () => {
  it('stores a message on each short Segment path as its type, and a batch on /v1/b', async () => {
    const visitor = 'short-paths-visitor';
    for (const [path, extra] of [
      ['/v1/t', { event: 'Product Added' }],
      ['/v1/p', { type: undefined, event: undefined, name: 'Home' }],
      ['/v1/i', { type: undefined, event: undefined, traits: { email: 'v@example.com' } }],
      ['/v1/g', { type: undefined, event: undefined, groupId: 'g-1' }],
      ['/v1/a', { type: undefined, event: undefined, previousId: 'before' }],
      ['/v1/s', { type: undefined, event: undefined, name: 'Cart' }],
    ] as const) {
      const answer = await segmentPost(path, message(visitor, extra));
      expect(answer.status, path).toBe(200);
      expect(answer.body).toEqual({ success: true, accepted: 1, duplicates: 0, rejected: [] });
      expect(answer.headers.get('access-control-allow-origin')).toBe(SHOP);
    }
    const batch = { batch: [message(visitor), message(visitor)], sentAt: new Date().toISOString() };
    expect((await segmentPost('/v1/b', batch)).body).toMatchObject({ accepted: 2, duplicates: 0 });
    const { body } = await getProfile(service.url, visitor);
    expect(body).toMatchObject({ cartAdds: 1, pageViews: 2, productViews: 2 });
  });

  it('stores a RudderStack beacon batch (text/plain, the key in the query, no Authorization), once', async () => {
    const visitor = 'beacon-visitor';
    const body = JSON.stringify({
      batch: [
        message(visitor, {
          userId: '',
          event: 'Product Viewed',
          channel: 'web',
          timestamp: undefined,
          originalTimestamp: new Date().toISOString(),
        }),
      ],
      sentAt: new Date().toISOString(),
    });
    const beacon = () =>
      send('POST', `/beacon/v1/batch?writeKey=${SHOP_KEY}`, {
        headers: { 'content-type': 'text/plain;charset=UTF-8', origin: SHOP },
        body,
      });
    expect((await beacon()).body).toEqual({ success: true, accepted: 1, duplicates: 0, rejected: [] });
    expect((await beacon()).body).toEqual({ success: true, accepted: 1, duplicates: 1, rejected: [] });
    expect((await getProfile(service.url, visitor)).body).toMatchObject({ anonymous: true, productViews: 1 });
  });

  it("takes RudderStack's placeholders: an empty userId is anonymous, a null event is none", async () => {
    const visitor = 'placeholder-visitor';
    const answer = await send('POST', '/v1/page', {
      headers: {
        'content-type': 'application/json;charset=UTF-8',
        authorization: basicAuth(SHOP_KEY),
        anonymousid: Buffer.from(visitor).toString('base64'),
        origin: SHOP,
      },
      body: JSON.stringify(message(visitor, { type: 'page', userId: '', event: null, name: 'Home' })),
    });
    expect(answer.status).toBe(200);
    expect((await getProfile(service.url, visitor)).body).toMatchObject({ anonymous: true, pageViews: 1 });
  });

  it('keeps server-side clients (no Origin) working with the server write key, without CORS grants', async () => {
    const answer = await segmentPost('/v1/t', message('server-visitor'), keys.writeKey, null);
    expect(answer.status).toBe(200);
    expect(answer.headers.get('access-control-allow-origin')).toBeNull();
    expect(await profileStatus('server-visitor')).toBe(200);
  });
});

describe('refused and hostile browser requests: a JSON 4xx naming the field or origin, nothing stored', () => {
  it.each([
    ['another shop’s origin', '/v1/t', SHOP_KEY, OTHER_SHOP],
    ['an origin no key lists', '/v1/b', SHOP_KEY, 'https://evil.example'],
    ['the server-side key from a page', '/v1/t', keys.writeKey, SHOP],
    ['a sandboxed page (Origin: null)', '/v1/t', SHOP_KEY, 'null'],
  ])('refuses %s', async (_label, path, key, origin) => {
    const visitor = `refused-${origin.replace(/\W/g, '')}-${key.length}`;
    const body = path === '/v1/b' ? { batch: [message(visitor)] } : message(visitor);
    expectRefusedOrigin(await segmentPost(path, body, key, origin), origin);
    expect(await profileStatus(visitor)).toBe(404);
  });

  it('refuses a beacon from an origin its key does not list, and one with an unknown key', async () => {
    const body = JSON.stringify({ batch: [message('refused-beacon')] });
    const from = (key: string, origin: string) =>
      send('POST', `/beacon/v1/batch?writeKey=${key}`, {
        headers: { 'content-type': 'text/plain', origin },
        body,
      });
    expectRefusedOrigin(await from(OTHER_KEY, SHOP), SHOP);
    const unknown = await from('nope', SHOP);
    expect(unknown.status).toBe(401);
    expect(unknown.body).toMatchObject({ error: 'unauthorized' });
    // A shop's page can read why (its origin is a shop's), so an SDK drops instead of retrying.
    expect(unknown.headers.get('access-control-allow-origin')).toBe(SHOP);
    expect(await profileStatus('refused-beacon')).toBe(404);
  });

  it.each([
    ['not JSON', '/v1/t', '{"type":"track",', 'body'],
    ['a JSON array', '/v1/t', '[]', 'body'],
    ['a batch that is not a list', '/v1/b', '{"batch":{}}', 'batch'],
    [
      'a track without event',
      '/v1/t',
      JSON.stringify(message('hostile-visitor', { event: undefined })),
      'event',
    ],
    ['no shopper id', '/v1/t', JSON.stringify(message('', { anonymousId: undefined })), 'userId'],
  ])('answers %s with a 400 naming the field', async (_label, path, raw, field) => {
    const answer = await send('POST', path, {
      headers: { 'content-type': 'text/plain', authorization: basicAuth(SHOP_KEY), origin: SHOP },
      body: raw,
    });
    expect(answer.status).toBe(400);
    expect(answer.body.field).toBe(field);
    expect(answer.headers.get('access-control-allow-origin')).toBe(SHOP);
    expect(await profileStatus('hostile-visitor')).toBe(404);
  });

  it('answers 401 for an unknown key in the body, before storing anything', async () => {
    const answer = await send('POST', '/v1/t', {
      headers: { 'content-type': 'text/plain', origin: SHOP },
      body: JSON.stringify({ ...message('unknown-key-visitor'), writeKey: 'nope' }),
    });
    expect(answer.status).toBe(401);
    expect(await profileStatus('unknown-key-visitor')).toBe(404);
  });
});
