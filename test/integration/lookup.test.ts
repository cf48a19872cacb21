/**
 * Live segment lookup on the emulators: no model yet is a clear 503; after a retrain the
 * lookup answers from the live profile, and a shopper whose behaviour changes is re-scored on
 * the next lookup — history entry, profile stamp and a "Segment Changed" event.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { demoTraffic } from '#local/demo-data';
import { sendInBatches } from '#local/demo-loader';
import { order } from '../support/events';
import { keys, postBatch, useLocalService } from '../support/local-service';

const END = '2026-06-30T00:00:00Z';
const svc = useLocalService({ now: END, modelCacheMs: 0 });

const get = async (path: string, key: string = keys.readKey) => {
  const res = await fetch(`${svc.url}${path}`, { headers: { authorization: `Bearer ${key}` } });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
};

describe('segment lookup', () => {
  it('answers 503 with a clear message before any model exists', async () => {
    await postBatch(svc.url, [order('early-bird', 'o-1', 20, '2026-06-01T10:00:00Z')]);
    const res = await get('/v1/users/early-bird/segment');
    expect(res.status).toBe(503);
    expect(res.body).toMatchObject({ error: 'no_model' });
    expect(String(res.body.message)).toContain('retrain');
  });

  it('serves the segment, why, since when, and the policy after a retrain', async () => {
    const { messages } = demoTraffic({ end: new Date(END), shoppers: 150, seed: 3 });
    await sendInBatches(
      svc.url,
      keys.writeKey,
      [...messages].sort((a, b) => a.userId.localeCompare(b.userId)),
      { batchSize: 500 },
    );
    const run = await svc.service.retrain('manual');
    expect(run.outcome, run.reason).toBe('promoted');

    const res = await get('/v1/users/demo-user-0001/segment');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      shopperId: 'demo-user-0001',
      modelVersion: run.modelVersion,
      changed: false,
    });
    const segment = res.body.segment as { id: string; name: string };
    const catalogue = await get('/v1/segments');
    const listed = (catalogue.body.segments as { id: string; name: string }[]).map((s) => s.id);
    expect(listed).toContain(segment.id);
    expect(res.body.policy).toHaveProperty('channel');
    expect(typeof res.body.confidence).toBe('number');

    expect((await get('/v1/users/nobody/segment')).status).toBe(404);
    expect((await get('/v1/users/demo-user-0001/segment', keys.writeKey)).status).toBe(401);
    const models = await get('/v1/models');
    expect(models.body.current).toBe(run.modelVersion);
    const model = await get(`/v1/models/${run.modelVersion}`);
    expect(model.status).toBe(200);
  });

  it('a prospect who starts buying big is re-scored right after ingest: recorded and announced without a lookup', async () => {
    const shopper = 'fresh-window-shopper';
    const view = {
      type: 'track',
      messageId: 'fws-1',
      userId: shopper,
      event: 'Product Viewed',
      timestamp: '2026-06-20T10:00:00Z',
      properties: { product_id: 'sku-1' },
    };
    expect((await postBatch(svc.url, [view])).status).toBe(200);
    await svc.service.settled();
    const orders = Array.from({ length: 12 }, (_, i) =>
      order(shopper, `fws-o-${i}`, 400, `2026-06-${String(10 + i).padStart(2, '0')}T10:00:00Z`),
    );
    expect((await postBatch(svc.url, orders)).status).toBe(200);
    await svc.service.settled();

    // No lookup has happened: the ingest path alone recorded and announced both changes.
    const events = readFileSync(svc.service.eventsFile, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    const mine = events.filter((e) => e.detail.shopperId === shopper);
    expect(mine.map((e) => [e['detail-type'], e.detail.reason])).toEqual([
      ['Segment Changed', 'behaviour'],
      ['Segment Changed', 'behaviour'],
    ]);
    expect(mine[0].detail).toMatchObject({ from: null, to: { id: 'prospects' } });
    expect(mine[1].detail.from.id).toBe('prospects');

    const lookup = await get(`/v1/users/${shopper}/segment`);
    expect(lookup.status).toBe(200);
    expect(lookup.body).toMatchObject({
      changed: false,
      since: mine[1].detail.at,
      segment: { id: mine[1].detail.to.id },
    });
    const history = await get(`/v1/users/${shopper}/history`);
    const changes = history.body.changes as { reason: string; to: { id: string } }[];
    expect(changes.map((c) => c.to.id)).toEqual(['prospects', mine[1].detail.to.id]);
  });
});
