/**
 * The dashboard's views of stored models without the emulators: a model trained before the
 * figures still answers (the new fields null or empty), and the timeline walks back along the
 * lineage, at most `limit` models, reading each earlier model once when its sizes are final.
 */
import { describe, expect, it } from 'vitest';
import { segmentCatalogue } from '#shared/activation/usecases/catalogue/catalogue';
import { segmentProfile } from '#shared/activation/usecases/catalogue/segment-profile';
import { migrationOf, SegmentTimeline } from '#shared/activation/usecases/catalogue/segments-over-time';
import { NoModelError } from '#shared/activation/usecases/lookup-segment/lookup-segment';
import { SegmentNotFoundError } from '#shared/activation/usecases/policies/segment-policy';
import type { RetrainRun, SegmentModel } from '#shared/segmentation/domain/segment-model';

/** A model as an older release stored it: no figures, no sequence, no CLV. */
const olderModel = (
  version: string,
  previous: string | null,
  sizes: [number, number, number],
): SegmentModel =>
  ({
    schema: 1,
    version,
    createdAt: `2026-06-0${version.at(-1)}T03:00:00.000Z`,
    asOf: `2026-06-0${version.at(-1)}T03:00:00.000Z`,
    currency: 'EUR',
    lineage: {
      snapshot: 's',
      snapshotRows: sizes[0] + sizes[1] + sizes[2],
      previousVersion: previous,
      runId: `run-${version}`,
    },
    segments: [
      {
        id: 'seg-1',
        name: 'Champions',
        description: 'd1',
        size: sizes[0],
        share: 0,
        rules: ['r1'],
        centroidReal: {},
      },
      {
        id: 'seg-2',
        name: 'Lost',
        description: 'd2',
        size: sizes[1],
        share: 0,
        rules: ['r2', 'r3'],
        centroidReal: {},
      },
    ],
    prospects: { size: sizes[2], share: 0 },
    metrics: { rulesAgreement: 0.876543 },
    stability: previous
      ? {
          ari: 0.812345,
          migration: { 'seg-1': { 'seg-1': 5, 'seg-2': 1 }, 'seg-2': { 'seg-2': 7, 'seg-1': 0 } },
          matched: 2,
          retired: [],
          added: [],
        }
      : null,
  }) as unknown as SegmentModel;

describe('views of a model trained before the figures', () => {
  const model = olderModel('m-3', 'm-2', [10, 30, 5]);

  it('the catalogue answers with null revenue shares, typical shoppers and basis, and totals from the sizes', () => {
    const catalogue = segmentCatalogue(model);
    expect(catalogue.totals).toEqual({ shoppers: 45, buyers: 40, prospects: 5, revenueBasis: null });
    expect(catalogue.currency).toBe('EUR');
    for (const s of catalogue.segments) expect(s).toMatchObject({ revenueShare: null, typical: null });
  });

  it('the profile answers with empty features, rules without agreement, no distribution; 404 and 503 as errors', () => {
    const profile = segmentProfile(model, 'seg-2', {}, undefined);
    expect(profile).toMatchObject({
      segmentId: 'seg-2',
      size: 30,
      revenueShare: null,
      sampled: null,
      features: [],
      rulesAgreement: 0.8765,
      forecast: null,
      predictedValue: null,
      topProducts: [],
      policySource: 'default',
    });
    expect(profile.rules).toEqual([
      { rule: 'r2', precision: null, coverage: null },
      { rule: 'r3', precision: null, coverage: null },
    ]);
    expect(segmentProfile(model, 'prospects', {}, undefined)).toMatchObject({ size: 5, revenueShare: null });
    expect(() => segmentProfile(model, 'seg-9', {}, undefined)).toThrow(SegmentNotFoundError);
    expect(() => segmentProfile(undefined, 'seg-1', {}, undefined)).toThrow(NoModelError);
  });

  it('the migration lists the non-empty cells by from then to, with their total', () => {
    expect(migrationOf(model)).toEqual({
      from: 'm-2',
      to: 'm-3',
      basis: 'training sample',
      shoppers: 13,
      ari: 0.8123,
      cells: [
        { from: 'seg-1', to: 'seg-1', shoppers: 5 },
        { from: 'seg-1', to: 'seg-2', shoppers: 1 },
        { from: 'seg-2', to: 'seg-2', shoppers: 7 },
      ],
    });
    expect(migrationOf(olderModel('m-1', null, [1, 1, 1]))).toBeNull();
  });
});

describe('SegmentTimeline', () => {
  const setup = (runs: Record<string, RetrainRun['reassigned']>) => {
    const models = new Map(
      [
        olderModel('m-1', null, [4, 4, 2]),
        olderModel('m-2', 'm-1', [5, 5, 2]),
        olderModel('m-3', 'm-2', [6, 6, 3]),
      ].map((m) => [m.version, m]),
    );
    const reads = { models: 0, runs: 0 };
    const repository = {
      async load(version: string) {
        reads.models++;
        return models.get(version);
      },
      async run(runId: string) {
        reads.runs++;
        const reassigned = runs[runId];
        return reassigned === undefined ? undefined : ({ runId, reassigned } as RetrainRun);
      },
    };
    const current = models.get('m-3') as SegmentModel;
    const timeline = new SegmentTimeline(repository, { get: async () => current, hasPopulation: () => true });
    return { timeline, reads, models };
  };

  it('walks back oldest first up to the limit, with run counts where recorded, else training estimates', async () => {
    const { timeline } = setup({
      'run-m-1': { shoppers: 20, changed: 0, segments: { 'seg-1': 8, 'seg-2': 9, prospects: 3 } },
    });
    const all = await timeline.get(50);
    expect(all.models.map((m) => [m.version, m.sizes, m.shoppers])).toEqual([
      ['m-1', 'population', 20],
      ['m-2', 'training-estimate', 12],
      ['m-3', 'population', 15],
    ]);
    expect(all.models[0]?.segments).toEqual([
      { id: 'seg-1', name: 'Champions', size: 8, share: 0.4 },
      { id: 'seg-2', name: 'Lost', size: 9, share: 0.45 },
      { id: 'prospects', name: 'Prospects', size: 3, share: 0.15 },
    ]);
    expect(all.models.map((m) => m.sequence)).toEqual([null, null, null]);
    expect((await timeline.get(2)).models.map((m) => m.version)).toEqual(['m-2', 'm-3']);
    expect((await timeline.get(1)).models.map((m) => m.version)).toEqual(['m-3']);
  });

  it('keeps final entries: a warm walk reads only what may still change', async () => {
    const counted = (n: number) => ({ shoppers: n, changed: 0, segments: { 'seg-1': n } });
    const { timeline, reads } = setup({ 'run-m-1': counted(10), 'run-m-2': counted(12) });
    await timeline.get(50);
    expect(reads).toEqual({ models: 2, runs: 2 });
    await timeline.get(50);
    expect(reads).toEqual({ models: 2, runs: 2 });
  });

  it('ends the line at a model no longer stored', async () => {
    const { timeline, models } = setup({});
    models.delete('m-1');
    expect((await timeline.get(50)).models.map((m) => m.version)).toEqual(['m-2', 'm-3']);
  });

  it('is a NoModelError before any model', async () => {
    const timeline = new SegmentTimeline(
      { load: async () => undefined, run: async () => undefined },
      { get: async () => undefined, hasPopulation: () => false },
    );
    await expect(timeline.get(20)).rejects.toThrow(NoModelError);
  });
});
