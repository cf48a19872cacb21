/**
 * One way to wire: the local runner (local/retrain-pipeline.ts) runs the stack's job handlers in
 * the order of the stack's own state machines. The synthesised retrain and drift check
 * definitions are read from the template and run here by a small interpreter of the States
 * Language they use (Distributed Maps with an ItemReader, ItemSelector and ResultWriter included),
 * with recording stand-ins for the job functions and a stand-in bucket the maps read their items
 * from; the local runner runs with the same stand-ins. In every case both call the same jobs, in the same order, with the same
 * payloads: a state added, moved or re-wired on one side only fails here.
 */
import type { CfnResource } from 'aws-cdk-lib';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import { describe, expect, it } from 'vitest';
import type { DriftCheck } from '#infra/drift-check';
import type { Retrain } from '#infra/retrain';
import {
  DRIFT_CHECK_STEPS,
  type JobHandler,
  type PipelineDeps,
  type PipelineStep,
  RETRAIN_STEPS,
  runSteps,
} from '#local/retrain-pipeline';
import { type Asl, type AslState, definitionOf, driftCheckMachine, retrainMachine, synth } from './template';

/** Not the default, so a map the setting does not reach shows. */
const MAP_CONCURRENCY = 3;
const { stack, template } = synth({}, { mapConcurrency: String(MAP_CONCURRENCY) });
const retrain = stack.node.findChild('Retrain') as Retrain;
const driftCheck = stack.node.findChild('DriftCheck') as DriftCheck;
const logicalId = (construct: { node: { defaultChild?: unknown } }) =>
  stack.getLogicalId(construct.node.defaultChild as CfnResource);
const arnOf = (fn: lambda.IFunction) => `<${logicalId(fn)}.Arn>`;
/** The job each function runs: its handler is functions/retrain-<job>.ts (retrain-drift.ts measures). */
const jobOfFunction = new Map<string, string>([
  [arnOf(retrain.planFunction), 'plan'],
  [arnOf(retrain.snapshotFunction), 'snapshot'],
  [arnOf(retrain.assembleFunction), 'assemble'],
  [arnOf(retrain.trainFunction), 'train'],
  [arnOf(retrain.indexFunction), 'index'],
  [arnOf(retrain.promoteFunction), 'promote'],
  [arnOf(retrain.assignFunction), 'assign'],
  [arnOf(retrain.recordFunction), 'record'],
  [arnOf(driftCheck.function), 'measure'],
]);
const retrainAsl = definitionOf(retrainMachine(template).props);
const driftAsl = definitionOf(driftCheckMachine(template).props);

type Json = Record<string, unknown>;
type Call = readonly [string, unknown?];

// --- A JSONPath interpreter of the parts of the States Language these machines use. ---

/**
 * `$`, `$.a.b`, `$.a[0]`, `States.ArrayLength(...)` on the state; `$$.…` on the context object
 * (a Map item's `$$.Map.Item.Value`); undefined when absent.
 */
const read = (path: string, state: unknown, context: unknown = {}): unknown => {
  const length = /^States\.ArrayLength\((.+)\)$/.exec(path);
  if (length) return (read(length[1] ?? '', state, context) as unknown[]).length;
  if (!path.startsWith('$')) throw new Error(`unsupported path ${path}`);
  const [root, rest] = path.startsWith('$$') ? [context, path.slice(2)] : [state, path.slice(1)];
  let value = root;
  for (const [, key, index] of rest.matchAll(/\.(\w+)|\[(\d+)\]/g)) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string, unknown>)[key ?? String(index)];
  }
  return value;
};

/**
 * Parameters, ItemSelector, ResultSelector: keys ending in `.$` are paths, on the state or on the
 * context object (left out when the context has no such field, e.g. `$$.Execution.Name`).
 */
const fill = (template: unknown, state: unknown, context: unknown = {}): unknown => {
  if (Array.isArray(template)) return template.map((t) => fill(t, state, context));
  if (!template || typeof template !== 'object') return template;
  const out: Json = {};
  for (const [key, value] of Object.entries(template)) {
    if (!key.endsWith('.$')) out[key] = fill(value, state, context);
    else {
      const found = read(String(value), state, context);
      if (found !== undefined || !String(value).startsWith('$$')) out[key.slice(0, -2)] = found;
    }
  }
  return out;
};

