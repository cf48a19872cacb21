/**
 * The infra↔code contract, checked on the synthesised template: each function's environment, as
 * the stack sets it, is enough for that function's own wiring to start (the composition roots of
 * shared/adapters, which read the names of shared/contract/environment.ts). A variable the stack
 * forgets fails here, not at a function's first invocation in AWS. Building the adapters makes no
 * call; the resources' physical names, unknown at synth, are placeholders.
 */
import { describe, expect, it } from 'vitest';
import { apiKeysFromConfig } from '#shared/adapters/api-keys-from-config';
import { jobRuntimeFromEnv } from '#shared/adapters/retrain-ports';
import { requiredKey, runtimeConfigFromEnv } from '#shared/adapters/runtime-config';
import { segmentChangeBus } from '#shared/adapters/segment-change-bus';
import { ENV, functionKeyRoles } from '#shared/contract/index';
import { functionByDescription, synth } from './template';

const { template } = synth();

/** A function's variables, with every CloudFormation reference replaced by a placeholder name. */
const environmentOf = (description: string): NodeJS.ProcessEnv => {
  const { props } = functionByDescription(template, description);
  const variables = (props.Environment as { Variables: Record<string, unknown> }).Variables;
  return Object.fromEntries(
    Object.entries(variables).map(([name, value]) => [
      name,
      typeof value === 'string' ? value : `resolved-${name}`,
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
  'Retrain: snapshot profiles to S3': (env) => jobRuntimeFromEnv('retrain-snapshot', env),
  'Retrain: train, gate and promote a model': (env) => jobRuntimeFromEnv('retrain-train', env),
  'Retrain: re-assign the shoppers of one snapshot part': (env) =>
    segmentChangeBus(jobRuntimeFromEnv('retrain-assign', env).config),
  'Drift check: compare a snapshot with the current model': (env) => jobRuntimeFromEnv('retrain-drift', env),
};

describe("each function's environment", () => {
  it('covers every function of the service', () => {
    // The stack's own functions: CDK adds one of its own (the bucket's autoDeleteObjects provider).
    const described = Object.entries(template.findResources('AWS::Lambda::Function'))
      .filter(([id]) => !/CustomResourceProviderHandler/.test(id))
      .map(([, fn]) => (fn as { Properties: { Description?: string } }).Properties.Description);
    expect(described.sort()).toEqual(Object.keys(wiring).sort());
  });

  it.each(Object.entries(wiring))('lets "%s" wire its adapters', (description, wire) => {
    expect(() => wire(environmentOf(description))).not.toThrow();
  });

  it('gives the snapshot its worker count through the one configuration reader', () => {
    const { config } = jobRuntimeFromEnv(
      'retrain-snapshot',
      environmentOf('Retrain: snapshot profiles to S3'),
    );
    expect(config.snapshotWorkers).toBe(4);
  });
});
