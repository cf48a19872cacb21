/**
 * Activation on the emulators: operators' marketing policies (set, validated, following the stable
 * segment id across a retrain, reset), segment member exports (cursor pages, CSV) and the lookup's
 * product lists (discovery and buy-again), from the index the retrain builds.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { demoTraffic } from '#local/demo-data';
import { sendInBatches } from '#local/demo-loader';
import { keys, useLocalService } from '../support/local-service';

const END = '2026-06-30T00:00:00Z';
const svc = useLocalService({ now: END, modelCacheMs: 0 });

type Json = Record<string, unknown>;
interface Segment {
  id: string;
  name: string;
  size: number;
  policy: Json;
  policySource: string;
}

const call = async (
  path: string,
  init: { method?: string; key?: string; body?: string; headers?: Record<string, string> } = {},
) => {
  const res = await fetch(`${svc.url}${path}`, {
    method: init.method ?? 'GET',
    headers: {
      ...(init.key === '' ? {} : { authorization: `Bearer ${init.key ?? keys.readKey}` }),
      ...init.headers,
    },
    ...(init.body === undefined ? {} : { body: init.body }),
  });
  const text = await res.text();
  const isJson = (res.headers.get('content-type') ?? '').includes('json');
  return { status: res.status, headers: res.headers, text, body: (isJson ? JSON.parse(text) : {}) as Json };
};

const putPolicy = (segmentId: string, policy: unknown, key: string = keys.adminKey) =>
  call(`/v1/segments/${encodeURIComponent(segmentId)}/policy`, {
    method: 'PUT',
    key,
    body: typeof policy === 'string' ? policy : JSON.stringify(policy),
    headers: { 'content-type': 'application/json' },
  });

const catalogue = async (): Promise<Segment[]> => (await call('/v1/segments')).body.segments as Segment[];

const vipPolicy = {
  action: 'vip_preview',
  channel: 'sms',
  coupon: { kind: 'amount', value: 15 },
  message: 'Private preview of the new collection.',
  priority: 1,
};

/** Every member of a segment, page by page, following the cursors. */
const allMembers = async (segmentId: string, limit: number) => {
  const ids: string[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const query: string = `limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
    const res = await call(`/v1/segments/${segmentId}/members?${query}`);
    expect(res.status).toBe(200);
    const members = res.body.members as { shopperId: string; since: string; modelVersion: string }[];
    expect(members.length).toBeLessThanOrEqual(limit);
    ids.push(...members.map((m) => m.shopperId));
    cursor = res.body.nextCursor as string | null;
    pages += 1;
  } while (cursor);
  return { ids, pages };
};

describe('activation', () => {
  it('before any model: policy changes and member exports answer 503 no_model', async () => {
    expect((await putPolicy('seg-1', vipPolicy)).body).toMatchObject({ error: 'no_model' });
    expect((await call('/v1/segments/seg-1/members')).status).toBe(503);
  });

  it('loads the demo and retrains (the retrain also builds the recommendation index)', async () => {
    const { messages } = demoTraffic({ end: new Date(END), shoppers: 150, seed: 5 });
    await sendInBatches(
      svc.url,
      keys.writeKey,
      [...messages].sort((a, b) => a.userId.localeCompare(b.userId)),
      { batchSize: 500 },
    );
    await svc.service.settled();
    const run = await svc.service.retrain('manual');
    expect(run.outcome, run.reason).toBe('promoted');
    expect(run.timings).toHaveProperty('recommendations');
    const index = await svc.service.retrainPorts.objects.get(
      `models/${run.modelVersion}/recommendations.json`,
    );
    expect(index).toBeDefined();

    // Each reassignment is announced too: the first model moves all 150 shoppers from nowhere.
    const announced = readFileSync(svc.service.eventsFile, 'utf8')
      .trim()
      .split('\n')
      .map(
        (line) =>
          (JSON.parse(line) as { detail: { reason: string; modelVersion: string; from: unknown } }).detail,
      )
      .filter((e) => e.reason === 'retrain' && e.modelVersion === run.modelVersion);
    expect(run.reassigned?.changed).toBe(150);
    expect(announced).toHaveLength(150);
    expect(announced.every((e) => e.from === null)).toBe(true);
  });

  describe('marketing policies', () => {
    it('only the admin key may change a policy', async () => {
      const [segment] = await catalogue();
      expect((await putPolicy(segment?.id ?? '', vipPolicy, keys.readKey)).status).toBe(401);
      expect((await putPolicy(segment?.id ?? '', vipPolicy, keys.writeKey)).status).toBe(401);
      expect((await putPolicy(segment?.id ?? '', vipPolicy, '')).status).toBe(401);
      expect(
        (await call(`/v1/segments/${segment?.id}/policy`, { method: 'DELETE', key: keys.readKey })).status,
      ).toBe(401);
    });

    it('rejects invalid policies with a 400 naming the field', async () => {
      const [segment] = await catalogue();
      const id = segment?.id ?? '';
      const cases: [unknown, string][] = [
        [{ ...vipPolicy, channel: 'fax' }, 'channel'],
        [{ ...vipPolicy, coupon: { kind: 'percent', value: 150 } }, 'coupon.value'],
        [{ ...vipPolicy, coupon: { kind: 'bogof', value: 1 } }, 'coupon.kind'],
        [{ ...vipPolicy, priority: 0 }, 'priority'],
        [{ ...vipPolicy, priority: 2.5 }, 'priority'],
        [{ ...vipPolicy, message: 'x'.repeat(501) }, 'message'],
        [{ ...vipPolicy, chanel: 'sms' }, 'chanel'],
        [(({ action: _a, ...rest }) => rest)(vipPolicy), 'action'],
        ['{not json', 'body'],
        [[vipPolicy], 'body'],
      ];
      for (const [body, field] of cases) {
        const res = await putPolicy(id, body);
        expect(res.status, JSON.stringify(body).slice(0, 80)).toBe(400);
        expect(res.body.field).toBe(field);
      }
      expect((await putPolicy('seg-999', vipPolicy)).status).toBe(404);
      expect((await catalogue()).every((s) => s.policySource === 'default')).toBe(true);
    });

    it('a policy set on a segment id is served by the lookup and follows the id across a retrain', async () => {
      const segments = await catalogue();
      const target = segments.find((s) => s.id !== 'prospects' && s.size > 0) as Segment;
      const set = await putPolicy(target.id, { ...vipPolicy, coupon: { kind: 'free_shipping' } });
      expect(set.status).toBe(200);
      expect(set.body).toMatchObject({
        segmentId: target.id,
        segmentName: target.name,
        source: 'override',
        policy: { ...vipPolicy, coupon: { kind: 'free_shipping', value: 0 } },
      });

      const listed = (await catalogue()).find((s) => s.id === target.id);
      expect(listed).toMatchObject({ policySource: 'override', policy: { action: 'vip_preview' } });
      const [member] = (await call(`/v1/segments/${target.id}/members?limit=1`)).body.members as {
        shopperId: string;
      }[];
      const lookup = await call(`/v1/users/${member?.shopperId}/segment`);
      expect(lookup.body).toMatchObject({ segment: { id: target.id }, policy: { action: 'vip_preview' } });

      // Same data, next model: the segment keeps its id, so the operator's policy still applies.
      const run = await svc.service.retrain('manual');
      expect(run.outcome, run.reason).toBe('promoted');
      const after = await call(`/v1/users/${member?.shopperId}/segment`);
      expect(after.body).toMatchObject({
        modelVersion: run.modelVersion,
        segment: { id: target.id },
        policy: { action: 'vip_preview', channel: 'sms' },
      });

      const reset = await call(`/v1/segments/${target.id}/policy`, { method: 'DELETE', key: keys.adminKey });
      expect(reset.status).toBe(200);
      expect(reset.body).toMatchObject({ segmentId: target.id, source: 'default' });
      const restored = (await catalogue()).find((s) => s.id === target.id);
      expect(restored?.policySource).toBe('default');
      expect(restored?.policy).toEqual(reset.body.policy);
      expect(restored?.policy).not.toMatchObject({ action: 'vip_preview' });
    });
  });

  describe('segment members', () => {
    it('pages through every member exactly once, each one really in the segment', async () => {
      const segments = await catalogue();
      let total = 0;
      for (const segment of segments) {
        const { ids, pages } = await allMembers(segment.id, 7);
        expect(new Set(ids).size).toBe(ids.length);
        // Nobody has sent events since the retrain, so the stamps are exactly the model's assignment.
        expect(ids.length).toBe(segment.size);
        if (segment.size > 7) expect(pages).toBeGreaterThan(1);
        total += ids.length;
        for (const shopperId of ids.slice(0, 3)) {
          const lookup = await call(`/v1/users/${encodeURIComponent(shopperId)}/segment`);
          expect((lookup.body.segment as Json).id).toBe(segment.id);
        }
      }
      expect(total).toBe(150);
    });

    it('exports CSV with Accept: text/csv, the next cursor in a header', async () => {
      const segment = (await catalogue()).find((s) => s.size > 3) as Segment;
      const json = await call(`/v1/segments/${segment.id}/members?limit=3`);
      const csv = await call(`/v1/segments/${segment.id}/members?limit=3`, {
        headers: { accept: 'text/csv' },
      });
      expect(csv.status).toBe(200);
      expect(csv.headers.get('content-type')).toContain('text/csv');
      const lines = csv.text.trimEnd().split('\r\n');
      expect(lines[0]).toBe('shopperId,since,modelVersion');
      const members = json.body.members as { shopperId: string; since: string; modelVersion: string }[];
      expect(lines.slice(1)).toEqual(members.map((m) => `${m.shopperId},${m.since},${m.modelVersion}`));
      expect(csv.headers.get('x-next-cursor')).toBe(json.body.nextCursor);

      const next = await call(
        `/v1/segments/${segment.id}/members?limit=3&cursor=${encodeURIComponent(String(json.body.nextCursor))}`,
        { headers: { accept: 'text/csv' } },
      );
      const nextIds = next.text.trimEnd().split('\r\n').slice(1);
      expect(nextIds.length).toBeGreaterThan(0);
      for (const line of nextIds) expect(members.map((m) => m.shopperId)).not.toContain(line.split(',')[0]);
    });

    it('rejects a bad cursor or limit naming the field, and an unknown segment with 404', async () => {
      const [first, second] = await catalogue();
      const page = await call(`/v1/segments/${first?.id}/members?limit=1`);
      const foreign = encodeURIComponent(String(page.body.nextCursor));
      const bad: [string, string][] = [
        [`/v1/segments/${first?.id}/members?cursor=not-a-cursor`, 'cursor'],
        [`/v1/segments/${second?.id}/members?cursor=${foreign}`, 'cursor'],
        [`/v1/segments/${first?.id}/members?limit=0`, 'limit'],
        [`/v1/segments/${first?.id}/members?limit=1001`, 'limit'],
        [`/v1/segments/${first?.id}/members?limit=ten`, 'limit'],
      ];
      for (const [path, field] of bad) {
        const res = await call(path);
        expect(res.status, path).toBe(400);
        expect(res.body.field).toBe(field);
      }
      expect((await call('/v1/segments/seg-999/members')).status).toBe(404);
      expect((await call(`/v1/segments/${first?.id}/members`, { key: keys.writeKey })).status).toBe(401);
    });
  });

  describe('recommendations', () => {
    it('recommends up to N products the shopper has not bought, each with a reason', async () => {
      const segments = await catalogue();
      let checked = 0;
      for (const segment of segments.filter((s) => s.size > 0)) {
        const { ids } = await allMembers(segment.id, 1000);
        for (const shopperId of ids.slice(0, 2)) {
          const profile = (await call(`/v1/users/${shopperId}/profile`)).body as {
            purchasedProducts: string[];
            recentPurchases: { productId: string }[];
          };
          const res = await call(`/v1/users/${shopperId}/segment?recommendations=5`);
          expect(res.status).toBe(200);
          const recs = res.body.recommendations as { productId: string; reason: string; source: string }[];
          expect(recs.length).toBeGreaterThan(0);
          expect(recs.length).toBeLessThanOrEqual(5);
          expect(new Set(recs.map((r) => r.productId)).size).toBe(recs.length);
          const bought = new Set([
            ...profile.purchasedProducts,
            ...profile.recentPurchases.map((r) => r.productId),
          ]);
          for (const r of recs) {
            expect(bought.has(r.productId)).toBe(false);
            expect(r.reason.length).toBeGreaterThan(0);
            expect(['segment', 'co-purchase', 'global']).toContain(r.source);
          }
          checked += 1;
        }
      }
      expect(checked).toBeGreaterThan(3);
    });

    it("lists up to N of the shopper's own products to buy again, most likely first, each with a reason", async () => {
      const segments = await catalogue();
      let checked = 0;
      for (const segment of segments.filter((s) => s.size > 0)) {
        const { ids } = await allMembers(segment.id, 1000);
        for (const shopperId of ids.slice(0, 2)) {
          const profile = (await call(`/v1/users/${shopperId}/profile`)).body as {
            purchasedProducts: string[];
            recentPurchases: { productId: string }[];
            purchaseHistory?: { productId: string; orders: number }[];
          };
          const res = await call(`/v1/users/${shopperId}/segment?recommendations=3&buyAgain=5`);
          expect(res.status).toBe(200);
          const again = res.body.buyAgain as {
            productId: string;
            score: number;
            reason: string;
            source: string;
          }[];
          const bought = new Set([
            ...profile.recentPurchases.map((r) => r.productId),
            ...(profile.purchaseHistory ?? []).map((r) => r.productId),
          ]);
          expect(again.length).toBe(Math.min(5, bought.size));
          expect(new Set(again.map((r) => r.productId)).size).toBe(again.length);
          for (const [i, r] of again.entries()) {
            expect(bought.has(r.productId)).toBe(true);
            expect(r.source).toBe('buy-again');
            expect(r.reason).toMatch(/^Bought (in|on) /);
            expect(r.score).toBeGreaterThanOrEqual(0);
            expect(r.score).toBeLessThanOrEqual(1);
            if (i > 0) expect(r.score).toBeLessThanOrEqual(again[i - 1]?.score ?? 1);
          }
          // Both lists in one answer, and the discovery list still leaves the shopper's products out.
          const recs = res.body.recommendations as { productId: string }[];
          for (const r of recs) expect(bought.has(r.productId)).toBe(false);
          if (bought.size > 0) checked += 1;
        }
      }
      expect(checked).toBeGreaterThan(3);
    });

    it('adds nothing unless asked, and rejects a bad count naming the field', async () => {
      const [segment] = (await catalogue()).filter((s) => s.size > 0);
      const [member] = (await allMembers(segment?.id ?? '', 1)).ids;
      const plain = await call(`/v1/users/${member}/segment`);
      expect(plain.body).not.toHaveProperty('recommendations');
      expect(plain.body).not.toHaveProperty('buyAgain');
      expect((await call(`/v1/users/${member}/segment?recommendations=0`)).body.recommendations).toEqual([]);
      const onlyAgain = await call(`/v1/users/${member}/segment?buyAgain=0`);
      expect(onlyAgain.body.buyAgain).toEqual([]);
      expect(onlyAgain.body).not.toHaveProperty('recommendations');
      for (const field of ['recommendations', 'buyAgain'])
        for (const value of ['-1', '51', 'abc', '2.5', '']) {
          const res = await call(`/v1/users/${member}/segment?${field}=${value}`);
          expect(res.status, `${field}=${value}`).toBe(400);
          expect(res.body.field).toBe(field);
        }
    });
  });
});
