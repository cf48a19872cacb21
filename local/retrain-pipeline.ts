/**
 * The stack's two job state machines, as the local runner follows them: the retrain
 * (infra/retrain.ts) and the drift check (infra/drift-check.ts), each a list of its task states
 * in their order, with the job handler each task invokes (functions/retrain-*.ts, built by
 * local/retrain-worker.ts on the service's ports), the Choice states before it (`when`) and the
 * payload its task gets. Every payload and every answer crosses as JSON, as between Step
 * Functions states. test/infra/local-pipeline.test.ts reads the synthesised state machines and
 * checks that these lists are their task order, so the two cannot drift apart.
 *
 * Where the local runner differs, it is a local convenience over the same handlers: the items of
 * the Distributed Maps, read from the bucket as their ItemReaders read them, run in this thread
 * (at most the mapConcurrency setting at once, which the stack makes every map's MaxConcurrency)
 * and their results are dropped rather than written to the bucket; and a drift check that starts
 * a retrain waits for it, so that its answer carries the run.
 */
import { mapWithConcurrency } from '#shared/kernel/concurrency';
import type { DriftReport, RetrainRun } from '#shared/segmentation/domain/segment-model';
import { DEFAULT_RETRAIN_SETTINGS } from '#shared/segmentation/usecases/run-retrain/retrain-settings';
import type { SnapshotRef } from '#shared/segmentation/usecases/take-snapshot/snapshot-layout';

/** A job handler as its `create…Handler` builds it: one Lambda invocation. */
export type JobHandler = (event: unknown) => Promise<unknown>;

/**
 * The job handlers, by the name the steps use: functions/retrain-{plan,snapshot,assemble,train,
 * index,promote,assign,record,drift}.ts (`snapshot` scans one segment; `measure` is retrain-drift.ts).
 */
export interface JobHandlers {
  readonly plan: JobHandler;
  readonly snapshot: JobHandler;
  readonly assemble: JobHandler;
  readonly train: JobHandler;
  readonly index: JobHandler;
  readonly promote: JobHandler;
  readonly assign: JobHandler;
  readonly record: JobHandler;
  readonly measure: JobHandler;
}

/** What a state machine's states hand each other (a JSON object). */
type State = Readonly<Record<string, unknown>>;

/**
 * A Distributed Map whose ItemReader reads a JSON array from the bucket: the key comes from the
 * state, each item's input is built as the map's ItemSelector builds it, at most the pipeline's
 * `mapConcurrency` at once, and the results are discarded (ResultWriter, ResultPath null: the
 * state goes on as it was).
 */
export interface S3ItemMap {
  /** The ItemReader's key (`Key.$`), read from the state. */
  readonly itemsKey: (state: State) => string;
  /** The ItemSelector: the item's input from the item (`$$.Map.Item.Value`) and the state (`$`). */
  readonly item: (value: unknown, state: State) => unknown;
}

export type PipelineStep =
  | {
      /** The task state's name in the state machine (a map's: its item processor's task). */
      readonly state: string;
      /** The job handler its task invokes, or the retrain state machine it starts. */
      readonly job: keyof JobHandlers | 'retrain';
      /** The Choice states on the way: whether the task runs on this state (default: always). */
      readonly when?: (state: State) => boolean;
      /** Its task's payload (default: the state as it is). */
      readonly payload?: (state: State) => unknown;
      /** A Distributed Map over items in the bucket: one invocation per item, results discarded. */
      readonly map?: S3ItemMap;
      /** Where the answer goes: beside the state under this key (ResultPath), or (default) it becomes the state. */
      readonly resultKey?: string;
    }
  | {
      /** A "Retrain running?" state: the state machine ends here while a retrain runs. */
      readonly state: string;
      readonly guard: 'retrain running';
      readonly when?: (state: State) => boolean;
    };

const passed = (state: State) => state.passed === true;
const promoted = (state: State) => state.promoted === true;
const field = (state: State, ...path: string[]): unknown =>
  path.reduce<unknown>((value, key) => {
    if (value === null || typeof value !== 'object' || !(key in value))
      throw new Error(`the state has no ${path.join('.')}`);
    return (value as Record<string, unknown>)[key];
  }, state);
