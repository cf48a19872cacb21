/**
 * Real data end to end: the CDNOW purchase log (1997-01 .. 1998-06; one row per purchase:
 * customer, date, number of CDs, dollars) goes in through POST /v1/batch as Segment
 * `Order Completed` events, and the profiles read back over HTTP must equal sums computed here
 * straight from the file: lifetime orders, revenue to the cent, units, first and last order,
 * and the 30/90/365-day windows as of the pinned clock, 1998-07-01.
 *
 * Scope, for time: ingesting all 69,659 rows through the local emulators takes about 4.5 minutes
 * on a 2-core machine (~250 events/s), so this ingests EVERY row of a deterministic subset of
 * customers: every customer whose id is a multiple of 4, plus the 20 biggest spenders of the
 * whole file (18,690 rows, 5,909 shoppers). All comparisons are on that subset.
 *
 * Each shopper's rows are split over two passes (1st, 3rd, 5th... purchase, then 2nd, 4th...),
 * as a live site's events arrive over many requests rather than one per shopper.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { CURRENT_MODEL_KEY, MANIFEST_NAME, modelKey } from '#shared/contract/bucket-layout';
import { fitClvModel, predictCustomerValue } from '#shared/customer-value/domain/predict';
import { summariseOrders } from '#shared/customer-value/domain/summary';
import { defaultTrainingConfig } from '#shared/segmentation/domain/training/train-model';
import { ModelRepository } from '#shared/segmentation/usecases/models/model-repository';
import { latestSnapshot } from '#shared/segmentation/usecases/take-snapshot/read-snapshot';
import { snapshotRefOf } from '#shared/segmentation/usecases/take-snapshot/snapshot-layout';
import { getProfile, keys, postBatch, useLocalService } from '../support/local-service';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const dataDir = resolve(repoRoot, '../shared/data/cdnow');
/** A retrain of the 23,570 CDNOW shoppers takes 60–80 s here beside the other test files: a limit, not a measure. */
const RETRAIN_TIMEOUT_MS = 300_000;
const dataFile = join(dataDir, 'CDNOW_master.txt');
const exists = existsSync(dataFile);

const AS_OF = '1998-07-01';
const DAY_MS = 86_400_000;
const BATCH_SIZE = 500;
const PARALLEL_BATCHES = 3;
const SAMPLE_SIZE = 200;

interface Row {
  /** 1-based row number after the header: the event's messageId and order id. */
  readonly row: number;
  readonly customer: number;
  /** YYYY-MM-DD */
  readonly date: string;
  readonly cds: number;
  readonly cents: number;
}

const parseFile = (text: string): { header: string; rows: Row[] } => {
  const lines = text.split('\r\n');
  const header = lines[0] ?? '';
  const rows: Row[] = [];
  for (const line of lines.slice(1)) {
    if (line.trim() === '') continue;
    const [id, yyyymmdd, cds, dollars] = line.trim().split(/\s+/);
    if (!id || !yyyymmdd || !cds || !dollars) throw new Error(`unexpected line ${JSON.stringify(line)}`);
    rows.push({
      row: rows.length + 1,
      customer: Number(id),
      date: `${yyyymmdd.slice(0, 4)}-${yyyymmdd.slice(4, 6)}-${yyyymmdd.slice(6, 8)}`,
      cds: Number(cds),
      cents: Math.round(Number(dollars) * 100),
    });
  }
  return { header, rows };
};

const userIdOf = (customer: number) => `cdnow-${customer}`;
const relative = (actual: number | undefined, expected: number | undefined): number =>
  actual === undefined || expected === undefined ? Number.POSITIVE_INFINITY : Math.abs(actual / expected - 1);
const noonOf = (date: string) => `${date}T12:00:00.000Z`;
/** First day of the N-day window ending on (and counting) the as-of day. */
const windowStart = (days: number) =>
  new Date(Date.parse(`${AS_OF}T00:00:00Z`) - (days - 1) * DAY_MS).toISOString().slice(0, 10);

