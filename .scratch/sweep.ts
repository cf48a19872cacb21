/** Research sweep: CDNOW / Online Retail H1 across backtest sample seeds and sizes. Not product code. */
import { fitStoredClv } from '#shared/customer-value/domain/forecast';
import { defaultClvConfig } from '#shared/customer-value/domain/predict';
import { TrainingDataBuilder } from '#shared/segmentation/domain/features/training-data';
import { defaultTrainingConfig } from '#shared/segmentation/domain/training/train-model';
import { trainSegmentModel } from '#shared/segmentation/domain/training/train-segment-model';
import { CDNOW, ONLINE_RETAIL_H1 } from '#evaluate/datasets';
import { replay } from '#evaluate/replay';
import { evaluateSegments } from '#evaluate/segments';
import { segmentTargets } from '#evaluate/targets';

const which = process.argv[2] === 'retail' ? ONLINE_RETAIL_H1 : CDNOW;
const sizes = (process.argv[3] ?? '5000,10000,20000,all').split(',');
const seeds = (process.argv[4] ?? '42,1,2,3,4').split(',').map(Number);
const r = replay(which);
const f3 = (x: number) => x.toFixed(3);
for (const size of sizes) {
  for (const seed of size === 'all' ? [seeds[0] as number] : seeds) {
    const builder = new TrainingDataBuilder({
      asOf: r.asOf, maxRows: 2_000_000, seed, clv: defaultClvConfig,
      backtestSample: size === 'all' ? 10_000_000 : Number(size),
    });
    for (const p of r.profiles.values()) builder.add(p);
    const data = builder.finish();
    const asOf = r.asOf.toISOString();
    const { model, gate } = trainSegmentModel(data, {
      config: { ...defaultTrainingConfig, seed },
      clv: fitStoredClv(data.purchases, defaultClvConfig, seed),
      previous: undefined, asOf, version: 'x', runId: 'x', createdAt: asOf, snapshot: { key: 'r', rows: 0 },
    });
    const e = evaluateSegments(r, model);
    const [ours, grid, sil, same] = e.scores as any[];
    const t = segmentTargets(e);
    const sel: any = model.metrics.selection;
    const bt = sel?.method === 'backtest' ? sel.shoppers : 0;
    console.log(JSON.stringify({
      data: which.name, size, seed, btRows: bt,
      selK: sel?.chosen?.k, selLargest: sel?.chosen?.largestShare, selFeatures: sel?.chosen?.features?.join('+'), weighted: sel?.chosen?.weighted,
      K: ours.segments, largest: f3(ours.largestShare), auc: `${f3(ours.auc)} grid ${f3(grid.auc)} sil(${sil.method.match(/\d+/)?.[0]}) ${f3(sil.auc)} sameK ${f3(same.auc)}`,
      eta: `${f3(ours.etaSquared)} grid ${f3(grid.etaSquared)} sil ${f3(sil.etaSquared)} sameK ${f3(same.etaSquared)}`,
      rho: ours.nameOrder === null ? null : f3(ours.nameOrder),
      gate: gate.passed ? 'pass' : `FAIL: ${gate.reason.slice(0, 90)}`,
      missed: t.filter((x) => !x.met).map((x) => x.target),
    }));
  }
}
