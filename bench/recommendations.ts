/**
 * `BENCH=recommendations npm run bench`: the lookup's two lists on a real shop, not on planted
 * tastes. Online Retail H1 with each customer's last invoice held out, through the product's own
 * reducer, training, index (the retrain's indexProfiles) and lists (the lookup's listsForProfile),
 * against popularity, item co-purchase and the customer's own most frequent products measured in
 * the same run: the figures `npm run evaluate` reports (evaluate/recommendations.ts), plus what
 * they cost. Skipped, saying so, where ../shared/data is absent.
 */
import { pathToFileURL } from 'node:url';
import { isAvailable, ONLINE_RETAIL_H1 } from '#evaluate/datasets';
import { evaluateRecommendations, formatRecommendationsTable } from '#evaluate/recommendations';

export const runRecommendationBench = async (): Promise<void> => {
  if (!isAvailable(ONLINE_RETAIL_H1)) {
    console.log(
      `recommendations bench: skipped, ${ONLINE_RETAIL_H1.file} is absent (the shared data lives in ../shared/data)`,
    );
    return;
  }
  const result = await evaluateRecommendations(ONLINE_RETAIL_H1);
  const ratio = (ours: number, base: number) => (base > 0 ? `${(ours / base).toFixed(2)}×` : 'n/a');
  console.log(`recommendations bench: ${result.dataset}, each customer's last invoice held out`);
  console.log(formatRecommendationsTable(result));
  console.log(
    `hit@10 ratios: discovery / item co-purchase ${ratio(result.discovery.ours.at10, result.discovery.coPurchase.at10)}, ` +
      `buy-again / own most frequent ${ratio(result.buyAgain.ours.at10, result.buyAgain.ownMostFrequent.at10)}`,
  );
  console.log(
    `index build ${result.timings.indexMs} ms for ${result.index.shoppers.toLocaleString('en')} shoppers; ` +
      `both lists ${result.timings.listsMicrosPerShopper} µs per lookup; whole run ${result.seconds} s`,
  );
};

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await runRecommendationBench();