const toEvent = (r: Row) => ({
  type: 'track',
  event: 'Order Completed',
  userId: userIdOf(r.customer),
  messageId: `cdnow-${r.row}`,
  timestamp: noonOf(r.date),
  properties: {
    order_id: `cdnow-${r.row}`,
    revenue: r.cents / 100,
    currency: 'USD',
    products: [{ product_id: 'cd', category: 'Music', quantity: r.cds }],
  },
});

interface WindowSums {
  orders: number;
  cents: number;
  units: number;
}
interface Expected {
  readonly customer: number;
  orders: number;
  cents: number;
  units: number;
  first: string;
  last: string;
  days: Set<string>;
  windows: Record<30 | 90 | 365, WindowSums>;
}

const expectedByCustomer = (rows: readonly Row[]): Map<number, Expected> => {
  const starts = { 30: windowStart(30), 90: windowStart(90), 365: windowStart(365) };
  const map = new Map<number, Expected>();
  for (const r of rows) {
    let e = map.get(r.customer);
    if (!e) {
      e = {
        customer: r.customer,
        orders: 0,
        cents: 0,
        units: 0,
        first: r.date,
        last: r.date,
        days: new Set(),
        windows: {
          30: { orders: 0, cents: 0, units: 0 },
          90: { orders: 0, cents: 0, units: 0 },
          365: { orders: 0, cents: 0, units: 0 },
        },
      };
      map.set(r.customer, e);
    }
    e.orders += 1;
    e.cents += r.cents;
    e.units += r.cds;
    if (r.date < e.first) e.first = r.date;
    if (r.date > e.last) e.last = r.date;
    e.days.add(r.date);
    for (const days of [30, 90, 365] as const) {
      if (r.date >= starts[days] && r.date <= AS_OF) {
        e.windows[days].orders += 1;
        e.windows[days].cents += r.cents;
        e.windows[days].units += r.cds;
      }
    }
  }
  return map;
};

const inChunks = <T>(items: readonly T[], size: number): T[][] => {
  const chunks: T[][] = [];
  for (let i = 0; i < items.length; i += size) chunks.push(items.slice(i, i + size));
  return chunks;
};

const mapLimited = async <T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<R>,
): Promise<R[]> => {
  const results: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: limit }, async () => {
      while (next < items.length) {
        const i = next++;
        results[i] = await fn(items[i] as T);
      }
    }),
  );
  return results;
};

type Profile = Record<string, unknown> & {
  orders: number;
  revenue: number;
  units: number;
  activeDays: number;
  duplicateOrders: number;
  windows: Record<string, { orders: number; revenue: number; units: number }>;
};

interface State {
  header: string;
  rows: Row[];
  subsetRows: Row[];
  expected: Map<number, Expected>;
  sample: number[];
  batches: Row[][];
  results: { status: number; body: Record<string, unknown> }[];
  profiles: Map<number, { status: number; body: Profile }>;
  timings: Record<string, number>;
}

