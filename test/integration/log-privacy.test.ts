/**
 * No personal data and no raw payloads in logs. Events carrying an e-mail address, a phone
 * number, a street address, a person's name, an IP address and a distinctive product name (in
 * traits, properties and context; one shopper's userId is itself an e-mail address) go through
 * every path that logs: accepted, rejected (in a batch and alone), malformed, a storage failure
 * answered 5xx, a retrain with live re-scoring, lookups and an erase. Every line captured at
 * debug level must be JSON, request lines must carry a correlation id, and none may contain
 * any of those values.
 */
import { describe, expect, it } from 'vitest';
import { demoTraffic } from '#local/demo-data';
import { sendInBatches } from '#local/demo-loader';
import type { ServicePorts } from '#shared/adapters/service-ports';
import { basicAuth, keys, postBatch, useLocalService } from '../support/local-service';

const END = '2026-06-30T00:00:00Z';
const EMAIL = 'jane.private.doe@example.org';
const EMAIL_ID = 'shopper.by.mail@example.net';
const PHONE = '+1 415 555 0142';
const STREET = '742 Evergreen Terrace';
const NAME = 'Janet Privatesson';
const IP = '203.0.113.77';
const PRODUCT = 'Zephyrine Velvet Chaise Longue';
const SECRETS = [EMAIL, EMAIL_ID, PHONE, '4155550142', STREET, NAME, IP, PRODUCT];
const EMAIL_PATTERN = /[\w.+-]+@[\w-]+\.[\w.-]+/;

/** Fails the next profile write, with a message quoting the item as serialiser errors do. */
const fault = { armed: false };
const decoratePorts = (ports: ServicePorts): ServicePorts => ({
  ...ports,
  profiles: {
    get: (id) => ports.profiles.get(id),
    getRecord: (id) => ports.profiles.getRecord(id),
    putLink: (id, link, version) => ports.profiles.putLink(id, link, version),
    put: async (profile, pending, version) => {
      if (fault.armed) {
        fault.armed = false;
        throw new Error(`No value defined: ${JSON.stringify(profile)}`);
      }
      return ports.profiles.put(profile, pending, version);
    },
  },
});

const svc = useLocalService({ now: END, logLevel: 'debug', modelCacheMs: 0, decoratePorts });

const context = { ip: IP, traits: { email: EMAIL, phone: PHONE }, userAgent: `Browser for ${NAME}` };

const messagesFor = (userId: string, tag: string) => [
  {
    type: 'identify',
    messageId: `${tag}-identify`,
    userId,
    timestamp: '2026-06-01T09:00:00Z',
    context,
    traits: {
      email: EMAIL,
      phone: PHONE,
      name: NAME,
      address: { street: STREET, city: 'Springfield', country: 'US' },
      createdAt: '2026-05-01T09:00:00Z',
    },
  },
  {
    type: 'track',
    messageId: `${tag}-view`,
    userId,
    event: 'Product Viewed',
    timestamp: '2026-06-02T09:00:00Z',
    context,
    properties: { product_id: 'sku-zeph', name: PRODUCT, category: 'Furniture', price: 899 },
  },
  {
    type: 'track',
    messageId: `${tag}-order`,
    userId,
    event: 'Order Completed',
    timestamp: '2026-06-03T09:00:00Z',
    context,
    properties: {
      order_id: `${tag}-o1`,
      revenue: 899,
      currency: 'USD',
      shipping_address: { street: STREET, phone: PHONE, email: EMAIL },
      products: [{ product_id: 'sku-zeph', name: PRODUCT, price: 899, quantity: 1 }],
    },
  },
  {
    type: 'page',
    messageId: `${tag}-page`,
    userId,
    name: `${PRODUCT} page`,
    timestamp: '2026-06-03T09:05:00Z',
    context: { ...context, page: { url: `https://shop.example/account?email=${encodeURIComponent(EMAIL)}` } },
    properties: { url: `https://shop.example/p/${encodeURIComponent(PRODUCT)}`, email: EMAIL },
  },
];

const headers = (correlationId: string, authorization = basicAuth()) => ({
  authorization,
  'content-type': 'application/json',
  'x-correlation-id': correlationId,
});

const parsedLogs = () => svc.logs.map((line) => JSON.parse(line) as Record<string, unknown>);

