/**
 * The infra↔code contract, checked on the synthesised template: each function's environment, as
 * the stack sets it, is enough for that function's own wiring to start (the composition roots of
 * shared/adapters, which read the names of shared/contract/environment.ts). A variable the stack
 * forgets fails here, not at a function's first invocation in AWS. Building the adapters makes no
 * call; the resources' physical names, unknown at synth, are placeholders.
 */
import { describe, expect, it } from 'vitest';
import { cdkInternalRule } from '#scripts/lambda-bundles';
import { apiKeysFromConfig } from '#shared/adapters/api-keys-from-config';
import { jobRuntimeFromEnv } from '#shared/adapters/retrain-ports';
import { requiredKey, retrainSettingsFromEnv, runtimeConfigFromEnv } from '#shared/adapters/runtime-config';
import { segmentChangeBus } from '#shared/adapters/segment-change-bus';
import { ENV, functionKeyRoles, RETRAIN_LIMITS } from '#shared/contract/index';
import { BACKTEST_SAMPLE } from '#shared/segmentation/domain/features/training-summary';
import { functionByDescription, synth } from './template';

const { template } = synth();

/** A function's variables, with every CloudFormation reference replaced by a placeholder name. */
const environmentOf = (description: string): NodeJS.ProcessEnv => {
  const { props } = functionByDescription(template, description);
  const variables = (props.Environment as { Variables: Record<string, unknown> }).Variables;
  return Object.fromEntries(
    Object.entries(variables).map(([name, value]) => [
      name,
      // The API's endpoint resolves to a URL, and the function checks that it is one.
      typeof value === 'string'
        ? value
        : name === ENV.publicApiUrl
          ? 'https://resolved.example'
          : `resolved-${name}`,
    ]),
  );
};

/** What each handler builds at its cold start, from its environment alone. */
const wiring: Record<string, (env: NodeJS.ProcessEnv) => unknown> = {
  'Segment HTTP Tracking API ingestion': (env) =>
    apiKeysFromConfig(runtimeConfigFromEnv(env), functionKeyRoles.ingest),
  'Shopper profile read API': (env) => {
    const config = runtimeConfigFromEnv(env);
    requiredKey(config.dataBucket, ENV.dataBucket);
    requiredKey(config.assignmentsTable, ENV.assignmentsTable);
    segmentChangeBus(config);
    return apiKeysFromConfig(config, functionKeyRoles.readApi);
  },
  'Erases a shopper (admin): profile, raw events, segment history': (env) => {
    const config = runtimeConfigFromEnv(env);
    requiredKey(config.assignmentsTable, ENV.assignmentsTable);
    return apiKeysFromConfig(config, functionKeyRoles.admin);
  },
  'Re-scores shoppers whose profiles changed (profiles stream)': (env) =>
    segmentChangeBus(jobRuntimeFromEnv('rescore', env).config),
  'Retrain: plan a snapshot (run, parallel Scan segments)': (env) => jobRuntimeFromEnv('retrain-plan', env),
  'Retrain: snapshot one Scan segment of the profiles to S3': (env) =>
    jobRuntimeFromEnv('retrain-snapshot', env),
  'Retrain: assemble a snapshot from its segments': (env) => jobRuntimeFromEnv('retrain-assemble', env),
  'Retrain: train and gate a model (saved, not yet promoted)': (env) =>
    jobRuntimeFromEnv('retrain-train', env),
  "Retrain: one snapshot part's recommendation index partial": (env) =>
    jobRuntimeFromEnv('retrain-index', env),
  'Retrain: merge the index partials, save the index and promote the model': (env) =>
    jobRuntimeFromEnv('retrain-promote', env),
  'Retrain: re-assign the shoppers of one snapshot part': (env) =>
    segmentChangeBus(jobRuntimeFromEnv('retrain-assign', env).config),
  'Retrain: record the run with what its reassignment counted': (env) =>
    jobRuntimeFromEnv('retrain-record', env),
  'Drift check: compare a snapshot with the current model': (env) => jobRuntimeFromEnv('retrain-drift', env),
};

