/**
 * Models, the current-model pointer and run records in the bucket:
 *   models/<version>/model.json   written first, complete
 *   models/current.json           then switched: one PutObject, atomic
 *   runs/<runId>.json             what each retrain did, promoted or not
 *   models/<version>/recommendations.json   what each segment's shoppers buy (before promotion)
 */
import type { RecommendationIndex } from '../../domain/recommendations/index-builder';
import type { RetrainRun, SegmentModel } from '../../domain/segment-model';
import type { ObjectStore } from '../../ports/object-store';

const POINTER = 'models/current.json';
const modelKey = (version: string) => `models/${version}/model.json`;
const runKey = (runId: string) => `runs/${runId}.json`;
const recommendationsKey = (version: string) => `models/${version}/recommendations.json`;

const readJson = async <T>(objects: ObjectStore, key: string): Promise<T | undefined> => {
  const body = await objects.get(key);
  return body ? (JSON.parse(Buffer.from(body).toString('utf8')) as T) : undefined;
};

export interface ModelPointer {
  readonly version: string;
  readonly key: string;
  readonly promotedAt: string;
}

export class ModelRepository {
  constructor(private readonly objects: ObjectStore) {}

  currentPointer(): Promise<ModelPointer | undefined> {
    return readJson<ModelPointer>(this.objects, POINTER);
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

  /** Only after `save` has completed: the pointer never names a partial model. */
  async promote(version: string, at: Date): Promise<void> {
    const pointer: ModelPointer = { version, key: modelKey(version), promotedAt: at.toISOString() };
    await this.objects.put(POINTER, JSON.stringify(pointer), 'application/json');
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

  async runs(): Promise<RetrainRun[]> {
    const keys = await this.objects.list('runs/');
    const runs = await Promise.all(keys.map((key) => readJson<RetrainRun>(this.objects, key)));
    return runs.filter((r): r is RetrainRun => r !== undefined);
  }
}
