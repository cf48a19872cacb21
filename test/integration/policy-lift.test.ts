/**
 * Holdout groups and measured lift, end to end on the emulators: a policy with a holdout on the
 * prospects segment, shoppers looked up (the lookup splits them deterministically and records
 * each first exposure once), then ordering at planted rates per group through the ingestion API,
 * some orders refunded. The lift endpoint reports exactly the realised figures, its interval
 * covers the planted difference, replays and later lookups change nothing, and an erased
 * shopper leaves the report.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { policyGroupOf } from '#shared/activation/domain/holdout';
import { mulberry32 } from '#shared/kernel/random';
import { keys, postBatch, useLocalService } from '../support/local-service';

const NOW = '2026-06-30T06:00:00Z';
const svc = useLocalService({ now: NOW, modelCacheMs: 0 });

type Json = Record<string, unknown>;

const call = async (path: string, init: { method?: string; key?: string; body?: unknown } = {}) => {
  const res = await fetch(`${svc.url}${path}`, {
    method: init.method ?? 'GET',
    headers: {
      authorization: `Bearer ${init.key ?? keys.readKey}`,
      ...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
  });
  return { status: res.status, body: (await res.json()) as Json };
};

const SHOPPERS = 400;
const SHARE = 0.5;
/** Planted conversion per group: the policy adds 25 points. */
const PLANTED = { treatment: 0.5, holdout: 0.25 } as const;
const ORDER_AMOUNT = 40;
const ids = Array.from({ length: SHOPPERS }, (_, i) => `lift-shopper-${String(i).padStart(4, '0')}`);

const policy = {
  action: 'convert',
  channel: 'onsite',
  coupon: { kind: 'percent', value: 10 },
  message: 'First-order offer.',
  priority: 2,
  holdout: { share: SHARE },
};

/** Sent once, then again as a replay: the figures must not move. */
const orderMessages: Json[] = [];
const realised = { treatment: { n: 0, converted: 0, net: 0 }, holdout: { n: 0, converted: 0, net: 0 } };
let version = '';
let groups = new Map<string, string>();

const withoutAsOf = (report: Json) => ({ ...report, asOf: undefined });