describe.skipIf(!exists)(
  exists
    ? 'CDNOW real data through /v1/batch, profiles checked against the file'
    : 'CDNOW real data (skipped: ../shared/data/cdnow not found)',
  () => {
    const service = useLocalService({ now: AS_OF });
    // Another seed is another training configuration, which a service takes at start: a second
    // service trains with it, on the first one's snapshot and on top of its model (copied over).
    const reseeded = useLocalService({
      now: AS_OF,
      retrain: { training: { ...defaultTrainingConfig, seed: 4242 } },
    });
    const state = {} as State;

    beforeAll(async () => {
      const started = Date.now();
      const { header, rows } = parseFile(readFileSync(dataFile, 'utf8'));
      const spend = new Map<number, number>();
      for (const r of rows) spend.set(r.customer, (spend.get(r.customer) ?? 0) + r.cents);
      const topSpenders = [...spend.entries()]
        .sort((a, b) => b[1] - a[1] || a[0] - b[0])
        .slice(0, 20)
        .map(([c]) => c);
      const inSubset = new Set([...spend.keys()].filter((c) => c % 4 === 0 || topSpenders.includes(c)));
      const subsetRows = rows.filter((r) => inSubset.has(r.customer));
      const expected = expectedByCustomer(subsetRows);

      // Sample: the 20 biggest spenders, the 10 most frequent buyers, the rest spread evenly by id.
      const subsetIds = [...expected.keys()].sort((a, b) => a - b);
      const frequent = [...expected.values()]
        .sort((a, b) => b.orders - a.orders || a.customer - b.customer)
        .slice(0, 10)
        .map((e) => e.customer);
      const sample = new Set([...topSpenders, ...frequent]);
      const step = subsetIds.length / (SAMPLE_SIZE - sample.size);
      for (let i = 0; sample.size < SAMPLE_SIZE; i++)
        sample.add(subsetIds[Math.floor(i * step) % subsetIds.length] as number);

      // Two passes: each shopper's 1st, 3rd, ... purchase, then the 2nd, 4th, ...
      const ordinal = new Map<number, number>();
      const passes: [Row[], Row[]] = [[], []];
      for (const r of subsetRows) {
        const n = ordinal.get(r.customer) ?? 0;
        ordinal.set(r.customer, n + 1);
        (n % 2 === 0 ? passes[0] : passes[1]).push(r);
      }
      const batches = [...inChunks(passes[0], BATCH_SIZE), ...inChunks(passes[1], BATCH_SIZE)];
      const results: State['results'] = [];
      const ingestStarted = Date.now();
      for (const pass of passes) {
        results.push(
          ...(await mapLimited(inChunks(pass, BATCH_SIZE), PARALLEL_BATCHES, (b) =>
            postBatch(service.url, b.map(toEvent)),
          )),
        );
      }
      const ingestMs = Date.now() - ingestStarted;

      const readStarted = Date.now();
      const profiles = new Map<number, { status: number; body: Profile }>();
      await mapLimited(subsetIds, 8, async (c) => {
        const { status, body } = await getProfile(service.url, userIdOf(c));
        profiles.set(c, { status, body: body as Profile });
      });
      const readMs = Date.now() - readStarted;

      Object.assign(state, {
        header,
        rows,
        subsetRows,
        expected,
        sample: [...sample],
        batches,
        results,
        profiles,
        timings: { totalMs: Date.now() - started, ingestMs, readMs },
      } satisfies State);
      console.info(
        `CDNOW: ingested ${subsetRows.length} rows of ${expected.size} customers in ${batches.length} batches in ${ingestMs} ms; read ${profiles.size} profiles in ${readMs} ms`,
      );
    }, 480_000); // ~100 s on an idle 2-core machine; the margin is for a busy one.

    it('the file is the CDNOW master log: 69,659 rows, 23,570 customers, $2,500,315.63, 167,881 CDs', () => {
      expect(state.header.trim().split(/\s+/)).toEqual([
        'customer_id',
        'date',
        'number_of_cds',
        'dollar_value',
      ]);
      const { rows } = state;
      expect(rows).toHaveLength(69_659);
      expect(new Set(rows.map((r) => r.customer)).size).toBe(23_570);
      expect(rows.reduce((s, r) => s + r.cents, 0)).toBe(250_031_563);
      expect(rows.reduce((s, r) => s + r.cds, 0)).toBe(167_881);
      const dates = rows.map((r) => r.date).sort();
      expect([dates[0], dates.at(-1)]).toEqual(['1997-01-01', '1998-06-30']);
      expect(windowStart(365)).toBe('1997-07-02');
    });

    it('every batch was accepted in full: nothing rejected, nothing taken for a duplicate', () => {
      expect(state.subsetRows.length).toBeGreaterThan(17_000);
      for (const result of state.results) {
        expect(result.status, JSON.stringify(result.body).slice(0, 500)).toBe(200);
        expect(result.body).toMatchObject({ success: true, duplicates: 0, rejected: [] });
      }
      expect(state.results.reduce((s, r) => s + (r.body.accepted as number), 0)).toBe(
        state.subsetRows.length,
      );
    });

    it(`${SAMPLE_SIZE} sampled shoppers (incl. the 20 biggest spenders): lifetime figures equal the file's`, () => {
      expect(state.sample).toHaveLength(SAMPLE_SIZE);
      for (const customer of state.sample) {
        const e = state.expected.get(customer);
        const p = state.profiles.get(customer);
        if (!e || !p) throw new Error(`customer ${customer} missing`);
        expect(p.status, `customer ${customer}`).toBe(200);
        expect(p.body, `customer ${customer}`).toMatchObject({
          shopperId: userIdOf(customer),
          anonymous: false,
          currency: 'USD',
          orders: e.orders,
          revenue: e.cents / 100,
          units: e.units,
          duplicateOrders: 0,
          firstOrderAt: noonOf(e.first),
          lastOrderAt: noonOf(e.last),
          firstSeen: noonOf(e.first),
          lastSeen: noonOf(e.last),
          averageOrderValue: Math.round((e.cents / 100 / e.orders) * 10_000) / 10_000,
          categories: [
            { name: 'Music', views: 0, cartAdds: 0, orders: e.orders, units: e.units, revenue: 0 },
          ],
          purchasedProducts: ['cd'],
        });
      }
    });

    it(`${SAMPLE_SIZE} sampled shoppers: 30/90/365-day windows as of ${AS_OF} equal the file's`, () => {
      for (const customer of state.sample) {
        const e = state.expected.get(customer);
        const p = state.profiles.get(customer);
        if (!e || !p) throw new Error(`customer ${customer} missing`);
        expect(p.body.asOf).toBe(`${AS_OF}T00:00:00.000Z`);
        for (const days of [30, 90, 365] as const) {
          const w = p.body.windows[`last${days}Days`];
          expect(w, `customer ${customer}, last ${days} days`).toMatchObject({
            days,
            orders: e.windows[days].orders,
            revenue: e.windows[days].cents / 100,
            units: e.windows[days].units,
          });
        }
      }
    });

    it('totals over every profile of the subset equal the file: shoppers, orders, revenue, units, last-365-day figures', () => {
      const profiles = [...state.profiles.values()];
      expect(profiles).toHaveLength(state.expected.size);
      expect(profiles.filter((p) => p.status !== 200)).toEqual([]);
      const sum = (f: (p: Profile) => number) => profiles.reduce((s, p) => s + f(p.body), 0);
      const expected = [...state.expected.values()];
      const esum = (f: (e: Expected) => number) => expected.reduce((s, e) => s + f(e), 0);
      expect(sum((p) => p.orders)).toBe(state.subsetRows.length);
      expect(sum((p) => Math.round(p.revenue * 100))).toBe(esum((e) => e.cents));
      expect(sum((p) => p.units)).toBe(esum((e) => e.units));
      expect(sum((p) => p.windows.last365Days?.orders ?? Number.NaN)).toBe(
        esum((e) => e.windows[365].orders),
      );
      expect(sum((p) => Math.round((p.windows.last365Days?.revenue ?? Number.NaN) * 100))).toBe(
        esum((e) => e.windows[365].cents),
      );
      // And every single profile, not just the sums.
      const mismatched = [...state.profiles.entries()].filter(([c, p]) => {
        const e = state.expected.get(c);
        return (
          !e ||
          p.body.orders !== e.orders ||
          Math.round(p.body.revenue * 100) !== e.cents ||
          p.body.units !== e.units
        );
      });
      expect(mismatched.map(([c]) => c)).toEqual([]);
    });

    it('activeDays is the number of distinct days with an order, for every shopper of the subset', () => {
      const wrong = [...state.profiles.entries()]
        .map(([c, p]) => ({
          customer: c,
          activeDays: p.body.activeDays,
          distinctDays: state.expected.get(c)?.days.size,
        }))
        .filter((x) => x.activeDays !== x.distinctDays);
      expect(wrong.length, `e.g. ${JSON.stringify(wrong.slice(0, 3))}`).toBe(0);
    });

    it('replaying one whole batch changes nothing: all 500 reported as duplicates, profiles identical', async () => {
      const batch = state.batches[0];
      if (!batch) throw new Error('no batch');
      const replay = await postBatch(service.url, batch.map(toEvent));
      expect(replay.status).toBe(200);
      expect(replay.body).toEqual({
        success: true,
        accepted: batch.length,
        duplicates: batch.length,
        rejected: [],
      });
      const customers = [...new Set(batch.map((r) => r.customer))];
      for (const c of customers) {
        const { status, body } = await getProfile(service.url, userIdOf(c));
        expect(status).toBe(200);
        expect(body, `customer ${c}`).toEqual(state.profiles.get(c)?.body);
      }
    });

    it('the same orders resent under new messageIds are recognised by order id: no order or dollar counted twice', async () => {
      const top = state.sample.slice(0, 5);
      const rows = state.subsetRows.filter((r) => top.includes(r.customer));
      const resent = rows.map((r) => ({ ...toEvent(r), messageId: `cdnow-${r.row}-resent` }));
      const answer = await postBatch(service.url, resent);
      expect(answer.status).toBe(200);
      expect(answer.body).toMatchObject({ success: true, accepted: rows.length, rejected: [] });
      for (const c of top) {
        const before = state.profiles.get(c)?.body;
        const { body } = await getProfile(service.url, userIdOf(c));
        const e = state.expected.get(c);
        expect(body, `customer ${c}`).toMatchObject({
          orders: before?.orders,
          revenue: before?.revenue,
          units: before?.units,
          duplicateOrders: e?.orders,
        });
      }
    });

    it(
      'retraining on its snapshot gives plausible RFM segments: Champions buy more often and spend more than Hibernating or Lost',
      async () => {
        const run = await service.service.retrain('manual');
        expect(run.outcome, run.reason).toBe('promoted');
        const model = await new ModelRepository(service.service.retrainPorts.objects).current();
        const segments = model?.segments ?? [];
        const champions = segments.find((s) => s.name === 'Champions');
        const lapsed = segments.filter((s) => s.name === 'Hibernating' || s.name === 'Lost');
        expect(champions, segments.map((s) => s.name).join(', ')).toBeDefined();
        expect(lapsed.length).toBeGreaterThan(0);
        for (const s of lapsed) {
          expect(champions?.centroidReal.frequency365 ?? 0).toBeGreaterThan(s.centroidReal.frequency365 ?? 0);
          expect(champions?.centroidReal.monetary365 ?? 0).toBeGreaterThan(s.centroidReal.monetary365 ?? 0);
        }
        console.info(
          `CDNOW segments: ${segments.map((s) => `${s.id} ${s.name} ${(s.share * 100).toFixed(1)}% — ${s.description}`).join(' | ')}`,
        );
      },
      RETRAIN_TIMEOUT_MS,
    );

    it('fits BG/NBD and Gamma-Gamma at retrain from the live profiles as from the file, and the lookup shows the predictions', async () => {
      const model = await new ModelRepository(service.service.retrainPorts.objects).current();
      const clv = model?.clv;
      if (!clv) throw new Error('the promoted model has no customer value models');
      // The same summaries straight from the file: days, observed to the as-of date.
      const ordersOf = new Map<number, { at: string; value: number }[]>();
      for (const r of state.subsetRows)
        ordersOf.set(r.customer, [...(ordersOf.get(r.customer) ?? []), { at: r.date, value: r.cents / 100 }]);
      const fromFile = new Map(
        [...ordersOf].map(([c, orders]) => [
          c,
          summariseOrders(orders, { calibrationEnd: AS_OF, unit: 'day' }),
        ]),
      );
      const reference = fitClvModel(
        [...fromFile.values()].filter((s) => s !== null),
        { unit: 'day' },
      );
      expect(clv.model.fittedOn.customers).toBe(state.expected.size);
      // The profiles' summaries are the file's (old order days are archived exactly, same-day
      // orders of early 1997 included): the fits agree up to the optimiser's tolerance.
      for (const key of ['r', 'alpha', 'a', 'b'] as const)
        expect(relative(clv.model.bgnbd?.[key], reference.bgnbd?.[key]), key).toBeLessThan(1e-4);
      for (const key of ['p', 'q', 'v'] as const)
        expect(relative(clv.model.gammaGamma?.[key], reference.gammaGamma?.[key]), key).toBeLessThan(1e-4);

      for (const customer of state.sample.slice(0, 40)) {
        const res = await fetch(`${service.url}/v1/users/${userIdOf(customer)}/segment`, {
          headers: { authorization: `Bearer ${keys.readKey}` },
        });
        expect(res.status).toBe(200);
        const { predictions } = (await res.json()) as { predictions: Record<string, unknown> };
        expect(predictions).toMatchObject({
          horizonDays: 90,
          valueMonths: 12,
          currency: 'USD',
          reason: null,
        });
        const expected = predictCustomerValue(clv.model, fromFile.get(customer) ?? null);
        if (!expected.ok) throw new Error(expected.reason);
        expect(predictions.pAlive).toBeCloseTo(expected.pAlive, 3);
        expect(predictions.expectedOrders).toBeCloseTo(expected.expectedOrders, 3);
        expect(predictions.predictedValue as number).toBeCloseTo(expected.predictedValue ?? Number.NaN, 1);
      }
      console.info(
        `CDNOW CLV from live profiles (days): r ${clv.model.bgnbd?.r.toFixed(4)} alpha ${clv.model.bgnbd?.alpha.toFixed(3)} a ${clv.model.bgnbd?.a.toFixed(4)} b ${clv.model.bgnbd?.b.toFixed(4)}; p ${clv.model.gammaGamma?.p.toFixed(3)} q ${clv.model.gammaGamma?.q.toFixed(3)} v ${clv.model.gammaGamma?.v.toFixed(3)}; segments: ${model.segments.map((s) => `${s.name} P(alive) ${s.forecast?.pAlive} value ${s.forecast?.predictedValue}`).join(' | ')}`,
      );
    });

    it(
      'retraining the same snapshot with another seed keeps the segments: ARI ≥ 0.9 after matching, same ids',
      async () => {
        const { objects } = service.service.retrainPorts;
        const repo = new ModelRepository(objects);
        const first = await repo.current();
        const manifest = await latestSnapshot(objects);
        if (!manifest || !first) throw new Error('no snapshot or no model');
        const into = reseeded.service.retrainPorts.objects;
        const copy = async (key: string, contentType: string) => {
          const body = await objects.get(key);
          if (!body) throw new Error(`${key} is missing`);
          await into.put(key, body, contentType);
        };
        for (const part of manifest.parts) await copy(part.key, 'application/gzip');
        // The snapshot as its reference names it: the parts list (the reassignment map's items), the
        // summary and the manifest.
        const snapshot = snapshotRefOf(manifest);
        expect(snapshot.manifestKey).toBe(`${manifest.prefix}${MANIFEST_NAME}`);
        for (const key of [snapshot.partsKey, snapshot.summaryKey, snapshot.manifestKey])
          await copy(key, 'application/json');
        await copy(modelKey(first.version), 'application/json');
        await copy(CURRENT_MODEL_KEY, 'application/json');
        // The retrain started with the snapshot given, as a drift check starts it.
        const run = await reseeded.service.retrain('manual', snapshot);
        expect(run.outcome, run.reason).toBe('promoted');
        expect(run.stability?.ari).toBeGreaterThanOrEqual(0.9);
        const second = await new ModelRepository(into).current();
        expect(second?.segments.map((s) => s.id).sort()).toEqual(first?.segments.map((s) => s.id).sort());
        console.info(`CDNOW retrain with another seed: ARI ${run.stability?.ari.toFixed(4)}, K ${run.k}`);
      },
      RETRAIN_TIMEOUT_MS,
    );
  },
);