/** ResultPath: the result replaces the state (`$`, the default), is dropped (null), or goes under a key. */
const place = (state: unknown, resultPath: unknown, result: unknown): unknown => {
  if (resultPath === undefined || resultPath === '$') return result;
  if (resultPath === null) return state;
  const key = /^\$\.(\w+)$/.exec(String(resultPath))?.[1];
  if (!key) throw new Error(`unsupported ResultPath ${String(resultPath)}`);
  return { ...(state as Json), [key]: result };
};

const choose = (state: AslState, input: unknown): string => {
  const rules = (state.Choices ?? []) as Json[];
  for (const rule of rules) {
    const value = read(String(rule.Variable), input);
    if ('IsPresent' in rule && (value !== undefined) === rule.IsPresent) return String(rule.Next);
    if ('BooleanEquals' in rule && value === rule.BooleanEquals) return String(rule.Next);
    if (!('IsPresent' in rule) && !('BooleanEquals' in rule))
      throw new Error(`unsupported rule ${JSON.stringify(rule)}`);
  }
  return String(state.Default);
};

interface StandIns {
  readonly jobs: Record<string, JobHandler>;
  readonly retrainRunning: () => boolean;
  /** The stand-in data bucket: the JSON arrays the maps' ItemReaders read, by key. */
  readonly objects: Readonly<Record<string, readonly unknown[]>>;
}

/** A Distributed Map's items: from the bucket (ItemReader, a JSON array), or from the state (ItemsPath). */
const mapItems = (state: AslState, data: unknown, standIns: StandIns): readonly unknown[] => {
  const reader = state.ItemReader as { Resource: string; ReaderConfig?: Json; Parameters: Json } | undefined;
  if (!reader) return read(String(state.ItemsPath ?? '$'), data) as unknown[];
  expect(reader.Resource).toMatch(/:states:::s3:getObject$/);
  expect(reader.ReaderConfig).toEqual({ InputType: 'JSON' });
  const { Bucket, Key } = fill(reader.Parameters, data) as { Bucket: string; Key: string };
  expect(Bucket).toMatch(/^<Data[0-9A-F]{8}>$/);
  const items = standIns.objects[Key];
  if (!items) throw new Error(`no items at ${Key}`);
  return items;
};

/** Runs a state machine definition on `input`; the final state. */
const execute = async (asl: Asl, input: unknown, standIns: StandIns): Promise<unknown> => {
  let name: string | undefined = asl.StartAt;
  let data = input;
  while (name !== undefined) {
    const state: AslState | undefined = asl.States[name];
    if (!state) throw new Error(`no state ${name}`);
    if (state.Type === 'Succeed') return data;
    if (state.Type === 'Choice') {
      name = choose(state, data);
      continue;
    }
    let result: unknown;
    if (state.Type === 'Map') {
      const processor = (state.ItemProcessor ?? state.Iterator) as Asl;
      const results: unknown[] = [];
      for (const [index, value] of mapItems(state, data, standIns).entries()) {
        const item = state.ItemSelector
          ? fill(state.ItemSelector, data, { Map: { Item: { Value: value, Index: index } } })
          : value;
        results.push(await execute(processor, item, standIns));
      }
      // A ResultWriter writes the results to the bucket; the map's result is where it wrote them.
      const writer = state.ResultWriter as { Parameters: Json } | undefined;
      result = writer
        ? {
            ResultWriterDetails: {
              Bucket: writer.Parameters.Bucket,
              Key: `${writer.Parameters.Prefix}/run/manifest.json`,
            },
          }
        : results;
    } else if (state.Type === 'Task') {
      const resource = String(state.Resource);
      const parameters = state.Parameters as Json;
      if (resource.endsWith(':states:::lambda:invoke')) {
        const job = jobOfFunction.get(String(parameters.FunctionName));
        const handler = job ? standIns.jobs[job] : undefined;
        if (!handler) throw new Error(`${name} invokes no known job function`);
        const payload = (fill(parameters, data) as Json).Payload;
        result = { Payload: await handler(payload), StatusCode: 200 };
      } else if (resource.endsWith(':states:::aws-sdk:sfn:listExecutions')) {
        expect(parameters.StateMachineArn).toBe(`<${logicalId(retrain.stateMachine)}>`);
        result = { Executions: standIns.retrainRunning() ? [{ executionArn: 'running' }] : [] };
      } else if (resource.endsWith(':states:::states:startExecution')) {
        expect(parameters.StateMachineArn).toBe(`<${logicalId(retrain.stateMachine)}>`);
        const handler = standIns.jobs.retrain;
        if (!handler) throw new Error('no retrain stand-in');
        result = { ExecutionArn: 'started', Output: await handler((fill(parameters, data) as Json).Input) };
      } else throw new Error(`${name}: unsupported resource ${resource}`);
    } else throw new Error(`${name}: unsupported state type ${state.Type}`);
    if (state.ResultSelector) result = fill(state.ResultSelector, result);
    data = place(data, state.ResultPath, result);
    if (state.OutputPath) data = read(String(state.OutputPath), data);
    if (state.End) return data;
    name = state.Next as string | undefined;
  }
  return data;
};

