/**
 * The reads a marketers' dashboard needs, on the emulators through HTTP: the catalogue's revenue
 * shares, typical shoppers and totals; segments over time with the last migration; one segment's
 * profile. Expectations come from independent reads — the stored model (GET /v1/models/{version}),
 * the run records, the members pages and the shoppers' profiles — never from constants. Every answer
 * is checked against the OpenAPI document the service serves.
 */
import Ajv2020, { type ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { beforeAll, describe, expect, it } from 'vitest';
import { demoTraffic } from '#local/demo-data';
import { sendInBatches } from '#local/demo-loader';
import type { OpenApiDocument, Reference, ResponseObject } from '#shared/http/openapi/types';
import type { RetrainRun, SegmentModel } from '#shared/segmentation/domain/segment-model';
import { keys, useLocalService } from '../support/local-service';

const END = '2026-06-30T00:00:00Z';
const DAY_MS = 86_400_000;
const svc = useLocalService({ now: END, modelCacheMs: 0 });

// biome-ignore lint/suspicious/noExplicitAny: answers are read loosely here; their shape is checked against the document
type Json = Record<string, any>;
interface Answer {
  readonly status: number;
  readonly body: Json;
}

const get = async (path: string, key: string | null = keys.readKey): Promise<Answer> => {
  const res = await fetch(`${svc.url}${path}`, key ? { headers: { authorization: `Bearer ${key}` } } : {});
  return { status: res.status, body: (await res.json()) as Json };
};

/** Validates answers against the served document (JSON Schema 2020-12, strict). */
let doc: OpenApiDocument;
let ajv: Ajv2020;
const validators = new Map<string, ValidateFunction>();
const COMPONENTS = 'urn:dashboard-test:components';
const rewrite = (value: unknown): unknown =>
  Array.isArray(value)
    ? value.map(rewrite)
    : value && typeof value === 'object'
      ? Object.fromEntries(
          Object.entries(value).map(([k, v]) => [
            k,
            k === '$ref' && typeof v === 'string' && v.startsWith('#/components/schemas/')
              ? `${COMPONENTS}#/$defs/${v.slice('#/components/schemas/'.length)}`
              : rewrite(v),
          ]),
        )
      : value;
const expectDocumented = (answer: Answer, path: string): void => {
  const operation = doc.paths[path]?.get;
  if (!operation) throw new Error(`the document has no GET ${path}`);
  let response = operation.responses[String(answer.status)] as ResponseObject | Reference | undefined;
  if (response && '$ref' in response)
    response = doc.components.responses[response.$ref.split('/').at(-1) as string];
  const schema = (response as ResponseObject | undefined)?.content?.['application/json']?.schema;
  if (!schema) throw new Error(`GET ${path} → ${answer.status} is not documented`);
  const key = `${path} ${answer.status}`;
  let validate = validators.get(key);
  if (!validate) {
    validate = ajv.compile(rewrite(schema) as object);
    validators.set(key, validate);
  }
  if (!validate(answer.body))
    throw new Error(
      `GET ${path} → ${answer.status} fails the document: ${JSON.stringify(validate.errors?.slice(0, 5))}`,
    );
};

const round = (x: number, digits: number) => Math.round(x * 10 ** digits) / 10 ** digits;
const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
};

