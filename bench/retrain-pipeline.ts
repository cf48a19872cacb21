/**
 * Retrain at scale: a 1M-profile snapshot in the S3 emulator, then
 *   floor:   bare read-and-parse of the snapshot (gunzip + JSON.parse of every row)
 *   ours:    snapshot read → features → K choice → K-means → names/rules → gate → promoted model
 * and the ratio between them (target ≤ 3×), peak memory, and — separately, because the
 * emulator's write speed bounds it — the reassignment of every shopper into DynamoDB.
 */
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLocalService } from '#local/local-service';
import type { Profile } from '#shared/ingestion/domain/profile';
import { fixedClock } from '#shared/kernel/ports/clock';
import type { ProfileScanner } from '#shared/segmentation/ports/profile-scanner';
import { reassignAll, trainFromSnapshot } from '#shared/segmentation/usecases/run-retrain/run-retrain';
import { readSnapshot } from '#shared/segmentation/usecases/take-snapshot/read-snapshot';
import { takeSnapshot } from '#shared/segmentation/usecases/take-snapshot/take-snapshot';
import { syntheticProfiles } from './synthetic-profiles';

const peak = { rss: 0 };
const sampleMemory = () => {
  peak.rss = Math.max(peak.rss, process.memoryUsage().rss);
};

/** Feeds generated profiles to the snapshot job in place of a DynamoDB scan. */
const generatedScanner = (count: number, asOf: Date): ProfileScanner => ({
  async *scan(segment, total) {
    const share = Math.ceil(count / total);
    const generator = syntheticProfiles(Math.min(share, count - segment * share), asOf, 1000 + segment);
    let page: Profile[] = [];
    for (const profile of generator) {
      page.push({ ...profile, shopperId: `s${segment}-${profile.shopperId}` });
      if (page.length === 1000) {
        yield page;
        page = [];
      }
    }
    if (page.length > 0) yield page;
  },
  approximateCount: async () => count,
});

const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

export const runRetrainPipelineBench = async (options: { rows?: number; reassignRows?: number } = {}) => {
  const rows = options.rows ?? 1_000_000;
  const asOf = new Date('2026-06-30T00:00:00Z');
  const service = await startLocalService({
    writeKey: 'w',
    readKey: 'r',
    adminKey: 'a',
    now: asOf.toISOString(),
    logLevel: 'warn',
    dataDir: join(tmpdir(), `seg-bench-${process.pid}`),
  });
  const timer = setInterval(sampleMemory, 50);
  try {
    const { objects, logger } = service.retrainPorts;
    const clock = fixedClock(asOf);
    let t0 = performance.now();
    const manifest = await takeSnapshot(
      { scanner: generatedScanner(rows, asOf), objects, clock, logger },
      { runSuffix: 'bench', workers: 4, rowsPerPart: 50_000 },
    );
    const generateMs = performance.now() - t0;

    t0 = performance.now();
    let parsed = 0;
    for await (const profile of readSnapshot(objects, manifest)) if (profile.shopperId) parsed += 1;
    const floorMs = performance.now() - t0;

    const rssBefore = process.memoryUsage().rss;
    peak.rss = rssBefore;
    t0 = performance.now();
    const timings: Record<string, number> = {};
    const { run, model } = await trainFromSnapshot({ objects, clock, logger }, manifest, {
      trigger: 'manual',
      runId: manifest.runId,
      timings,
    });
    const trainMs = performance.now() - t0;
    const trainPeak = peak.rss;

    console.log(
      `\nretrain pipeline — ${rows.toLocaleString('en')} profiles, snapshot of ${manifest.parts.length} gzip parts`,
    );
    console.log(`  snapshot written (generation + gzip + S3 emulator)  ${seconds(generateMs)}`);
    console.log(
      `  floor: bare read + parse of the snapshot             ${seconds(floorMs)}  (${parsed.toLocaleString('en')} rows)`,
    );
    console.log(
      `  ours: read → features → K → K-means → model promoted ${seconds(trainMs)}  ${JSON.stringify(timings)}`,
    );
    console.log(
      `  ratio ours / floor                                   ${(trainMs / floorMs).toFixed(2)}×  (target ≤ 3×)`,
    );
    console.log(
      `  outcome ${run.outcome} (${run.reason}), K = ${run.k}, silhouette ${run.metrics?.silhouette.toFixed(3)}`,
    );
    console.log(
      `  peak RSS during training ${(trainPeak / 2 ** 20).toFixed(0)} MB (process incl. emulators; before training ${(rssBefore / 2 ** 20).toFixed(0)} MB)`,
    );

    if (model && (options.reassignRows ?? rows) > 0) {
      const limit = options.reassignRows ?? rows;
      const parts = [];
      let covered = 0;
      for (const part of manifest.parts) {
        if (covered >= limit) break;
        parts.push(part);
        covered += part.rows;
      }
      t0 = performance.now();
      const result = await reassignAll(
        service.retrainPorts,
        { ...manifest, parts },
        model,
        asOf.toISOString(),
      );
      const assignMs = performance.now() - t0;
      console.log(
        `  reassignment into the DynamoDB emulator: ${result.shoppers.toLocaleString('en')} shoppers, ${result.changed.toLocaleString('en')} written, ${seconds(assignMs)} (${Math.round(result.shoppers / (assignMs / 1000)).toLocaleString('en')} shoppers/s; bounded by the emulator)`,
      );
      const total = generateMs + trainMs + (assignMs * rows) / Math.max(1, result.shoppers);
      console.log(`  whole run, reassignment extrapolated to all rows: ${seconds(total)} (limit 600 s)`);
    }
    console.log(`  peak RSS overall ${(peak.rss / 2 ** 20).toFixed(0)} MB (limit 3 GB)`);
  } finally {
    clearInterval(timer);
    await service.close();
  }
};

if (import.meta.url === `file://${process.argv[1]}`) {
  await runRetrainPipelineBench({
    rows: Number(process.env.BENCH_ROWS ?? 1_000_000),
    reassignRows: Number(process.env.BENCH_REASSIGN_ROWS ?? 100_000),
  });
}