// --- Recording stand-ins for the job functions, the same for both sides. ---

interface Script {
  /** Whether the trained model passes the gate (default: as `promoted`). */
  readonly passed?: boolean;
  readonly promoted?: boolean;
  readonly drifted?: boolean;
  /** What each "Retrain running?" answers, in turn. */
  readonly running?: readonly boolean[];
}

/** What the stand-in plan and assemble answer: the keys the maps read, as the real ones are laid out. */
const PLAN = {
  runId: 'snap-1',
  prefix: 'snapshots/snap-1/',
  totalSegments: 2,
  segmentsKey: 'snapshots/snap-1/_segments.json',
};
const SNAPSHOT = {
  runId: 'snap-1',
  rows: 30,
  parts: 3,
  manifestKey: 'snapshots/snap-1/_manifest.json',
  partsKey: 'snapshots/snap-1/_parts.json',
};
/** A drift check's snapshot, given to the retrain. */
const GIVEN = {
  runId: 'd-1',
  rows: 20,
  parts: 2,
  manifestKey: 'snapshots/d-1/_manifest.json',
  partsKey: 'snapshots/d-1/_parts.json',
};
const OBJECTS: Record<string, readonly unknown[]> = {
  [PLAN.segmentsKey]: [{ segment: 0 }, { segment: 1 }],
  [SNAPSHOT.partsKey]: [{ key: 'part-0' }, { key: 'part-1' }, { key: 'part-2' }],
  [GIVEN.partsKey]: [{ key: 'd-part-0' }, { key: 'd-part-1' }],
};

const standIns = (script: Script) => {
  const calls: Call[] = [];
  let asked = 0;
  const job =
    (name: string, answer: (payload: Json) => unknown): JobHandler =>
    async (payload) => {
      calls.push([name, payload]);
      return answer(payload as Json);
    };
  const jobs = {
    plan: job('plan', (p) => ({ trigger: p.trigger ?? 'schedule', plan: PLAN })),
    snapshot: job('snapshot', (p) => ({ segment: p.segment, rows: 15, parts: 1 })),
    assemble: job('assemble', (p) => ({ trigger: p.trigger, snapshot: SNAPSHOT })),
    train: job('train', (p) => {
      const passed = script.passed ?? script.promoted ?? false;
      return {
        trigger: p.trigger,
        snapshot: p.snapshot,
        run: { runId: 'run-1', trigger: p.trigger, modelVersion: 'm-run-1' },
        passed,
        ...(passed ? { modelVersion: 'm-run-1', at: 'then' } : {}),
      };
    }),
    index: job('index', (p) => ({ part: (p.part as Json).key, shoppers: 10, products: 4 })),
    promote: job('promote', (p) => ({
      trigger: p.trigger,
      snapshot: p.snapshot,
      run: { ...(p.run as Json), outcome: script.promoted ? 'promoted' : 'rejected' },
      promoted: script.promoted ?? false,
      modelVersion: p.modelVersion,
      at: p.at,
    })),
    assign: job('assign', () => ({ shoppers: 10, changed: 3, segments: { 'seg-1': 10 } })),
    record: job('record', (p) => ({ ...(p.run as Json), reassigned: { shoppers: 30, changed: 9 } })),
    measure: job('measure', (p) => ({
      drift: { maxFeaturePsi: script.drifted ? 0.4 : 0.01 },
      threshold: 0.25,
      drifted: script.drifted ?? false,
      modelVersion: 'm-0',
      trigger: 'drift',
      snapshot: p.snapshot,
    })),
    retrain: job('retrain', () => ({ runId: 'drift-run' })),
  };
  const retrainRunning = () => {
    const running = script.running?.[asked++] ?? false;
    calls.push(['retrain running?', running]);
    return running;
  };
  return { calls, jobs, retrainRunning, objects: OBJECTS };
};

