/**
 * Use case: the recommendation index of a model as a map over the parts of its snapshot and a
 * bounded reduce (the stack's "Index parts" map and "Promote model" state; the local runner runs
 * the same job handlers). No step reads every part: each map item reads one part and writes its
 * partial (models/<version>/index-parts/<part>.json); the reduce reads only the partials, two at
 * a time, merges them (mergeIndexPartials) and saves the index next to the model.
 * With the default bounds the merged index equals indexProfiles' one-pass index while no bound is
 * hit (shared/recommendations/domain/index-partial-bounds.ts).
 */
import { indexPartKey, indexPartPrefix } from '#shared/contract/bucket-layout';
import { type ObjectStore, readJson } from '#shared/kernel/ports/object-store';
import type { IndexPartial } from '#shared/recommendations/domain/index-partial';
import { INDEX_PARTIAL_FORMAT, indexOfPartial } from '#shared/recommendations/domain/index-partial';
import { mergeIndexPartials } from '#shared/recommendations/domain/index-partial-bounds';
import type { SegmentModel } from '#shared/segmentation/domain/segment-model';
import { ModelRepository } from '#shared/segmentation/usecases/models/model-repository';
import { readPart } from '#shared/segmentation/usecases/take-snapshot/read-snapshot';
import type { SnapshotPart } from '#shared/segmentation/usecases/take-snapshot/snapshot-layout';
import { indexPartOfProfiles } from './build-recommendation-index';

/** What one part's partial counted: small whatever the part. */
export interface IndexPartCounts {
  readonly part: string;
  /** The part's shoppers with a purchase. */
  readonly shoppers: number;
  /** Product ids the partial holds. */
  readonly products: number;
}

/** The map step: one part's partial index for the model, written under the model (a retry overwrites it). */
export const writeIndexPart = async (
  objects: ObjectStore,
  part: SnapshotPart,
  model: SegmentModel,
): Promise<IndexPartCounts> => {
  const partial = await indexPartOfProfiles(readPart(objects, part), model);
  await objects.put(indexPartKey(model.version, part.key), JSON.stringify(partial), 'application/json');
  return { part: part.key, shoppers: partial.shoppers, products: partial.ids.length };
};

/** The reduce found more or fewer partials than the snapshot has parts: the index would be incomplete. */
export class IndexIncompleteError extends Error {
  override readonly name = 'IndexIncompleteError';
}

const readPartial = async (objects: ObjectStore, key: string): Promise<IndexPartial> => {
  const partial = await readJson<Partial<IndexPartial>>(objects, key);
  if (!partial) throw new IndexIncompleteError(`index partial ${key} is missing`);
  if (partial.format !== INDEX_PARTIAL_FORMAT)
    throw new Error(`${key} is not a recommendation index partial (${INDEX_PARTIAL_FORMAT})`);
  return partial as IndexPartial;
};

/**
 * The reduce step: requires exactly `parts` partials under the model (one per snapshot part: the
 * map writes each under its part's name, so a retried item overwrites its own), merges them in
 * part order (the keys sort as the parts do), two at a time, and saves the index
 * (models/<version>/recommendations.json).
 */
export const reduceIndexParts = async (
  objects: ObjectStore,
  version: string,
  parts: number,
): Promise<{ shoppers: number; products: number }> => {
  const keys = await objects.list(indexPartPrefix(version));
  if (keys.length !== parts || parts === 0)
    throw new IndexIncompleteError(
      `${keys.length} index partials for model ${version}, expected one for each of its ${parts} snapshot parts`,
    );
  let merged: IndexPartial | undefined;
  for (const key of keys) {
    const partial = await readPartial(objects, key);
    merged = merged ? mergeIndexPartials(merged, partial) : partial;
  }
  if (!merged) throw new IndexIncompleteError(`model ${version} has no index partials`);
  const index = indexOfPartial(merged);
  await new ModelRepository(objects).saveRecommendations(version, index);
  return { shoppers: merged.shoppers, products: Object.keys(index.products).length };
};

/** Removes a model's partials once its index is saved (models/ has no expiry). */
export const deleteIndexParts = async (objects: ObjectStore, version: string): Promise<number> => {
  const keys = await objects.list(indexPartPrefix(version));
  for (const key of keys) await objects.delete(key);
  return keys.length;
};