describe('policy lift', () => {
  it('a model, and prospects who have only browsed', async () => {
    // A model needs buyers: 60 shoppers with orders in the past year.
    const buyers = Array.from({ length: 60 }, (_, i) => i).flatMap((i) =>
      Array.from({ length: 1 + (i % 4) }, (_, k) => ({
        type: 'track',
        event: 'Order Completed',
        userId: `buyer-${i}`,
        messageId: `buyer-${i}-order-${k}`,
        timestamp: new Date(Date.parse(NOW) - (5 + ((i * 37 + k * 61) % 300)) * 86_400_000).toISOString(),
        properties: {
          order_id: `b-${i}-${k}`,
          revenue: 20 + ((i * 13) % 90),
          currency: 'USD',
          products: [{ product_id: `p-${(i + k) % 7}`, price: 20, quantity: 1 }],
        },
      })),
    );
    const views = ids.map((userId, i) => ({
      type: 'track',
      event: 'Product Viewed',
      userId,
      messageId: `view-${i}`,
      timestamp: '2026-06-29T10:00:00Z',
      properties: { product_id: `p-${i % 7}` },
    }));
    for (let i = 0; i < buyers.length + views.length; i += 200) {
      const res = await postBatch(svc.url, [...buyers, ...views].slice(i, i + 200));
      expect(res.status).toBe(200);
    }
    await svc.service.settled();
    const run = await svc.service.retrain('manual');
    expect(run.outcome, run.reason).toBe('promoted');
  });

  it('validates the holdout share, naming the field', async () => {
    for (const share of [-0.1, 0.51, '0.1']) {
      const res = await call('/v1/segments/prospects/policy', {
        method: 'PUT',
        key: keys.adminKey,
        body: { ...policy, holdout: { share } },
      });
      expect(res.status).toBe(400);
      expect(res.body.field).toBe('holdout.share');
    }
  });

  it('the lookup splits shoppers deterministically by id and policy version; the holdout gets no action and the same products', async () => {
    const put = await call('/v1/segments/prospects/policy', {
      method: 'PUT',
      key: keys.adminKey,
      body: policy,
    });
    expect(put.status).toBe(200);
    version = String(put.body.version);
    expect(version).toMatch(/^pv-/);
    groups = new Map();
    for (const id of ids) {
      const { status, body } = await call(`/v1/users/${id}/segment`);
      expect(status).toBe(200);
      expect((body.segment as Json).id).toBe('prospects');
      expect(body.policyVersion).toBe(version);
      // The documented scheme: MurmurHash3 of the id, seeded by the version's hash.
      expect(body.group).toBe(policyGroupOf(id, version, SHARE));
      if (body.group === 'holdout')
        expect(body.policy).toMatchObject({ action: 'none', channel: 'none', coupon: null, message: '' });
      else expect(body.policy).toEqual(policy);
      groups.set(id, String(body.group));
    }
    const holdout = [...groups.values()].filter((g) => g === 'holdout').length;
    // 200 expected; the binomial's 99.9% range at n = 400 is about ±33.
    expect(holdout).toBeGreaterThan(160);
    expect(holdout).toBeLessThan(240);
    // Recommendations do not depend on the group: two shoppers who viewed the same product, one in each.
    const sameProduct = (group: string) =>
      ids.find((id, i) => i % 7 === 3 && groups.get(id) === group) as string;
    const listsOf = async (id: string) =>
      (await call(`/v1/users/${id}/segment?recommendations=3`)).body.recommendations;
    const holdoutList = await listsOf(sameProduct('holdout'));
    expect(holdoutList).toEqual(await listsOf(sameProduct('treatment')));
    expect((holdoutList as unknown[]).length).toBeGreaterThan(0);
    // Asked again, every shopper is in the same group.
    for (const id of ids.slice(0, 40))
      expect((await call(`/v1/users/${id}/segment`)).body.group).toBe(groups.get(id));
  });

  it('reports the realised conversion and net revenue per group, its interval covering the planted lift', async () => {
    const random = mulberry32(2026);
    for (const [i, id] of ids.entries()) {
      const group = groups.get(id) as 'treatment' | 'holdout';
      const tally = realised[group];
      tally.n += 1;
      if (random() >= PLANTED[group]) continue;
      tally.converted += 1;
      const order = {
        type: 'track',
        event: 'Order Completed',
        userId: id,
        messageId: `lift-order-${i}`,
        timestamp: '2026-06-30T09:00:00Z',
        properties: { order_id: `lift-${i}`, revenue: ORDER_AMOUNT, currency: 'USD' },
      };
      orderMessages.push(order);
      tally.net += ORDER_AMOUNT;
      // One converter in ten returns the order: revenue counts net of it.
      if (random() < 0.1) {
        orderMessages.push({
          type: 'track',
          event: 'Order Refunded',
          userId: id,
          messageId: `lift-refund-${i}`,
          timestamp: '2026-06-30T11:00:00Z',
          properties: { order_id: `lift-${i}` },
        });
        tally.net -= ORDER_AMOUNT;
      }
    }
    for (let i = 0; i < orderMessages.length; i += 100)
      expect((await postBatch(svc.url, orderMessages.slice(i, i + 100))).status).toBe(200);

    const { status, body } = await call('/v1/segments/prospects/lift');
    expect(status).toBe(200);
    const [latest] = body.versions as Json[];
    expect(latest).toMatchObject({
      version,
      holdoutShare: SHARE,
      sampled: false,
      window: { from: expect.any(String), to: NOW.replace('Z', '.000Z'), active: true },
    });
    const reported = latest?.groups as Record<'treatment' | 'holdout', Json>;
    for (const group of ['treatment', 'holdout'] as const) {
      const t = realised[group];
      expect(reported[group]).toEqual({
        shoppers: t.n,
        converted: t.converted,
        conversionRate: t.converted / t.n,
        ordersPerShopper: t.converted / t.n,
        revenuePerShopper: Math.round((t.net / t.n) * 100) / 100,
      });
    }
    const conversion = latest?.conversion as {
      difference: number;
      interval: [number, number];
      verdict: Json;
    };
    const plantedLift = PLANTED.treatment - PLANTED.holdout;
    expect(conversion.difference).toBeCloseTo(
      realised.treatment.converted / realised.treatment.n - realised.holdout.converted / realised.holdout.n,
      12,
    );
    expect(conversion.interval[0]).toBeLessThan(plantedLift);
    expect(conversion.interval[1]).toBeGreaterThan(plantedLift);
    // With about 200 per group, a 25-point lift is far past the 5% threshold.
    expect(conversion.verdict).toEqual({ kind: 'significant', direction: 'positive' });
    expect(latest?.verdict).toEqual(conversion.verdict);
    expect(latest?.underperforming).toBe(false);
    const revenue = latest?.revenuePerShopper as { interval: [number, number] };
    const plantedRevenueLift = plantedLift * ORDER_AMOUNT * 0.9;
    expect(revenue.interval[0]).toBeLessThan(plantedRevenueLift);
    expect(revenue.interval[1]).toBeGreaterThan(plantedRevenueLift);
  });

  it('replays, a resent order under a new message id and later lookups do not move the figures', async () => {
    const before = (await call('/v1/segments/prospects/lift')).body;
    for (let i = 0; i < orderMessages.length; i += 100)
      expect((await postBatch(svc.url, orderMessages.slice(i, i + 100))).status).toBe(200);
    const first = orderMessages[0] as Json;
    expect((await postBatch(svc.url, [{ ...first, messageId: 'lift-order-resent' }])).status).toBe(200);
    // The buyers now score out of prospects: their exposure stays as it was recorded.
    for (const id of ids.slice(0, 60)) expect((await call(`/v1/users/${id}/segment`)).status).toBe(200);
    const after = (await call('/v1/segments/prospects/lift')).body;
    expect(withoutAsOf(after)).toEqual(withoutAsOf(before));
  });

  it('a new policy version closes the last one and draws afresh; an erased shopper leaves the report', async () => {
    const before = (await call('/v1/segments/prospects/lift')).body.versions as Json[];
    const put = await call('/v1/segments/prospects/policy', {
      method: 'PUT',
      key: keys.adminKey,
      body: { ...policy, coupon: { kind: 'percent', value: 15 } },
    });
    const next = String(put.body.version);
    expect(next).not.toBe(version);
    const versions = (await call('/v1/segments/prospects/lift')).body.versions as Json[];
    expect(versions.map((v) => v.version)).toEqual([next, version]);
    expect(versions[1]?.window).toMatchObject({ to: put.body.updatedAt, active: false });
    expect(versions[1]?.groups).toEqual(before[0]?.groups);
    expect(versions[0]?.groups).toMatchObject({ treatment: { shoppers: 0 }, holdout: { shoppers: 0 } });

    const erased = ids.find((id) => groups.get(id) === 'holdout') as string;
    expect((await call(`/v1/users/${erased}`, { method: 'DELETE', key: keys.adminKey })).status).toBe(200);
    const afterErase = (await call('/v1/segments/prospects/lift')).body.versions as Json[];
    expect(afterErase[1]?.groups).toMatchObject({
      treatment: { shoppers: realised.treatment.n },
      holdout: { shoppers: realised.holdout.n - 1 },
    });
  });

  it('a retrain flags a policy significantly worse than its holdout, announces it once, and clears it when the policy changes', async () => {
    const version = (
      (await call('/v1/segments')).body.segments as { id: string; policyVersion: string | null }[]
    ).find((s) => s.id === 'prospects')?.policyVersion as string;
    const harmed = Array.from({ length: 240 }, (_, i) => `harm-shopper-${String(i).padStart(4, '0')}`);
    await postBatch(
      svc.url,
      harmed.map((userId, i) => ({
        type: 'track',
        event: 'Product Viewed',
        userId,
        messageId: `harm-view-${i}`,
        timestamp: '2026-06-29T10:00:00Z',
        properties: { product_id: 'p-1' },
      })),
    );
    const random = mulberry32(77);
    const orders: Json[] = [];
    for (const [i, id] of harmed.entries()) {
      const { body } = await call(`/v1/users/${id}/segment`);
      expect(body.policyVersion).toBe(version);
      // Planted harm: the offer puts shoppers off (20% convert against 60% left alone).
      if (random() < (body.group === 'holdout' ? 0.6 : 0.2))
        orders.push({
          type: 'track',
          event: 'Order Completed',
          userId: id,
          messageId: `harm-order-${i}`,
          timestamp: '2026-06-30T09:00:00Z',
          properties: { order_id: `harm-${i}`, revenue: 30, currency: 'USD' },
        });
    }
    expect((await postBatch(svc.url, orders)).status).toBe(200);
    await svc.service.settled();

    const alerts = () =>
      readFileSync(svc.service.eventsFile, 'utf8')
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as { 'detail-type': string; detail: Json })
        .filter((e) => e['detail-type'] === 'Policy Underperforming');
    const run = await svc.service.retrain('manual');
    expect(run.outcome, run.reason).toBe('promoted');
    expect(run.policyChecks).toEqual([
      {
        segmentId: 'prospects',
        version,
        shoppers: { treatment: expect.any(Number), holdout: expect.any(Number) },
        verdict: 'significant',
        underperforming: true,
      },
    ]);
    // The run record as the API serves it carries the same checks.
    const runs = (await call('/v1/models')).body.runs as Json[];
    expect(runs.find((r) => r.runId === run.runId)?.policyChecks).toEqual(run.policyChecks);
    const flagged = ((await call('/v1/segments')).body.segments as Json[]).find((s) => s.id === 'prospects');
    expect(flagged?.policyFlag).toMatchObject({
      segmentId: 'prospects',
      version,
      kind: 'underperforming',
      metrics: expect.arrayContaining(['conversion']),
    });
    expect(alerts()).toHaveLength(1);
    expect(alerts()[0]?.detail).toMatchObject({ segmentId: 'prospects', version, segmentName: 'Prospects' });
    // Nothing was switched off: the policy still serves.
    const lookup = (
      await call(
        `/v1/users/${harmed.find((id) => policyGroupOf(id, version, SHARE) === 'treatment')}/segment`,
      )
    ).body;
    expect(lookup.policyVersion).toBe(version);

    // Checked again: still flagged, not announced twice.
    const again = await svc.service.retrain('manual');
    expect(again.policyChecks?.[0]?.underperforming).toBe(true);
    expect(alerts()).toHaveLength(1);

    // A new version is not the flagged one: the catalogue drops the flag at once, the next check clears it.
    const put = await call('/v1/segments/prospects/policy', {
      method: 'PUT',
      key: keys.adminKey,
      body: policy,
    });
    expect(put.status).toBe(200);
    const after = ((await call('/v1/segments')).body.segments as Json[]).find((s) => s.id === 'prospects');
    expect(after?.policyFlag).toBeNull();
    expect(after?.policyVersion).toBe(put.body.version);
    const third = await svc.service.retrain('manual');
    expect(third.policyChecks?.[0]).toMatchObject({ version: put.body.version, underperforming: false });
    expect(await svc.service.retrainPorts.objects.list('config/policies/flags/')).toEqual([]);
  });

  it('documents the report: 404 for an unknown segment, 401 without a key', async () => {
    expect((await call('/v1/segments/seg-none/lift')).status).toBe(404);
    expect((await call('/v1/segments/prospects/lift', { key: 'nope' })).status).toBe(401);
  });
});