/** The same script through the stack's definition and through the local runner. */
const both = async (asl: Asl, steps: readonly PipelineStep[], input: Json, script: Script) => {
  const stack = standIns(script);
  const stackFinal = await execute(asl, input, stack);
  const local = standIns(script);
  const deps: PipelineDeps = {
    jobs: local.jobs,
    retrainRunning: local.retrainRunning,
    readItems: async (key) => {
      const items = local.objects[key];
      if (!items) throw new Error(`no items at ${key}`);
      return items;
    },
    mapConcurrency: MAP_CONCURRENCY,
  };
  const { state: localFinal } = await runSteps(steps, deps, input);
  return { stack: stack.calls, local: local.calls, stackFinal, localFinal };
};

/** A task state of the definition, at its top level or in a map's item processor. */
const taskState = (asl: Asl, name: string) =>
  asl.States[name] ??
  Object.values(asl.States)
    .map((s) => (s.ItemProcessor as Asl | undefined)?.States[name])
    .find(Boolean);
/** The Map state whose item processor runs the task `name`. */
const mapOf = (asl: Asl, name: string) =>
  Object.values(asl.States).find((s) => (s.ItemProcessor as Asl | undefined)?.States[name]);

const names = (calls: readonly Call[]) => calls.map(([name]) => name);

const SNAPSHOT_JOBS = ['plan', 'snapshot', 'snapshot', 'assemble'];

describe('the local retrain runs the retrain state machine', () => {
  it('lists its task states in their order', () => {
    expect(RETRAIN_STEPS.map((s) => s.state)).toEqual([
      'Plan snapshot',
      'Snapshot segment',
      'Assemble snapshot',
      'Train model',
      'Index part',
      'Promote model',
      'Assign part',
      'Record run',
    ]);
    for (const step of RETRAIN_STEPS)
      expect(taskState(retrainAsl, step.state)?.Type, step.state).toBe('Task');
  });

  it('fans out over the items its ItemReader reads, each Distributed Map with the configured concurrency', () => {
    const maps = RETRAIN_STEPS.filter((step) => 'map' in step && step.map);
    expect(maps.map((step) => step.state)).toEqual(['Snapshot segment', 'Index part', 'Assign part']);
    for (const step of maps) {
      const map = mapOf(retrainAsl, step.state);
      expect(map?.ItemReader, step.state).toBeDefined();
      expect(map?.MaxConcurrency, step.state).toBe(MAP_CONCURRENCY);
    }
  });

  it.each([1, 2, 5])('runs at most %i items of a map at once, as MaxConcurrency allows', async (limit) => {
    const parts = Array.from({ length: 6 }, (_, i) => ({ key: `part-${i}` }));
    let running = 0;
    let peak = 0;
    const assign: JobHandler = async () => {
      peak = Math.max(peak, ++running);
      await new Promise((resolve) => setTimeout(resolve, 5));
      running--;
      return { shoppers: 1, changed: 0, segments: {} };
    };
    const noop: JobHandler = async () => null;
    const deps: PipelineDeps = {
      jobs: {
        plan: noop,
        snapshot: noop,
        assemble: noop,
        train: noop,
        index: noop,
        promote: noop,
        assign,
        record: noop,
        measure: noop,
        retrain: noop,
      },
      retrainRunning: () => false,
      readItems: async () => parts,
      mapConcurrency: limit,
    };
    const reassign = RETRAIN_STEPS.filter((step) => step.state === 'Assign part');
    await runSteps(reassign, deps, { promoted: true, snapshot: { partsKey: 'parts.json' } });
    expect(peak).toBe(limit);
  });

  it.each([
    ['scheduled, promoted', { trigger: 'schedule' }, { promoted: true }],
    ['scheduled, rejected', { trigger: 'schedule' }, { promoted: false }],
    [
      'scheduled, passed but another model promoted meanwhile',
      { trigger: 'schedule' },
      { passed: true, promoted: false },
    ],
    ['manual, promoted', { trigger: 'manual' }, { promoted: true }],
    ["a drift check's snapshot given, promoted", { trigger: 'drift', snapshot: GIVEN }, { promoted: true }],
    ["a drift check's snapshot given, rejected", { trigger: 'drift', snapshot: GIVEN }, { promoted: false }],
  ])('%s: the same jobs with the same payloads, and the same end', async (_case, input, script: Script) => {
    const run = await both(retrainAsl, RETRAIN_STEPS, input, script);
    expect(run.local).toEqual(run.stack);
    expect(run.localFinal).toEqual(run.stackFinal);
    const given = 'snapshot' in input;
    const parts = given ? GIVEN.parts : SNAPSHOT.parts;
    const passed = script.passed ?? script.promoted;
    const expected = [
      ...(given ? [] : SNAPSHOT_JOBS),
      'train',
      ...(passed ? [...Array.from({ length: parts }, () => 'index'), 'promote'] : []),
      ...(script.promoted ? [...Array.from({ length: parts }, () => 'assign'), 'record'] : []),
    ];
    expect(names(run.local)).toEqual(expected);
  });

  it('builds each item as the ItemSelector does, from the item read and the state', async () => {
    const run = await both(retrainAsl, RETRAIN_STEPS, { trigger: 'schedule' }, { promoted: true });
    const payloads = (job: string) => run.stack.filter(([name]) => name === job).map(([, p]) => p);
    expect(payloads('snapshot')).toEqual([
      { segment: 0, plan: PLAN },
      { segment: 1, plan: PLAN },
    ]);
    expect(payloads('index')).toEqual(
      (OBJECTS[SNAPSHOT.partsKey] ?? []).map((part) => ({ part, modelVersion: 'm-run-1' })),
    );
    expect(payloads('promote')).toEqual([
      {
        trigger: 'schedule',
        snapshot: SNAPSHOT,
        run: expect.any(Object),
        modelVersion: 'm-run-1',
        at: 'then',
      },
    ]);
    expect(payloads('assign')).toEqual(
      (OBJECTS[SNAPSHOT.partsKey] ?? []).map((part) => ({ part, modelVersion: 'm-run-1', at: 'then' })),
    );
    expect(payloads('record')).toEqual([{ run: expect.any(Object), parts: SNAPSHOT.parts }]);
  });
});

