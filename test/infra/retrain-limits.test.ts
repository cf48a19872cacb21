/**
 * The retrain's limits as the stack takes them: from CDK context (or resolveConfig's overrides),
 * with the defaults of shared/contract/retrain-limits.ts, refused with the setting's name when out
 * of bounds, and carried to every function that reads them and to every Distributed Map's
 * MaxConcurrency.
 */
import type { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { RETRAIN_LIMIT_NAMES, RETRAIN_LIMITS } from '#shared/contract/retrain-limits';
import {
  type Asl,
  definitionOf,
  driftCheckMachine,
  functionByDescription,
  retrainMachine,
  synth,
} from './template';

const PLAN = 'Retrain: plan a snapshot (run, parallel Scan segments)';
const SNAPSHOT = 'Retrain: snapshot one Scan segment of the profiles to S3';
const TRAIN = 'Retrain: train and gate a model (saved, not yet promoted)';
const MEASURE = 'Drift check: compare a snapshot with the current model';

const variablesOf = (template: Template, description: string) =>
  (functionByDescription(template, description).props.Environment as { Variables: Record<string, unknown> })
    .Variables;

/** Every Map state's MaxConcurrency, by state name. */
const mapConcurrencies = (asl: Asl): Record<string, unknown> =>
  Object.fromEntries(
    Object.entries(asl.States)
      .filter(([, state]) => state.Type === 'Map')
      .map(([name, state]) => [name, state.MaxConcurrency]),
  );

// Every limit off its default, as `cdk -c key=value` passes it: a string.
const CONTEXT = {
  snapshotMinSegments: '8',
  snapshotRowsPerSegment: '250000',
  snapshotMaxSegments: '2000',
  snapshotRowsPerPart: '5000',
  maxTrainingRows: '300000',
  backtestSample: '0',
  mapConcurrency: '50',
  clvTimeUnit: 'week',
  clvCalibrationDays: '180',
};

describe('the retrain limits from context', () => {
  const { stack, template } = synth({}, CONTEXT);

  it('resolves every limit from its context key', () => {
    expect(stack.config.retrainLimits).toEqual({
      snapshotWorkers: 8,
      rowsPerSegment: 250_000,
      maxSegments: 2_000,
      rowsPerPart: 5_000,
      maxTrainingRows: 300_000,
      backtestSample: 0,
      mapConcurrency: 50,
    });
  });

  it("sets the plan's segment settings", () => {
    expect(variablesOf(template, PLAN)).toMatchObject({
      SNAPSHOT_WORKERS: '8',
      SNAPSHOT_ROWS_PER_SEGMENT: '250000',
      SNAPSHOT_MAX_SEGMENTS: '2000',
    });
  });

  it('gives the segment worker its part size and what it needs to build its share of the samples', () => {
    expect(variablesOf(template, SNAPSHOT)).toMatchObject({
      SNAPSHOT_ROWS_PER_PART: '5000',
      MAX_TRAINING_ROWS: '300000',
      BACKTEST_SAMPLE: '0',
      CLV_TIME_UNIT: 'week',
      CLV_CALIBRATION_DAYS: '180',
      CLV_CLUSTER_FEATURES: 'true',
    });
  });

  it.each([TRAIN, MEASURE])(
    'gives "%s" the samples and the CLV settings the segments were built with',
    (d) => {
      expect(variablesOf(template, d)).toMatchObject({
        MAX_TRAINING_ROWS: '300000',
        BACKTEST_SAMPLE: '0',
        CLV_TIME_UNIT: 'week',
        CLV_CALIBRATION_DAYS: '180',
        CLV_CLUSTER_FEATURES: 'true',
      });
    },
  );

  it('makes the setting the MaxConcurrency of every Distributed Map of both state machines', () => {
    expect(mapConcurrencies(definitionOf(retrainMachine(template).props))).toEqual({
      'Snapshot segments': 50,
      'Index parts': 50,
      'Reassign shoppers': 50,
    });
    expect(mapConcurrencies(definitionOf(driftCheckMachine(template).props))).toEqual({
      'Snapshot segments': 50,
    });
  });
});

describe('the retrain limits by default', () => {
  const { stack, template } = synth();

  it('are the contract defaults, which the template states', () => {
    expect(stack.config.retrainLimits).toEqual({
      snapshotWorkers: 4,
      rowsPerSegment: 500_000,
      maxSegments: 1_000,
      rowsPerPart: 20_000,
      maxTrainingRows: 200_000,
      backtestSample: 20_000,
      mapConcurrency: 20,
    });
    expect(variablesOf(template, SNAPSHOT)).toMatchObject({
      SNAPSHOT_ROWS_PER_PART: '20000',
      MAX_TRAINING_ROWS: '200000',
      BACKTEST_SAMPLE: '20000',
    });
    expect(variablesOf(template, TRAIN)).toMatchObject({
      MAX_TRAINING_ROWS: '200000',
      BACKTEST_SAMPLE: '20000',
    });
    expect(mapConcurrencies(definitionOf(retrainMachine(template).props))).toEqual({
      'Snapshot segments': 20,
      'Index parts': 20,
      'Reassign shoppers': 20,
    });
  });

  it('leaves them off the functions that do not read them', () => {
    expect(variablesOf(template, PLAN)).not.toHaveProperty('MAX_TRAINING_ROWS');
    expect(variablesOf(template, TRAIN)).not.toHaveProperty('SNAPSHOT_WORKERS');
  });
});

describe('the retrain limits as overrides', () => {
  it('take one limit on its own, the others from context or their defaults', () => {
    const { stack, template } = synth({ retrainLimits: { mapConcurrency: 7 } }, { maxTrainingRows: '1000' });
    expect(stack.config.retrainLimits).toMatchObject({
      mapConcurrency: 7,
      maxTrainingRows: 1_000,
      rowsPerPart: 20_000,
    });
    expect(mapConcurrencies(definitionOf(driftCheckMachine(template).props))).toEqual({
      'Snapshot segments': 7,
    });
  });

  it('are checked as context is', () => {
    expect(() => synth({ retrainLimits: { mapConcurrency: 0 } })).toThrow(/^mapConcurrency must be/);
  });
});

describe('invalid retrain limits', () => {
  it.each(
    RETRAIN_LIMIT_NAMES.flatMap((name) => {
      const { context, min, max } = RETRAIN_LIMITS[name];
      return [
        [context, String(min - 1)],
        [context, String(max + 1)],
        [context, '1.5'],
        [context, 'many'],
      ];
    }),
  )('refuses %s=%s, naming the setting and its bounds', (key, value) => {
    const { min, max } = Object.values(RETRAIN_LIMITS).find((limit) => limit.context === key) ?? {};
    expect(() => synth({}, { [key]: value })).toThrow(
      `${key} must be an integer from ${min} to ${max}, got '${value}'`,
    );
  });

  it('refuses more segments at least than at most', () => {
    expect(() => synth({}, { snapshotMinSegments: '20', snapshotMaxSegments: '10' })).toThrow(
      'snapshotMinSegments (20) must not exceed snapshotMaxSegments (10)',
    );
  });
});