describe('personal data in logs', () => {
  it('no captured log line carries an e-mail, phone, street, name, IP or product name', async () => {
    // A population and a model, so that lookups and ingests re-score and log segment changes.
    const { messages } = demoTraffic({ end: new Date(END), shoppers: 60, seed: 9, days: 200 });
    await sendInBatches(svc.url, keys.writeKey, messages, { batchSize: 500 });
    expect((await svc.service.retrain('manual')).outcome).toBe('promoted');

    // Accepted: a shopper keyed by an e-mail address, and one by an opaque id.
    const accepted = await postBatch(
      svc.url,
      [...messagesFor(EMAIL_ID, 'mail-keyed'), ...messagesFor('opaque-shopper-1', 'opaque')],
      { headers: { 'x-correlation-id': 'corr-accepted' } },
    );
    expect(accepted).toMatchObject({ status: 200, body: { accepted: 8 } });

    // Rejected inside a batch, and alone (400), with the personal data in the rejected message.
    const rejectedInBatch = await postBatch(
      svc.url,
      [
        { ...messagesFor(EMAIL_ID, 'bad')[2], timestamp: 'not a time' },
        { ...messagesFor(EMAIL_ID, 'bad2')[1], userId: { email: EMAIL } },
        messagesFor('opaque-shopper-2', 'ok')[1],
      ],
      { headers: { 'x-correlation-id': 'corr-rejected' } },
    );
    expect(rejectedInBatch.status).toBe(200);
    expect((rejectedInBatch.body.rejected as unknown[]).length).toBe(2);
    const single = await fetch(`${svc.url}/v1/track`, {
      method: 'POST',
      headers: headers('corr-single'),
      body: JSON.stringify({ ...messagesFor(EMAIL_ID, 'single')[2], properties: { revenue: EMAIL } }),
    });
    expect(single.status).toBe(400);
    // Malformed JSON quoting the personal data (JSON.parse's own message would quote it).
    const malformed = await fetch(`${svc.url}/v1/batch`, {
      method: 'POST',
      headers: headers('corr-malformed'),
      body: `{"batch":[{"type":"identify","userId":"${EMAIL_ID}","traits":{"email":"${EMAIL}", ${PHONE}}]}`,
    });
    expect(malformed.status).toBe(400);

    // A storage failure: 5xx, logged; then the client's retry goes through.
    fault.armed = true;
    const failing = messagesFor(EMAIL_ID, 'retry');
    const failed = await postBatch(svc.url, failing, { headers: { 'x-correlation-id': 'corr-failed' } });
    expect(failed.status).toBe(500);
    expect((await postBatch(svc.url, failing)).status).toBe(200);
    await svc.service.settled();

    // Lookups (the segment lookup re-scores and may record a change) and errors of the read API.
    const read = (path: string) =>
      fetch(`${svc.url}${path}`, { headers: headers('corr-read', `Bearer ${keys.readKey}`) });
    for (const id of [EMAIL_ID, 'opaque-shopper-1', 'nobody@example.com'])
      for (const view of ['profile', 'segment', 'history'])
        await read(`/v1/users/${encodeURIComponent(id)}/${view}`);
    expect((await read(`/v1/users/${encodeURIComponent(EMAIL_ID)}/segment`)).status).toBe(200);

    // The erase, and a refused one.
    const erase = (authorization: string) =>
      fetch(`${svc.url}/v1/users/${encodeURIComponent(EMAIL_ID)}`, {
        method: 'DELETE',
        headers: headers('corr-erase', authorization),
      });
    expect((await erase(`Bearer ${keys.readKey}`)).status).toBe(401);
    expect((await erase(`Bearer ${keys.adminKey}`)).status).toBe(200);
    await svc.service.settled();

    const logs = parsedLogs();
    const leaks = svc.logs.filter(
      (line) => SECRETS.some((s) => line.includes(s)) || EMAIL_PATTERN.test(line),
    );
    expect(leaks).toEqual([]);
    // The paths above did log: the check is not vacuous.
    const messagesLogged = new Set(logs.map((l) => l.message));
    for (const expected of ['ingested', 'request failed', 'shopper erased', 'retrain phase done'])
      expect(messagesLogged, expected).toContain(expected);
    const failure = logs.find((l) => l.message === 'request failed');
    expect(failure).toMatchObject({ correlationId: 'corr-failed', errorName: 'Error' });
    expect(failure?.errorMessage).toBeUndefined();
  }, 180_000);

  it('every line is a JSON object; request lines carry the correlation id they were given', () => {
    expect(svc.logs.length).toBeGreaterThan(0);
    for (const line of svc.logs) {
      const entry = JSON.parse(line) as Record<string, unknown>;
      expect(entry).toMatchObject({ level: expect.any(String), time: expect.any(String) });
      expect(typeof entry.message).toBe('string');
      // Request handlers log with the request's correlation id; retrain and re-score are jobs.
      if (['ingest', 'read-api', 'admin'].includes(String(entry.function)))
        expect(entry.correlationId, line).toMatch(/^[\w.:-]{1,100}$/);
      else expect(['retrain', 'rescore'], line).toContain(entry.function);
    }
    const correlated = new Set(parsedLogs().map((l) => l.correlationId));
    for (const id of ['corr-accepted', 'corr-rejected', 'corr-failed', 'corr-erase'])
      expect(correlated, id).toContain(id);
  });
});
