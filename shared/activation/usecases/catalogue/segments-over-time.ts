/**
 * Use case: segment sizes across the last promoted models, and where shoppers moved between the
 * last two, for a marketer's "over time" view.
 * Input: how many models (1–50). Output: `SegmentsOverTime`, oldest model first; each segment by
 * its stable id, so a segment keeps its line across retrains.
 *
 * Bounded: it walks back from the current model along `lineage.previousVersion` (promotion order:
 * a model is promoted only while its predecessor serves), reading one model and one run record
 * per step, at most `limit` steps, never the shoppers. Sizes are the reassignment's population
 * counts (the run record's `reassigned.segments`; the current model's as the catalogue serves
 * them), else the training sample's estimate, which the answer says. Entries with population
 * counts never change: they are kept in memory (at most `maxCached`), so a warm answer reads
 * nothing but the current model.
 * Errors: NoModelError (503).
 */
import {
  PROSPECTS_ID,
  PROSPECTS_NAME,
  type RetrainRun,
  type SegmentModel,
} from '#shared/segmentation/domain/segment-model';
import type { CurrentModel } from '#shared/segmentation/usecases/models/current-model';
import type { ModelRepository } from '#shared/segmentation/usecases/models/model-repository';
import { NoModelError } from '../lookup-segment/lookup-segment';

export const MAX_TIMELINE_MODELS = 50;
export const DEFAULT_TIMELINE_MODELS = 20;

export type SizeSource = 'population' | 'training-estimate';

export interface TimelineSegment {
  readonly id: string;
  readonly name: string;
  readonly size: number;
  /** Share of all the model's shoppers, prospects included. */
  readonly share: number;
}

export interface TimelineModel {
  readonly version: string;
  /** Promotion order; null for a model trained before sequences. */
  readonly sequence: number | null;
  readonly trainedAt: string;
  readonly asOf: string;
  /** Whether sizes are every shopper as reassigned, or the training sample scaled up. */
  readonly sizes: SizeSource;
  readonly shoppers: number;
  /** The clusters, then `prospects`. */
  readonly segments: readonly TimelineSegment[];
}

export interface MigrationCell {
  readonly from: string;
  readonly to: string;
  readonly shoppers: number;
}

export interface Migration {
  /** The previous model's version and the current one's. */
  readonly from: string;
  readonly to: string;
  /** The newer model's training sample of buyers, each scored by both models (prospects are not in it). */
  readonly basis: 'training sample';
  readonly shoppers: number;
  /** Adjusted Rand index between the two models' segments over those shoppers. */
  readonly ari: number;
  /** Every non-empty (from, to) pair, by from then to. */
  readonly cells: readonly MigrationCell[];
}

export interface SegmentsOverTime {
  readonly current: string;
  /** Oldest first, the current model last. */
  readonly models: readonly TimelineModel[];
  /** Between the current model and its predecessor; null for a first model, or when stability was not compared. */
  readonly migration: Migration | null;
}

const round = (x: number) => Math.round(x * 10_000) / 10_000;

const timelineOf = (
  model: SegmentModel,
  sizes: SizeSource,
  sizeOf: (id: string) => number,
  shoppers: number,
): TimelineModel => {
  const segment = (id: string, name: string): TimelineSegment => {
    const size = sizeOf(id);
    return { id, name, size, share: shoppers > 0 ? round(size / shoppers) : 0 };
  };
  return {
    version: model.version,
    sequence: model.sequence ?? null,
    trainedAt: model.createdAt,
    asOf: model.asOf,
    sizes,
    shoppers,
    segments: [...model.segments.map((s) => segment(s.id, s.name)), segment(PROSPECTS_ID, PROSPECTS_NAME)],
  };
};

/** A model as served (its sizes are what it holds). */
const asServed = (model: SegmentModel, sizes: SizeSource): TimelineModel => {
  const held = new Map([
    ...model.segments.map((s) => [s.id, s.size] as const),
    [PROSPECTS_ID, model.prospects.size] as const,
  ]);
  const shoppers = [...held.values()].reduce((n, s) => n + s, 0);
  return timelineOf(model, sizes, (id) => held.get(id) ?? 0, shoppers);
};

/** An earlier model, with its run's population counts when the run recorded them. */
const asRecorded = (model: SegmentModel, run: RetrainRun | undefined): TimelineModel => {
  const counted = run?.reassigned;
  if (!counted?.segments) return asServed(model, 'training-estimate');
  const segments = counted.segments;
  return timelineOf(model, 'population', (id) => segments[id] ?? 0, counted.shoppers);
};

export const migrationOf = (model: SegmentModel): Migration | null => {
  const { stability } = model;
  const from = model.lineage.previousVersion;
  if (!stability || !from) return null;
  const cells = Object.entries(stability.migration)
    .flatMap(([f, row]) => Object.entries(row).map(([t, shoppers]) => ({ from: f, to: t, shoppers })))
    .filter((cell) => cell.shoppers > 0)
    .sort((a, b) => a.from.localeCompare(b.from) || a.to.localeCompare(b.to));
  return {
    from,
    to: model.version,
    basis: 'training sample',
    shoppers: cells.reduce((n, c) => n + c.shoppers, 0),
    ari: round(stability.ari),
    cells,
  };
};

interface Step {
  readonly entry: TimelineModel;
  readonly previous: string | null;
}

export class SegmentTimeline {
  /** Earlier models with population sizes: immutable, so kept (oldest insertion evicted first). */
  private readonly steps = new Map<string, Step>();

  constructor(
    private readonly repository: Pick<ModelRepository, 'load' | 'run'>,
    private readonly currentModel: Pick<CurrentModel, 'get' | 'hasPopulation'>,
    private readonly maxCached = 4 * MAX_TIMELINE_MODELS,
  ) {}

  async get(limit: number = DEFAULT_TIMELINE_MODELS): Promise<SegmentsOverTime> {
    const current = await this.currentModel.get();
    if (!current) throw new NoModelError('no segmentation model has been trained yet: run a retrain');
    const wanted = Math.max(1, Math.min(MAX_TIMELINE_MODELS, Math.floor(limit)));
    const models = [
      asServed(current, this.currentModel.hasPopulation(current) ? 'population' : 'training-estimate'),
    ];
    const seen = new Set([current.version]);
    let previous = current.lineage.previousVersion;
    while (previous !== null && models.length < wanted && !seen.has(previous)) {
      seen.add(previous);
      const step = await this.step(previous);
      if (!step) break;
      models.push(step.entry);
      previous = step.previous;
    }
    return { current: current.version, models: models.reverse(), migration: migrationOf(current) };
  }

  private async step(version: string): Promise<Step | undefined> {
    const cached = this.steps.get(version);
    if (cached) return cached;
    const model = await this.repository.load(version);
    // An expired or deleted model ends the line.
    if (!model) return undefined;
    const step = {
      entry: asRecorded(model, await this.repository.run(model.lineage.runId)),
      previous: model.lineage.previousVersion,
    };
    if (step.entry.sizes === 'population') {
      this.steps.set(version, step);
      if (this.steps.size > this.maxCached) this.steps.delete(this.steps.keys().next().value as string);
    }
    return step;
  }
}