describe('the local drift check runs the drift check state machine', () => {
  it('lists its task states in their order', () => {
    expect(DRIFT_CHECK_STEPS.map((s) => s.state)).toEqual([
      'Retrain running?',
      'Plan snapshot',
      'Snapshot segment',
      'Assemble snapshot',
      'Measure drift',
      'Retrain running before start?',
      'Start retrain',
    ]);
    for (const step of DRIFT_CHECK_STEPS)
      expect(taskState(driftAsl, step.state)?.Type, step.state).toBe('Task');
    expect(mapOf(driftAsl, 'Snapshot segment')?.MaxConcurrency).toBe(MAP_CONCURRENCY);
  });

  it.each([
    ['a retrain running: skipped at once', { running: [true] }, ['retrain running?']],
    ['no drift', { drifted: false }, ['retrain running?', ...SNAPSHOT_JOBS, 'measure']],
    [
      'drifted: the retrain on the measured snapshot',
      { drifted: true },
      ['retrain running?', ...SNAPSHOT_JOBS, 'measure', 'retrain running?', 'retrain'],
    ],
    [
      'drifted, but a retrain started meanwhile',
      { drifted: true, running: [false, true] },
      ['retrain running?', ...SNAPSHOT_JOBS, 'measure', 'retrain running?'],
    ],
  ])('%s: the same jobs with the same payloads', async (_case, script, expected) => {
    const run = await both(driftAsl, DRIFT_CHECK_STEPS, {}, script);
    expect(run.local).toEqual(run.stack);
    expect(names(run.local)).toEqual(expected);
  });

  it('plans the snapshot with the drift trigger, and starts the retrain with the snapshot it measured', async () => {
    const run = await both(driftAsl, DRIFT_CHECK_STEPS, {}, { drifted: true });
    expect(run.local.find(([name]) => name === 'plan')).toEqual(['plan', { trigger: 'drift' }]);
    expect(run.local.at(-1)).toEqual(['retrain', { trigger: 'drift', snapshot: SNAPSHOT }]);
  });
});