const stringField = (state: State, ...path: string[]): string => {
  const value = field(state, ...path);
  if (typeof value !== 'string') throw new Error(`${path.join('.')} is not a string`);
  return value;
};

/**
 * A snapshot's states (infra/snapshot-states.ts): "Plan snapshot" ({trigger} → {trigger, plan}),
 * the "Snapshot segments" map (one Scan segment per item of the plan's segments list), then
 * "Assemble snapshot" (→ {trigger, snapshot}).
 */
const snapshotSteps = (
  options: {
    readonly when?: (state: State) => boolean;
    readonly planPayload?: (state: State) => unknown;
  } = {},
): PipelineStep[] => {
  const when = options.when ? { when: options.when } : {};
  return [
    {
      state: 'Plan snapshot',
      job: 'plan',
      ...when,
      ...(options.planPayload ? { payload: options.planPayload } : {}),
    },
    {
      state: 'Snapshot segment',
      job: 'snapshot',
      ...when,
      map: {
        itemsKey: (state) => stringField(state, 'plan', 'segmentsKey'),
        item: (value, state) => ({
          segment: (value as { segment: unknown }).segment,
          plan: field(state, 'plan'),
        }),
      },
    },
    { state: 'Assemble snapshot', job: 'assemble', ...when },
  ];
};

/** The retrain state machine's tasks, in order. Input: {trigger, snapshot?}. */
export const RETRAIN_STEPS: readonly PipelineStep[] = [
  // "Snapshot given?": a drift check starts the retrain with the snapshot it measured.
  ...snapshotSteps({ when: (state) => !('snapshot' in state) }),
  { state: 'Train model', job: 'train' },
  // "Passed?", then the Distributed Map "Index parts": one index partial per part of the
  // snapshot's parts list, for the trained model.
  {
    state: 'Index part',
    job: 'index',
    when: passed,
    map: {
      itemsKey: (state) => stringField(state, 'snapshot', 'partsKey'),
      item: (value, state) => ({ part: value, modelVersion: state.modelVersion }),
    },
  },
  // Merges the partials into the index, switches the pointer, records the run: small payloads.
  {
    state: 'Promote model',
    job: 'promote',
    when: passed,
    payload: (state) => ({
      trigger: state.trigger,
      snapshot: state.snapshot,
      run: state.run,
      modelVersion: state.modelVersion,
      at: state.at,
    }),
  },
  // "Promoted?", then the Distributed Map "Reassign shoppers", one item per part of the snapshot's
  // parts list, stamped with the promoted model and time.
  {
    state: 'Assign part',
    job: 'assign',
    when: promoted,
    map: {
      itemsKey: (state) => stringField(state, 'snapshot', 'partsKey'),
      item: (value, state) => ({ part: value, modelVersion: state.modelVersion, at: state.at }),
    },
  },
  // The run and the number of parts: small whatever the population.
  {
    state: 'Record run',
    job: 'record',
    when: promoted,
    payload: (state) => ({ run: state.run, parts: field(state, 'snapshot', 'parts') }),
  },
];

const drifted = (state: State) => state.drifted === true;

/** The drift check state machine's tasks, in order. Input: {}. */
export const DRIFT_CHECK_STEPS: readonly PipelineStep[] = [
  { state: 'Retrain running?', guard: 'retrain running' },
  ...snapshotSteps({ planPayload: () => ({ trigger: 'drift' }) }),
  { state: 'Measure drift', job: 'measure' },
  // "Drifted?"
  { state: 'Retrain running before start?', guard: 'retrain running', when: drifted },
  {
    state: 'Start retrain',
    job: 'retrain',
    when: drifted,
    payload: (state) => ({ trigger: 'drift', snapshot: state.snapshot }),
    resultKey: 'retrain',
  },
];

/** An invocation: the payload and the answer cross as JSON. */
const invoke = async (handler: JobHandler, payload: unknown): Promise<unknown> =>
  JSON.parse(JSON.stringify((await handler(JSON.parse(JSON.stringify(payload)))) ?? null));

