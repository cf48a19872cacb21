/**
 * A snapshot taken as the stack's state machines take it, with the real job handlers of
 * functions/ (infra/snapshot-states.ts): "Plan snapshot" with the given payload, the "Snapshot
 * segments" map (its items read from the bucket at the plan's segments key, each built as its
 * ItemSelector builds it, all at once), then "Assemble snapshot" on the plan step's answer. Every
 * payload and answer crosses as JSON, as between Step Functions states.
 */
import type { ObjectStore } from '#shared/kernel/ports/object-store';
import type { SnapshotPlan, SnapshotRef } from '#shared/segmentation/usecases/take-snapshot/snapshot-layout';

type Handler = (event: never) => Promise<unknown>;

/** A Lambda invocation: the payload and the answer cross as JSON. */
export const invokeAsJson = async <T>(handler: (event: never) => Promise<T>, payload: unknown): Promise<T> =>
  JSON.parse(JSON.stringify(await handler(JSON.parse(JSON.stringify(payload)) as never))) as T;

/** A Distributed Map's items, as its S3 JSON ItemReader reads them. */
export const readMapItems = async <T>(objects: ObjectStore, key: string): Promise<T[]> => {
  const body = await objects.get(key);
  if (!body) throw new Error(`no map items at ${key}`);
  return JSON.parse(Buffer.from(body).toString('utf8')) as T[];
};

export interface SnapshotStatesRun {
  readonly trigger: 'schedule' | 'drift' | 'manual';
  readonly plan: SnapshotPlan;
  /** The segment workers' answers, in segment order. */
  readonly segments: readonly { readonly segment: number; readonly rows: number; readonly parts: number }[];
  /** The assemble step's answer: what the next state (train, or measure) is given. */
  readonly assembled: { readonly trigger: 'schedule' | 'drift' | 'manual'; readonly snapshot: SnapshotRef };
  readonly snapshot: SnapshotRef;
}

export const snapshotByStates = async (
  handlers: { readonly plan: Handler; readonly snapshot: Handler; readonly assemble: Handler },
  objects: ObjectStore,
  payload: { readonly trigger?: string } = {},
): Promise<SnapshotStatesRun> => {
  const planned = await invokeAsJson(
    handlers.plan as (event: never) => Promise<{ trigger: SnapshotStatesRun['trigger']; plan: SnapshotPlan }>,
    payload,
  );
  const items = await readMapItems<{ segment: number }>(objects, planned.plan.segmentsKey);
  const segments = await Promise.all(
    items.map((item) =>
      invokeAsJson(handlers.snapshot as (event: never) => Promise<SnapshotStatesRun['segments'][number]>, {
        segment: item.segment,
        plan: planned.plan,
      }),
    ),
  );
  // The map's results are written to the bucket and discarded: assemble gets the plan step's answer.
  const assembled = await invokeAsJson(
    handlers.assemble as (event: never) => Promise<SnapshotStatesRun['assembled']>,
    planned,
  );
  return { trigger: planned.trigger, plan: planned.plan, segments, assembled, snapshot: assembled.snapshot };
};