const members = async (segmentId: string): Promise<string[]> => {
  const ids: string[] = [];
  let cursor: string | null = null;
  do {
    const page: Answer = await get(
      `/v1/segments/${segmentId}/members?limit=1000${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
    );
    ids.push(...(page.body.members as { shopperId: string }[]).map((m) => m.shopperId));
    cursor = page.body.nextCursor as string | null;
  } while (cursor);
  return ids;
};

const storedModel = async (version: string): Promise<SegmentModel> =>
  (await get(`/v1/models/${version}`)).body as unknown as SegmentModel;

let first: RetrainRun;
let second: RetrainRun;

describe('dashboard reads', () => {
  beforeAll(async () => {
    const res = await fetch(`${svc.url}/openapi.json`);
    doc = (await res.json()) as OpenApiDocument;
    ajv = new Ajv2020({ strict: true, strictRequired: false, allErrors: true, allowUnionTypes: true });
    addFormats(ajv);
    ajv.addSchema({ $id: COMPONENTS, $defs: rewrite(doc.components.schemas) as Json });
  });

  it('answers 503 no_model before any model, as documented', async () => {
    for (const path of ['/v1/segments-over-time', '/v1/segments/seg-1/profile']) {
      const answer = await get(path);
      expect(answer.status, path).toBe(503);
      expect(answer.body.error).toBe('no_model');
      expectDocumented(answer, path.includes('profile') ? '/v1/segments/{segmentId}/profile' : path);
    }
  });

  it('trains a first model on the demo shoppers', async () => {
    const { messages } = demoTraffic({ end: new Date(END), shoppers: 150, seed: 3 });
    await sendInBatches(
      svc.url,
      keys.writeKey,
      [...messages].sort((a, b) => a.userId.localeCompare(b.userId)),
      { batchSize: 500 },
    );
    first = await svc.service.retrain('manual');
    expect(first.outcome, first.reason).toBe('promoted');
    await svc.service.settled();
  }, 180_000);

  it("the catalogue's revenue shares, typical shoppers and totals are the model's, and the members' own", async () => {
    const catalogue = await get('/v1/segments');
    expect(catalogue.status).toBe(200);
    expectDocumented(catalogue, '/v1/segments');
    const model = await storedModel(first.modelVersion as string);
    const segments = catalogue.body.segments as Json[];
    const clusters = segments.filter((s) => s.id !== 'prospects');
    const prospects = segments.find((s) => s.id === 'prospects') as Json;

    expect(catalogue.body.currency).toBe(model.currency);
    expect(catalogue.body.totals).toEqual({
      shoppers: segments.reduce((n, s) => n + s.size, 0),
      buyers: clusters.reduce((n, s) => n + s.size, 0),
      prospects: prospects.size,
      revenueBasis: {
        measure: 'spend in the last 365 days',
        sampledBuyers: model.figures?.sampled,
        sampledRevenue: model.figures?.revenue365,
      },
    });
    expect(prospects).toMatchObject({ revenueShare: 0, typical: null });
    expect(clusters.reduce((n, s) => n + s.revenueShare, 0)).toBeCloseTo(1, 3);

    // Every buyer is in the training sample at this size: the shares and medians are the members'.
    const profilesOf = async (ids: string[]) =>
      Promise.all(ids.map(async (id) => (await get(`/v1/users/${encodeURIComponent(id)}/profile`)).body));
    const spendBySegment = new Map<string, number>();
    for (const summary of clusters) {
      const stored = model.segments.find((s) => s.id === summary.id);
      const figures = stored?.figures;
      if (!figures) throw new Error(`${summary.id} has no figures in the model`);
      expect(summary.revenueShare).toBe(round(figures.revenueShare, 4));
      expect(summary.typical).toEqual({
        recencyDays: figures.features.recencyDays?.median,
        orders365: figures.features.frequency365?.median,
        spend365: figures.features.monetary365?.median,
        averageOrderValue: figures.features.averageOrderValue?.median,
      });
      const profiles = await profilesOf(await members(summary.id));
      expect(profiles.length).toBe(summary.size);
      spendBySegment.set(
        summary.id,
        profiles.reduce((n, p) => n + p.windows.last365Days.revenue, 0),
      );
      const recency = profiles.map((p) => Math.floor((Date.parse(END) - Date.parse(p.lastOrderAt)) / DAY_MS));
      expect(Math.abs(median(recency) - summary.typical.recencyDays)).toBeLessThanOrEqual(1);
      expect(median(profiles.map((p) => p.windows.last365Days.orders))).toBe(summary.typical.orders365);
    }
    const totalSpend = [...spendBySegment.values()].reduce((a, b) => a + b, 0);
    expect(model.figures?.revenue365).toBeCloseTo(totalSpend, 0);
    for (const summary of clusters)
      expect(summary.revenueShare).toBeCloseTo((spendBySegment.get(summary.id) as number) / totalSpend, 3);
  });

  it("a segment's profile is the model's figures, its members' products, and bounded", async () => {
    const catalogue = (await get('/v1/segments')).body;
    const model = await storedModel(first.modelVersion as string);
    const population = model.figures;
    if (!population) throw new Error('the model has no population figures');
    for (const summary of catalogue.segments as Json[]) {
      const path = `/v1/segments/${summary.id}/profile`;
      const answer = await get(path);
      expect(answer.status, path).toBe(200);
      expectDocumented(answer, '/v1/segments/{segmentId}/profile');
      const profile = answer.body;
      expect(profile).toMatchObject({
        segmentId: summary.id,
        name: summary.name,
        description: summary.description,
        modelVersion: model.version,
        size: summary.size,
        share: summary.share,
        revenueShare: summary.revenueShare,
        forecast: summary.forecast,
        policy: summary.policy,
        policySource: summary.policySource,
      });
      expect(profile.topProducts.length).toBeLessThanOrEqual(20);
      if (summary.id === 'prospects') {
        expect(profile).toMatchObject({ features: [], predictedValue: null, sampled: null });
        continue;
      }
      const stored = model.segments.find((s) => s.id === summary.id);
      const figures = stored?.figures;
      if (!stored || !figures) throw new Error(`${summary.id} has no figures`);
      expect(profile.sampled).toEqual({ segment: figures.sampled, population: population.sampled });

      // Feature by feature, the model's figures; z and ratio from them; most distinctive first.
      expect(profile.features.length).toBe(Object.keys(figures.features).length);
      for (const row of profile.features as Json[]) {
        const own = figures.features[row.feature as keyof typeof figures.features];
        const all = population.features[row.feature as keyof typeof population.features];
        if (!own || !all) throw new Error(`no figures for ${row.feature}`);
        expect(row.segment).toEqual(own);
        expect(row.population).toEqual({ median: all.median, mean: all.mean });
        expect(row.z).toBe(all.std > 0 ? round((own.mean - all.mean) / all.std, 3) : null);
        expect(row.ratio).toBe(all.mean !== 0 ? round(own.mean / all.mean, 3) : null);
      }
      const zs = (profile.features as Json[]).map((f) => Math.abs(f.z ?? 0));
      expect(zs).toEqual([...zs].sort((a, b) => b - a));

      // The rules, in the model's order, each with its agreement.
      expect((profile.rules as Json[]).map((r) => r.rule)).toEqual(stored.rules);
      for (const rule of profile.rules as Json[]) {
        expect(rule.precision).toBeGreaterThan(0);
        expect(rule.coverage).toBeGreaterThan(0);
      }
      expect(profile.rulesAgreement).toBe(round(model.metrics.rulesAgreement, 4));

      // Predicted value: the forecast's mean, shares adding to 1, shoppers scaled to the segment.
      const value = profile.predictedValue as Json | null;
      if (summary.forecast?.predictedValue == null) expect(value).toBeNull();
      else {
        if (!value) throw new Error(`${summary.id} has a forecast but no distribution`);
        expect(value.mean).toBeCloseTo(summary.forecast.predictedValue, 1);
        expect(value.sampled).toBe(figures.predictedValue?.sampled);
        const buckets = value.buckets as Json[];
        expect(buckets.length).toBeLessThanOrEqual(32);
        expect(buckets.reduce((n, b) => n + b.share, 0)).toBeCloseTo(1, 4);
        for (const b of buckets) expect(b.shoppers).toBe(Math.round(b.share * summary.size));
        expect(value.median).toBeGreaterThanOrEqual(buckets[0]?.from);
      }

      // Top products: most buyers first; each bought by as many of the segment's members as it says.
      const top = profile.topProducts as Json[];
      expect(top.map((p) => p.buyers)).toEqual([...top.map((p) => p.buyers)].sort((a, b) => b - a));
      if (top.length > 0) {
        const ids = await members(summary.id);
        const bought = await Promise.all(
          ids.map(async (id) => {
            const p = (await get(`/v1/users/${encodeURIComponent(id)}/profile`)).body;
            return new Set<string>([
              ...(p.purchasedProducts ?? []),
              ...(p.recentPurchases ?? []).map((r: Json) => r.productId),
              ...(p.purchaseHistory ?? []).map((r: Json) => r.productId),
            ]);
          }),
        );
        for (const product of top.slice(0, 3))
          expect(bought.filter((set) => set.has(product.productId)).length, product.productId).toBe(
            product.buyers,
          );
      }
    }
  });

  it('answers 404 for an unknown segment, 401 without a read key, and opens to the admin key', async () => {
    const unknown = await get('/v1/segments/seg-999/profile');
    expect(unknown.status).toBe(404);
    expect(unknown.body.error).toBe('not_found');
    expectDocumented(unknown, '/v1/segments/{segmentId}/profile');
    for (const path of ['/v1/segments-over-time', '/v1/segments/seg-1/profile']) {
      for (const key of [null, keys.writeKey, 'not-a-key']) {
        const refused = await get(path, key);
        expect(refused.status, `${path} ${key}`).toBe(401);
        expectDocumented(refused, path.includes('profile') ? '/v1/segments/{segmentId}/profile' : path);
      }
      expect((await get(path, keys.adminKey)).status).toBe(200);
    }
  });

  it('over time, a first model is one line and no migration; bad limits are a 400 naming limit', async () => {
    const answer = await get('/v1/segments-over-time');
    expect(answer.status).toBe(200);
    expectDocumented(answer, '/v1/segments-over-time');
    const catalogue = (await get('/v1/segments')).body;
    expect(answer.body.current).toBe(first.modelVersion);
    expect(answer.body.migration).toBeNull();
    expect(answer.body.models).toHaveLength(1);
    const [only] = answer.body.models as Json[];
    expect(only?.segments).toEqual(
      (catalogue.segments as Json[]).map((s) => ({ id: s.id, name: s.name, size: s.size, share: s.share })),
    );
    expect(only?.shoppers).toBe(catalogue.totals.shoppers);
    for (const limit of ['0', '51', 'x', '-1', '2.5']) {
      const bad = await get(`/v1/segments-over-time?limit=${limit}`);
      expect(bad.status, limit).toBe(400);
      expect(bad.body.field).toBe('limit');
      expectDocumented(bad, '/v1/segments-over-time');
    }
  });

  it('over time, after a second retrain: both models oldest first, sizes as counted, and the migration the retrain recorded', async () => {
    second = await svc.service.retrain('manual');
    expect(second.outcome, second.reason).toBe('promoted');
    await svc.service.settled();
    const answer = await get('/v1/segments-over-time?limit=50');
    expect(answer.status).toBe(200);
    expectDocumented(answer, '/v1/segments-over-time');
    const { models, migration, current } = answer.body as {
      models: Json[];
      migration: Json | null;
      current: string;
    };
    expect(current).toBe(second.modelVersion);
    expect(models.map((m) => m.version)).toEqual([first.modelVersion, second.modelVersion]);

    // Each model's sizes are its run's population counts.
    const runs = (await get('/v1/models')).body.runs as RetrainRun[];
    for (const entry of models) {
      const run = runs.find((r) => r.modelVersion === entry.version);
      const counted = run?.reassigned;
      if (!counted?.segments) throw new Error(`run of ${entry.version} has no counts`);
      expect(entry.sizes).toBe('population');
      expect(entry.shoppers).toBe(counted.shoppers);
      const stored = await storedModel(entry.version);
      expect(entry.sequence).toBe(stored.sequence ?? null);
      expect(entry.trainedAt).toBe(stored.createdAt);
      expect((entry.segments as Json[]).map((s) => s.id)).toEqual([
        ...stored.segments.map((s) => s.id),
        'prospects',
      ]);
      for (const s of entry.segments as Json[]) {
        expect(s.size).toBe(counted.segments[s.id] ?? 0);
        expect(s.share).toBe(round(s.size / counted.shoppers, 4));
      }
    }

    // The migration is the second model's stability report, cell by cell.
    const model = await storedModel(second.modelVersion as string);
    const stability = model.stability;
    if (!stability || !migration) throw new Error('no stability after a second retrain');
    const expected = Object.entries(stability.migration)
      .flatMap(([from, row]) => Object.entries(row).map(([to, shoppers]) => ({ from, to, shoppers })))
      .filter((c) => c.shoppers > 0)
      .sort((a, b) => a.from.localeCompare(b.from) || a.to.localeCompare(b.to));
    expect(migration).toEqual({
      from: first.modelVersion,
      to: second.modelVersion,
      basis: 'training sample',
      shoppers: expected.reduce((n, c) => n + c.shoppers, 0),
      ari: round(stability.ari, 4),
      cells: expected,
    });
    // Segment ids keep their line: the first model's ids are matched in the second where stable.
    const ids = (entry: Json) => new Set((entry.segments as Json[]).map((s) => s.id));
    const [older, newer] = models as [Json, Json];
    expect([...ids(older)].filter((id) => ids(newer).has(id)).length).toBeGreaterThan(1);

    const one = await get('/v1/segments-over-time?limit=1');
    expect((one.body.models as Json[]).map((m) => m.version)).toEqual([second.modelVersion]);
    expect(one.body.migration).toEqual(migration);
    // A warm answer is the same answer.
    expect((await get('/v1/segments-over-time?limit=50')).body).toEqual(answer.body);
  }, 180_000);
});
