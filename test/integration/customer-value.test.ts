/**
 * Predicted customer value in the product, on the emulators: a retrain fits BG/NBD and
 * Gamma-Gamma on the snapshot and stores them with the model; the lookup shows each shopper's
 * P(alive), expected orders and predicted value from the live profile; segment forecasts reach
 * the catalogue; too few repeat buyers gives null figures with the reason; and a retrain may
 * cluster on the forecasts when asked.
 */

import { describe, expect, it } from 'vitest';
import { demoTraffic } from '#local/demo-data';
import { sendInBatches } from '#local/demo-loader';
import { CLV_FEATURES } from '#shared/segmentation/domain/features/features';
import { defaultTrainingConfig } from '#shared/segmentation/domain/training/train-model';
import { order } from '../support/events';
import { keys, postBatch, useLocalService } from '../support/local-service';

const END = '2026-06-30T00:00:00Z';

const getter = (url: () => string) => async (path: string) => {
  const res = await fetch(`${url()}${path}`, { headers: { authorization: `Bearer ${keys.readKey}` } });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
};

interface Predictions {
  pAlive: number | null;
  expectedOrders: number | null;
  predictedValue: number | null;
  outlook: string | null;
  reason: string | null;
  currency: string;
}

let repeatBuyer: string | undefined;

describe('customer value predictions', () => {
  const svc = useLocalService({ now: END, modelCacheMs: 0 });
  const get = getter(() => svc.url);
  // An operator's training configuration that requires the forecasts, so they are clustered
  // whatever the backtest says: a service of its own, given the same shoppers.
  const clustered = useLocalService({
    now: END,
    modelCacheMs: 0,
    retrain: { training: { ...defaultTrainingConfig, required: [...CLV_FEATURES] } },
  });

  it('are fitted at retrain, shown in every lookup, and summarised per segment', async () => {
    const { messages } = demoTraffic({ end: new Date(END), shoppers: 200, seed: 5 });
    await sendInBatches(svc.url, keys.writeKey, messages, { batchSize: 500 });
    const run = await svc.service.retrain('manual');
    expect(run.outcome, run.reason).toBe('promoted');
    expect(run.timings).toHaveProperty('clv');

    const model = (await get(`/v1/models/${run.modelVersion}`)).body as {
      clv: { model: { bgnbd: Record<string, number> | null; reason?: string } };
    };
    expect(model.clv.model.reason).toBeUndefined();
    for (const value of Object.values(model.clv.model.bgnbd ?? {})) expect(value).toBeGreaterThan(0);

    const buyers = new Set(messages.filter((m) => m.event === 'Order Completed').map((m) => m.userId));
    repeatBuyer = [...buyers].find(
      (id) => messages.filter((m) => m.userId === id && m.event === 'Order Completed').length > 2,
    );
    let lapsing = 0;
    for (const shopper of [...buyers].slice(0, 60)) {
      const { status, body } = await get(`/v1/users/${shopper}/segment`);
      expect(status).toBe(200);
      const p = body.predictions as Predictions;
      expect(p.reason).toBeNull();
      expect(p.pAlive).toBeGreaterThanOrEqual(0);
      expect(p.pAlive).toBeLessThanOrEqual(1);
      expect(p.expectedOrders).toBeGreaterThanOrEqual(0);
      expect(p.predictedValue).toBeGreaterThanOrEqual(0);
      expect(p.currency).toBe('USD');
      if (p.outlook?.includes('likely to lapse')) {
        lapsing += 1;
        expect(p.pAlive).toBeLessThan(0.5);
      }
    }
    expect(lapsing).toBeGreaterThan(0);

    // A shopper who has not bought yet gets null figures and why.
    const browser = [...new Set(messages.map((m) => m.userId))].find((id) => !buyers.has(id));
    if (browser) {
      const p = (await get(`/v1/users/${browser}/segment`)).body.predictions as Predictions;
      expect(p).toMatchObject({ pAlive: null, expectedOrders: null, predictedValue: null });
      expect(p.reason).toContain('no purchase yet');
    }

    const catalogue = (await get('/v1/segments')).body.segments as {
      id: string;
      description: string;
      forecast: { pAlive: number; predictedValue: number | null } | null;
    }[];
    const clustered = catalogue.filter((s) => s.id !== 'prospects');
    for (const s of clustered) {
      expect(s.forecast?.pAlive).toBeGreaterThan(0);
      // A forecast sentence is its own sentence after the description in real units.
      expect(s.description).not.toMatch(/[^.] (Likely to lapse|High predicted value)/);
    }
    // The demo's big spenders stand out: some segment is described by its predicted value.
    expect(clustered.some((s) => s.description.includes('. High predicted value: about'))).toBe(true);
    expect(catalogue.find((s) => s.id === 'prospects')?.forecast).toBeNull();
  }, 240_000);

  it('can cluster on the forecasts: the lookup explains them next to the segment values', async () => {
    // Required, so clustered whatever the backtest says: what an operator who wants them gets.
    const { messages } = demoTraffic({ end: new Date(END), shoppers: 200, seed: 5 });
    await sendInBatches(clustered.url, keys.writeKey, messages, { batchSize: 500 });
    const run = await clustered.service.retrain('manual');
    expect(run.outcome, run.reason).toBe('promoted');
    const { body } = await getter(() => clustered.url)(`/v1/users/${repeatBuyer}/segment`);
    const features = body.features as { feature: string; value: number; typical: number | null }[];
    const named = new Map(features.map((f) => [f.feature, f]));
    const p = body.predictions as Predictions;
    expect(named.get('pAlive')?.value).toBeCloseTo(p.pAlive ?? Number.NaN, 2);
    expect(named.get('expectedOrders')?.value).toBeCloseTo(p.expectedOrders ?? Number.NaN, 2);
    expect(named.get('predictedValue')?.typical).toBeTypeOf('number');
  }, 240_000);
});

describe('customer value with too few repeat buyers', () => {
  const svc = useLocalService({ now: END, modelCacheMs: 0 });

  it('answers null figures with the reason, never NaN', async () => {
    // 40 one-order shoppers: enough to train segments, no repeat buyer to fit BG/NBD on.
    const events = Array.from({ length: 40 }, (_, i) =>
      order(`single-${i}`, `o-${i}`, 10 + i * 3, `2026-0${1 + (i % 6)}-1${i % 10}T10:00:00Z`),
    );
    await postBatch(svc.url, events);
    const run = await svc.service.retrain('manual');
    expect(run.outcome, run.reason).toBe('promoted');
    const res = await fetch(`${svc.url}/v1/users/single-3/segment`, {
      headers: { authorization: `Bearer ${keys.readKey}` },
    });
    const text = await res.text();
    expect(res.status).toBe(200);
    expect(text).not.toMatch(/NaN|Infinity/);
    const p = (JSON.parse(text) as { predictions: Predictions }).predictions;
    expect(p).toMatchObject({ pAlive: null, expectedOrders: null, predictedValue: null, outlook: null });
    expect(p.reason).toContain('too few repeat buyers');
  }, 120_000);
});
