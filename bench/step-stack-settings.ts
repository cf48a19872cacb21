/**
 * Child step `stack`: what the synthesised stack configures for the retrain (in a child because
 * synthesis loads aws-cdk-lib): each job function's memory and timeout, each Distributed Map's
 * concurrency and child execution type, the state machine's timeout and how many states a
 * promoting run passes through, and how long snapshots are kept. The projection prices these.
 */
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { SegmentationStack } from '#infra/segmentation-stack';
import { rssMb } from './step-memory';

type Resource = { Type: string; Properties: Record<string, unknown> };
type State = {
  Type: string;
  Next?: string;
  Default?: string;
  Choices?: { Variable?: string; Next: string }[];
  MaxConcurrency?: number;
  ItemProcessor?: { ProcessorConfig?: { ExecutionType?: string }; States: Record<string, State> };
};
type Definition = { StartAt: string; States: Record<string, State>; TimeoutSeconds?: number };

const JOBS = ['Plan', 'Snapshot', 'Assemble', 'Train', 'Index', 'Promote', 'Assign', 'Record'] as const;
export type RetrainJob = (typeof JOBS)[number];

export interface StackSettings {
  readonly functions: Record<RetrainJob, { readonly memoryMb: number; readonly timeoutS: number }>;
  readonly maps: Record<
    string,
    { readonly maxConcurrency: number; readonly executionType: string; readonly childStates: number }
  >;
  readonly stateMachineTimeoutS: number;
  /** States a scheduled run that promotes passes through (each a state transition). */
  readonly promotedPathStates: number;
  readonly snapshotRetentionDays: number;
}

/** The definition's JSON, CloudFormation references replaced by placeholders. */
const definitionOf = (props: Record<string, unknown>): Definition => {
  const body = props.DefinitionString as { 'Fn::Join': [string, unknown[]] } | string;
  const parts = typeof body === 'string' ? [body] : body['Fn::Join'][1];
  return JSON.parse(parts.map((part) => (typeof part === 'string' ? part : 'ref')).join('')) as Definition;
};

/** The path of a scheduled run whose model passes and is promoted: at a Choice, the snapshot is not given, the rest are yes. */
const promotedPath = (definition: Definition): number => {
  let states = 0;
  let name: string | undefined = definition.StartAt;
  while (name) {
    const state: State | undefined = definition.States[name];
    if (!state) break;
    states += 1;
    if (state.Type !== 'Choice') name = state.Next;
    else name = state.Choices?.[0]?.Variable === '$.snapshot' ? state.Default : state.Choices?.[0]?.Next;
  }
  return states;
};

export const stack = async () => {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const resources = Object.entries(
    (
      Template.fromStack(new SegmentationStack(app, 'Bench', {})).toJSON() as {
        Resources: Record<string, Resource>;
      }
    ).Resources,
  );
  const byPrefix = (type: string, prefix: string) => {
    const found = resources.filter(
      ([id, r]) => r.Type === type && new RegExp(`^${prefix}[0-9A-F]{8}$`).test(id),
    );
    if (found.length !== 1) throw new Error(`expected one ${type} ${prefix}, found ${found.length}`);
    return (found[0] as [string, Resource])[1].Properties;
  };
  const functions = Object.fromEntries(
    JOBS.map((job) => {
      const props = byPrefix('AWS::Lambda::Function', `Retrain${job}`);
      return [job, { memoryMb: Number(props.MemorySize), timeoutS: Number(props.Timeout) }];
    }),
  ) as StackSettings['functions'];
  const definition = definitionOf(byPrefix('AWS::StepFunctions::StateMachine', 'RetrainStateMachine'));
  const maps = Object.fromEntries(
    Object.entries(definition.States)
      .filter(([, state]) => state.Type === 'Map')
      .map(([name, state]) => [
        name,
        {
          maxConcurrency: state.MaxConcurrency ?? 0,
          executionType: state.ItemProcessor?.ProcessorConfig?.ExecutionType ?? 'STANDARD',
          childStates: Object.keys(state.ItemProcessor?.States ?? {}).length,
        },
      ]),
  );
  const bucket = resources.find(
    ([id, r]) => r.Type === 'AWS::S3::Bucket' && /^Data[0-9A-F]{8}$/.test(id),
  )?.[1].Properties as { LifecycleConfiguration?: { Rules: { Id: string; ExpirationInDays?: number }[] } };
  const retention = bucket?.LifecycleConfiguration?.Rules.find((r) => r.Id === 'ExpireSnapshots');
  if (!retention?.ExpirationInDays) throw new Error('the data bucket has no ExpireSnapshots rule');
  const settings: StackSettings = {
    functions,
    maps,
    stateMachineTimeoutS: definition.TimeoutSeconds ?? 0,
    promotedPathStates: promotedPath(definition),
    snapshotRetentionDays: retention.ExpirationInDays,
  };
  return { startMb: rssMb(), settings };
};
