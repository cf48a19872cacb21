/**
 * Training data and the customer value fit → a complete segment model, as the retrain runs it and
 * the evaluation replays it: the forecasts as candidate clustering features, then the segments
 * (K and features chosen on the backtest, see train-model.ts), then each segment's mean forecast
 * and a sentence about it, and the distribution of predicted value per segment. Pure: no I/O, deterministic for a seed.
 */
import { forecastSentence, type StoredClv, segmentPredictions } from '#shared/customer-value/domain/forecast';
import type { PurchaseSummary } from '#shared/customer-value/domain/summary';
import { valueDistribution } from '../explanation/segment-figures';
import { clvFeatureValues, usesClvFeatures } from '../features/features';
import type { TrainingData } from '../features/training-data';
import type { SegmentModel, TrainingConfig } from '../segment-model';
import { type TrainingInput, type TrainingOutput, trainModel } from './train-model';

export interface TrainSegmentModelOptions
  extends Pick<TrainingInput, 'previous' | 'asOf' | 'version' | 'runId' | 'createdAt' | 'snapshot'> {
  readonly config: TrainingConfig;
  /** Fitted on the same data first (`fitStoredClv`): its forecasts can be clustering features. */
  readonly clv: StoredClv;
}

export const trainSegmentModel = (data: TrainingData, options: TrainSegmentModelOptions): TrainingOutput => {
  const { config, clv } = options;
  const clustered = usesClvFeatures(config.features);
  const rows = clustered
    ? data.rows.map((row, i) => ({ ...row, ...clvFeatureValues(clv, data.purchases[i] ?? null) }))
    : data.rows;
  const backtest =
    clustered && 'rows' in data.backtest
      ? {
          ...data.backtest,
          rows: data.backtest.rows.map((r) => ({
            ...r,
            features: { ...r.features, ...clvFeatureValues(clv, r.purchase) },
          })),
        }
      : data.backtest;
  const trained = trainModel({
    rows,
    prospects: data.prospects,
    buyers: data.total - data.prospects,
    currency: data.currency,
    config,
    backtest,
    previous: options.previous,
    asOf: options.asOf,
    version: options.version,
    runId: options.runId,
    createdAt: options.createdAt,
    snapshot: options.snapshot,
  });
  return {
    ...trained,
    model: withCustomerValue(trained.model, clv, data.purchases, trained.labels, config.seed),
  };
};

/**
 * The customer value models added to the model: the fit, each segment's mean forecast, and a
 * sentence in the description where the forecast says something to act on. A fit that fails
 * leaves the model without predictions and with the reason.
 */
const withCustomerValue = (
  model: SegmentModel,
  clv: StoredClv,
  purchases: readonly (PurchaseSummary | null)[],
  labels: ArrayLike<number>,
  seed: number,
): SegmentModel => {
  const { forecasts, values } = segmentPredictions(clv, purchases, labels, model.segments.length, seed);
  // The distributions over the same sampled buyers as the means: a segment's mean is its forecast's.
  const spendModel = clv.model.bgnbd !== null && clv.model.gammaGamma !== null;
  const all = valueDistribution(values.flat());
  return {
    ...model,
    clv,
    ...(model.figures
      ? {
          figures: {
            ...model.figures,
            predictedValue: spendModel && all ? { median: all.median, mean: all.mean } : null,
          },
        }
      : {}),
    segments: model.segments.map((segment, i) => {
      const forecast = forecasts[i] ?? null;
      const sentence = forecastSentence(clv, forecast, model.currency);
      return {
        ...segment,
        forecast,
        ...(segment.figures
          ? {
              figures: {
                ...segment.figures,
                predictedValue: spendModel ? valueDistribution(values[i] ?? []) : null,
              },
            }
          : {}),
        description: sentence
          ? `${segment.description.replace(/[.\s]*$/, '')}. ${sentence}`
          : segment.description,
      };
    }),
  };
};