export interface PipelineDeps {
  readonly jobs: JobHandlers & { readonly retrain: JobHandler };
  /** What a map's ItemReader reads: the JSON array at this key of the data bucket. */
  readonly readItems: (key: string) => Promise<readonly unknown[]>;
  /** What the "Retrain running?" states ask. */
  readonly retrainRunning: () => boolean;
  /**
   * Items of a map invoked at once: the job settings' mapConcurrency, as the stack makes it every
   * map's MaxConcurrency (default: DEFAULT_RETRAIN_SETTINGS's).
   */
  readonly mapConcurrency?: number;
}

/** Runs the steps on `input`; the final state, and the guard that ended the run early, if one did. */
export const runSteps = async (
  steps: readonly PipelineStep[],
  deps: PipelineDeps,
  input: unknown,
): Promise<{ readonly state: State; readonly stoppedAt?: string }> => {
  let state = JSON.parse(JSON.stringify(input)) as State;
  for (const step of steps) {
    if (step.when && !step.when(state)) continue;
    if ('guard' in step) {
      if (deps.retrainRunning()) return { state, stoppedAt: step.state };
      continue;
    }
    const handler = deps.jobs[step.job];
    if (step.map) {
      const { map } = step;
      const items = await deps.readItems(map.itemsKey(state));
      const concurrency = deps.mapConcurrency ?? DEFAULT_RETRAIN_SETTINGS.mapConcurrency;
      await mapWithConcurrency(items, concurrency, (value) => invoke(handler, map.item(value, state)));
      continue;
    }
    const answer = await invoke(handler, step.payload ? step.payload(state) : state);
    state = step.resultKey ? { ...state, [step.resultKey]: answer } : (answer as State);
  }
  return { state };
};

/** How a retrain is started: what the schedule, a drift check or the local route pass. */
export interface RetrainInput {
  readonly trigger: RetrainRun['trigger'];
  /** A snapshot already taken (a drift check's): trained on as it is. */
  readonly snapshot?: SnapshotRef;
}

/** A retrain, start to end: the run as the record step saved it, or as training did when not promoted. */
export const runRetrainPipeline = async (deps: PipelineDeps, input: RetrainInput): Promise<RetrainRun> => {
  const { state } = await runSteps(RETRAIN_STEPS, deps, input);
  // "Rejected" ends after training ({trigger, snapshot, run, passed: false}) or after the
  // promotion ({trigger, snapshot, run, promoted: false, …}); "Record run" answers the run itself.
  return ('passed' in state || 'promoted' in state ? state.run : state) as RetrainRun;
};

/** The local drift check's answer. */
export interface DriftCheck {
  /** null when there was nothing to compare (no model yet, no buyer) or the check was skipped. */
  readonly drift: DriftReport | null;
  readonly threshold: number;
  /** The drift retrain it started and waited for, if any. */
  readonly retrain: RetrainRun | null;
  /** Why the check stopped early: a retrain was running, which will serve a fresh model. */
  readonly skipped?: string;
}

export const SKIPPED_RETRAIN_RUNNING = 'a retrain is running: it will serve a fresh model';

/** The answer of a check that found a retrain running before it began. */
export const skippedDriftCheck = (): DriftCheck => ({
  drift: null,
  threshold: 0,
  retrain: null,
  skipped: SKIPPED_RETRAIN_RUNNING,
});

export const runDriftCheckPipeline = async (deps: PipelineDeps): Promise<DriftCheck> => {
  const { state, stoppedAt } = await runSteps(DRIFT_CHECK_STEPS, deps, {});
  if (stoppedAt !== undefined && !('drift' in state)) return skippedDriftCheck();
  return {
    drift: (state.drift ?? null) as DriftReport | null,
    threshold: (state.threshold ?? 0) as number,
    retrain: (state.retrain ?? null) as RetrainRun | null,
    ...(stoppedAt === undefined ? {} : { skipped: SKIPPED_RETRAIN_RUNNING }),
  };
};
