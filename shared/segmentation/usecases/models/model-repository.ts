/**
 * Models, the current-model pointer and run records in the bucket (keys: the bucket layout of
 * shared/contract/bucket-layout.ts). A model is written complete first, then the pointer is
 * switched with one PutObject; every run, promoted or not, is recorded.
 */
import {
  BUCKET_PREFIXES,
  CURRENT_MODEL_KEY,
  modelKey,
  populationKey,
  populationPrefix,
  recommendationsKey,
  runKey,
} from '#shared/contract/bucket-layout';
import { mapWithConcurrency } from '#shared/kernel/concurrency';
import { type ObjectStore, readJson } from '#shared/kernel/ports/object-store';
import type { RecommendationIndex } from '#shared/recommendations/domain/recommendation-index';
import {
  addCounts,
  type PopulationCounts,
  type RetrainRun,
  type SegmentModel,
} from '#shared/segmentation/domain/segment-model';

/** Promotion refused: another model was promoted since this one began training on top of its predecessor. */
export class PromotionConflictError extends Error {
  override readonly name = 'PromotionConflictError';
}

/** What one part's reassignment counted: its shoppers per segment, and how many of them changed segment. */
export interface PartCounts extends PopulationCounts {
  readonly changed: number;
}

export interface ModelPointer {
  readonly version: string;
  readonly key: string;
  readonly promotedAt: string;
}

export class ModelRepository {
  constructor(private readonly objects: ObjectStore) {}

  currentPointer(): Promise<ModelPointer | undefined> {
    return readJson<ModelPointer>(this.objects, CURRENT_MODEL_KEY);
  }

  async current(): Promise<SegmentModel | undefined> {
    const pointer = await this.currentPointer();
    return pointer ? this.load(pointer.version) : undefined;
  }

  load(version: string): Promise<SegmentModel | undefined> {
    return readJson<SegmentModel>(this.objects, modelKey(version));
  }

  async save(model: SegmentModel): Promise<void> {
    await this.objects.put(modelKey(model.version), JSON.stringify(model), 'application/json');
  }

  /**
   * Only after `save` has completed: the pointer never names a partial model. `predecessor` is
   * the version that served when the model began training (null: none): if another model was
   * promoted since, this one's sequence is not above it, so it is refused
   * (PromotionConflictError) rather than served out of promotion order. The check and the
   * switch are two calls (the S3 emulator has no compare-and-set on an object), so two runs
   * promoting within the same instant could still both pass; locally runs never overlap.
   */
  async promote(version: string, at: Date, predecessor?: string | null): Promise<void> {
    if (predecessor !== undefined) {
      const serving = (await this.currentPointer())?.version ?? null;
      if (serving !== predecessor)
        throw new PromotionConflictError(
          `model ${serving} was promoted while ${version} trained on top of ${predecessor ?? 'no model'}`,
        );
    }
    const pointer: ModelPointer = { version, key: modelKey(version), promotedAt: at.toISOString() };
    await this.objects.put(CURRENT_MODEL_KEY, JSON.stringify(pointer), 'application/json');
  }

  /** What one part's reassignment counted (idempotent: a re-run of the part overwrites it). */
  async savePartCounts(version: string, partKey: string, counts: PartCounts): Promise<void> {
    const { shoppers, changed, segments } = counts;
    await this.objects.put(
      populationKey(version, partKey),
      JSON.stringify({ shoppers, changed, segments }),
      'application/json',
    );
  }

  /** Every part count a model's reassignment has written so far, one per part (in key order). */
  async partCounts(version: string): Promise<PartCounts[]> {
    const keys = await this.objects.list(populationPrefix(version));
    return mapWithConcurrency(keys, 16, async (key) => {
      const counts = await readJson<Partial<PartCounts>>(this.objects, key);
      if (typeof counts?.shoppers !== 'number' || typeof counts.changed !== 'number' || !counts.segments)
        throw new Error(`${key} is not a complete part count (shoppers, changed, segments)`);
      return { shoppers: counts.shoppers, changed: counts.changed, segments: counts.segments };
    });
  }

  /**
   * The population counts of a model's whole snapshot, once every part's reassignment has
   * counted (their shoppers add up to the snapshot's rows); undefined until then.
   */
  async population(model: SegmentModel): Promise<PopulationCounts | undefined> {
    const keys = await this.objects.list(populationPrefix(model.version));
    if (keys.length === 0) return undefined;
    const parts = await Promise.all(keys.map((key) => readJson<PopulationCounts>(this.objects, key)));
    const total = parts.reduce<PopulationCounts>((sum, part) => (part ? addCounts(sum, part) : sum), {
      shoppers: 0,
      segments: {},
    });
    return total.shoppers === model.lineage.snapshotRows ? total : undefined;
  }

  async saveRecommendations(version: string, index: RecommendationIndex): Promise<void> {
    await this.objects.put(recommendationsKey(version), JSON.stringify(index), 'application/json');
  }

  loadRecommendations(version: string): Promise<RecommendationIndex | undefined> {
    return readJson<RecommendationIndex>(this.objects, recommendationsKey(version));
  }

  async saveRun(run: RetrainRun): Promise<void> {
    await this.objects.put(runKey(run.runId), JSON.stringify(run, null, 2), 'application/json');
  }

  /** One run's record (undefined when there is none). */
  run(runId: string): Promise<RetrainRun | undefined> {
    return readJson<RetrainRun>(this.objects, runKey(runId));
  }

  async runs(): Promise<RetrainRun[]> {
    const keys = await this.objects.list(BUCKET_PREFIXES.runs);
    const runs = await Promise.all(keys.map((key) => readJson<RetrainRun>(this.objects, key)));
    return runs.filter((r): r is RetrainRun => r !== undefined);
  }
}
