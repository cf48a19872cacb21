/**
 * The lookup's two lists hold up on a real shop: each customer's last invoice of Online Retail H1
 * held out, the profiles, model, index and lists built by the product's own code from the rest
 * (evaluate/recommendations.ts), and the lists scored against the baselines shops already use,
 * measured in the same run. Reads ../shared/data; where it is absent the suite skips itself,
 * saying so.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { isAvailable, ONLINE_RETAIL_H1 } from '#evaluate/datasets';
import { evaluateRecommendations, type RecommendationEvaluation } from '#evaluate/recommendations';

describe.skipIf(!isAvailable(ONLINE_RETAIL_H1))(
  `Online Retail H1 recommendations, last invoice held out (skipped where ${ONLINE_RETAIL_H1.file} is absent: the shared data lives in ../shared/data)`,
  () => {
    let result: RecommendationEvaluation;
    beforeAll(async () => {
      result = await evaluateRecommendations(ONLINE_RETAIL_H1);
    }, 120_000);

    it('measures the issue’s protocol: the baselines come out as published (popularity 29.7%, co-purchase 38.0%, own most frequent 65.7%, ±1 point)', () => {
      expect(result.customers).toBeGreaterThan(1_000);
      expect(Math.abs(result.discovery.popularity.at10 - 0.297)).toBeLessThan(0.01);
      expect(Math.abs(result.discovery.coPurchase.at10 - 0.38)).toBeLessThan(0.01);
      expect(Math.abs(result.buyAgain.ownMostFrequent.at10 - 0.657)).toBeLessThan(0.01);
    });

    it('discovery (`recommendations`) beats item co-purchase at hit@10', () => {
      expect(result.discovery.ours.at10).toBeGreaterThan(result.discovery.coPurchase.at10);
      expect(result.discovery.ours.at10).toBeGreaterThan(result.discovery.popularity.at10);
    });

    it('buy-again (`buyAgain`) beats the customer’s own most frequent products at hit@10', () => {
      expect(result.buyAgain.ours.at10).toBeGreaterThan(result.buyAgain.ownMostFrequent.at10);
    });

    it('keeps the index within its documented bound', () => {
      expect(result.index.products).toBeLessThanOrEqual(5_000);
      expect(result.index.partners).toBeLessThanOrEqual(result.index.products * 20);
    });
  },
);