describe("each function's environment", () => {
  it('covers every function of the service', () => {
    // The stack's own functions: CDK adds its own (scripts/lambda-bundles.ts, CDK_INTERNAL_FUNCTIONS).
    const described = Object.entries(template.findResources('AWS::Lambda::Function'))
      .filter(([id, fn]) => !cdkInternalRule(id, (fn as { Properties: Record<string, unknown> }).Properties))
      .map(([, fn]) => (fn as { Properties: { Description?: string } }).Properties.Description);
    expect(described.sort()).toEqual(Object.keys(wiring).sort());
  });

  it.each(Object.entries(wiring))('lets "%s" wire its adapters', (description, wire) => {
    expect(() => wire(environmentOf(description))).not.toThrow();
  });

  it('gives the plan its segment settings through the one configuration reader', () => {
    const { config } = jobRuntimeFromEnv(
      'retrain-plan',
      environmentOf('Retrain: plan a snapshot (run, parallel Scan segments)'),
    );
    expect({
      snapshotWorkers: config.snapshotWorkers,
      rowsPerSegment: config.rowsPerSegment,
      maxSegments: config.maxSegments,
    }).toEqual({ snapshotWorkers: 4, rowsPerSegment: 500_000, maxSegments: 1_000 });
  });

  it('reads the segment settings from SNAPSHOT_ROWS_PER_SEGMENT and SNAPSHOT_MAX_SEGMENTS, with defaults', () => {
    const plan = environmentOf('Retrain: plan a snapshot (run, parallel Scan segments)');
    const { config } = jobRuntimeFromEnv('test', {
      ...plan,
      [ENV.snapshotRowsPerSegment]: '1000',
      [ENV.snapshotMaxSegments]: '7',
    });
    expect({ rowsPerSegment: config.rowsPerSegment, maxSegments: config.maxSegments }).toEqual({
      rowsPerSegment: 1000,
      maxSegments: 7,
    });
    const { [ENV.snapshotRowsPerSegment]: _r, [ENV.snapshotMaxSegments]: _m, ...unset } = plan;
    const defaults = jobRuntimeFromEnv('test', unset).config;
    expect({ rowsPerSegment: defaults.rowsPerSegment, maxSegments: defaults.maxSegments }).toEqual({
      rowsPerSegment: 500_000,
      maxSegments: 1_000,
    });
    expect(() => jobRuntimeFromEnv('test', { ...plan, [ENV.snapshotMaxSegments]: '0' })).toThrow(
      ENV.snapshotMaxSegments,
    );
  });

  it("gives the snapshot its part size, and it, training and the drift measure their samples and CLV settings (the stack's defaults)", () => {
    const settings = (description: string) => jobRuntimeFromEnv('test', environmentOf(description)).config;
    expect(settings('Retrain: snapshot one Scan segment of the profiles to S3').rowsPerPart).toBe(20_000);
    for (const description of [
      'Retrain: snapshot one Scan segment of the profiles to S3',
      'Retrain: train and gate a model (saved, not yet promoted)',
      'Drift check: compare a snapshot with the current model',
    ]) {
      const { maxTrainingRows, backtestSample, clv } = settings(description);
      expect({ maxTrainingRows, backtestSample, clv }, description).toEqual({
        maxTrainingRows: 200_000,
        backtestSample: BACKTEST_SAMPLE,
        clv: { unit: 'day', calibrationDays: null, clusterFeatures: true },
      });
    }
  });

  it('reads the backtest sample from BACKTEST_SAMPLE: the default when unset, 0 for none, refused out of bounds', () => {
    const { [ENV.backtestSample]: _unset, ...env } = environmentOf(
      'Retrain: snapshot one Scan segment of the profiles to S3',
    );
    const backtest = (value?: string) =>
      runtimeConfigFromEnv(value === undefined ? env : { ...env, [ENV.backtestSample]: value })
        .backtestSample;
    expect(backtest()).toBe(RETRAIN_LIMITS.backtestSample.default);
    expect(backtest('5000')).toBe(5_000);
    expect(backtest('0')).toBe(0);
    for (const bad of ['-1', '1.5', 'many', String(RETRAIN_LIMITS.backtestSample.max + 1)])
      expect(() => backtest(bad), bad).toThrow(
        /invalid or missing environment variables: BACKTEST_SAMPLE \(/,
      );
  });

  it("reads the map concurrency from MAP_CONCURRENCY, within Step Functions' bound", () => {
    const env = environmentOf('Retrain: snapshot one Scan segment of the profiles to S3');
    expect(runtimeConfigFromEnv(env).mapConcurrency).toBe(20);
    expect(runtimeConfigFromEnv({ ...env, [ENV.mapConcurrency]: '100' }).mapConcurrency).toBe(100);
    expect(() => runtimeConfigFromEnv({ ...env, [ENV.mapConcurrency]: '10001' })).toThrow(ENV.mapConcurrency);
  });

  it('gives the local service only the limits its environment sets, checked alike', () => {
    expect(retrainSettingsFromEnv({})).toEqual({});
    expect(retrainSettingsFromEnv({ [ENV.backtestSample]: '0', [ENV.mapConcurrency]: '4' })).toEqual({
      backtestSample: 0,
      mapConcurrency: 4,
    });
    expect(() => retrainSettingsFromEnv({ [ENV.maxTrainingRows]: '0' })).toThrow(ENV.maxTrainingRows);
  });

  it('reads the part size and the training rows from SNAPSHOT_ROWS_PER_PART and MAX_TRAINING_ROWS', () => {
    const { config } = jobRuntimeFromEnv('test', {
      ...environmentOf('Retrain: snapshot one Scan segment of the profiles to S3'),
      [ENV.snapshotRowsPerPart]: '50',
      [ENV.maxTrainingRows]: '120',
    });
    expect({ rowsPerPart: config.rowsPerPart, maxTrainingRows: config.maxTrainingRows }).toEqual({
      rowsPerPart: 50,
      maxTrainingRows: 120,
    });
    expect(() =>
      jobRuntimeFromEnv('test', {
        ...environmentOf('Retrain: snapshot one Scan segment of the profiles to S3'),
        [ENV.snapshotRowsPerPart]: '0',
      }),
    ).toThrow(ENV.snapshotRowsPerPart);
  });
});
