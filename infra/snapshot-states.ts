import { Duration, FeatureFlags } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import * as cxapi from 'aws-cdk-lib/cx-api';
import type { Construct } from 'constructs';
import { BUCKET_PREFIXES, MAP_RESULTS_PREFIX } from '#shared/contract/index';

/**
 * An S3 JSON item reader whose grant is the state machine's s3:GetObject on the snapshots only
 * (CDK's own grants it on every object of the bucket): both maps read their items from there.
 */
class SnapshotItemReader extends sfn.S3JsonItemReader {
  private readonly snapshots: s3.IBucket;

  constructor(bucket: s3.IBucket, keyPath: string) {
    super({ bucket, key: sfn.JsonPath.stringAt(keyPath) });
    this.snapshots = bucket;
  }

  override providePolicyStatements(): iam.PolicyStatement[] {
    return [
      new iam.PolicyStatement({
        actions: ['s3:GetObject'],
        resources: [this.snapshots.arnForObjects(`${BUCKET_PREFIXES.snapshots}*`)],
      }),
    ];
  }
}

/** What a map's ResultWriter may do (the actions CDK grants), on the map results' prefix only. */
const resultWriterStatements = (bucket: s3.IBucket) => [
  new iam.PolicyStatement({
    actions: ['s3:PutObject', 's3:GetObject', 's3:ListMultipartUploadParts', 's3:AbortMultipartUpload'],
    resources: [bucket.arnForObjects(`${MAP_RESULTS_PREFIX}*`)],
  }),
];
// Step Functions writes `<Prefix>/<map run id>/…`: the prefix without its trailing slash.
const RESULTS_PREFIX = MAP_RESULTS_PREFIX.replace(/\/$/, '');

/**
 * Call first in the constructor of a construct that holds these maps (before its children): the
 * current ResultWriter (V2), which CDK renders only under this feature flag.
 */
export const useResultWriterV2 = (scope: Construct): void =>
  scope.node.setContext(cxapi.STEPFUNCTIONS_USE_DISTRIBUTED_MAP_RESULT_WRITER_V2, true);

class MapResultWriterV2 extends sfn.ResultWriterV2 {
  private readonly results: s3.IBucket;

  constructor(bucket: s3.IBucket) {
    super({ bucket, prefix: RESULTS_PREFIX });
    this.results = bucket;
  }

  override providePolicyStatements(): iam.PolicyStatement[] {
    return resultWriterStatements(this.results);
  }
}

export interface S3MapProps {
  /** The items: a JSON array in the data bucket, at the key this path of the state names. */
  readonly itemsKeyPath: string;
  /** Each item's input, built from the item (`$$.Map.Item.Value`) and the state (`$`). */
  readonly itemSelector: Record<string, unknown>;
  readonly maxConcurrency: number;
  /** The map run's label (in its child executions' names). */
  readonly label: string;
  readonly comment?: string;
}

/**
 * A Distributed Map over items the bucket holds: it reads them with an ItemReader (the state never
 * carries the list), writes its results to the bucket with a ResultWriter (so the map's own output
 * is the small ResultWriterDetails, never an array) and discards even that: the state after it is
 * the state before it. One failed item fails the map (Step Functions retries the item first).
 */
export const s3DistributedMap = (
  scope: Construct,
  id: string,
  bucket: s3.IBucket,
  props: S3MapProps,
): sfn.DistributedMap => {
  if (!FeatureFlags.of(scope).isEnabled(cxapi.STEPFUNCTIONS_USE_DISTRIBUTED_MAP_RESULT_WRITER_V2))
    throw new Error(`${scope.node.path}: call useResultWriterV2 first, or the map writes no results`);
  return sfn.DistributedMap.jsonPath(scope, id, {
    ...(props.comment ? { comment: props.comment } : {}),
    itemReader: new SnapshotItemReader(bucket, props.itemsKeyPath),
    itemSelector: props.itemSelector,
    maxConcurrency: props.maxConcurrency,
    // (CDK leaves a 0 out of the definition; 0 is also the Amazon States Language default.)
    toleratedFailurePercentage: 0,
    label: props.label,
    // Rendered under the flag useResultWriterV2 sets.
    resultWriterV2: new MapResultWriterV2(bucket),
    resultPath: sfn.JsonPath.DISCARD,
  });
};

/** Retries a Lambda task that failed (its own error), for tasks whose retry rewrites the same objects. */
export const retryFailedTask = <T extends sfn.TaskStateBase>(task: T): T => {
  task.addRetry({
    errors: [sfn.Errors.TASKS_FAILED],
    maxAttempts: 2,
    interval: Duration.seconds(30),
    backoffRate: 2,
  });
  return task;
};

export interface SnapshotStatesProps {
  readonly bucket: s3.IBucket;
  /** functions/retrain-plan.ts, -snapshot.ts (one Scan segment) and -assemble.ts. */
  readonly planFunction: lambda.IFunction;
  readonly segmentFunction: lambda.IFunction;
  readonly assembleFunction: lambda.IFunction;
  /** The plan task's payload (default: the state as it is, e.g. {trigger}). */
  readonly planPayload?: sfn.TaskInput;
  /**
   * Segments scanned at once: each is one parallel Scan segment of the profiles table, so this
   * bounds the table's read throughput a snapshot takes (the mapConcurrency limit).
   */
  readonly maxConcurrency: number;
}

/**
 * A snapshot of the profiles, as states: "Plan snapshot" ({trigger} → {trigger, plan}), the
 * "Snapshot segments" Distributed Map (one parallel Scan segment per item, read from the plan's
 * segments list; state unchanged), then "Assemble snapshot" ({trigger, plan} → {trigger, snapshot}).
 * The retrain (infra/retrain.ts) and the drift check (infra/drift-check.ts) both start with it.
 */
export const snapshotStates = (scope: Construct, props: SnapshotStatesProps): sfn.Chain => {
  const plan = tasks.LambdaInvoke.jsonPath(scope, 'Plan snapshot', {
    lambdaFunction: props.planFunction,
    ...(props.planPayload ? { payload: props.planPayload } : {}),
    outputPath: '$.Payload',
  });
  // A retried segment rewrites its own parts and result: safe.
  const segment = retryFailedTask(
    tasks.LambdaInvoke.jsonPath(scope, 'Snapshot segment', {
      lambdaFunction: props.segmentFunction,
      outputPath: '$.Payload',
    }),
  );
  const segments = s3DistributedMap(scope, 'Snapshot segments', props.bucket, {
    comment: 'One parallel Scan segment of the profiles per item',
    itemsKeyPath: '$.plan.segmentsKey',
    itemSelector: {
      segment: sfn.JsonPath.numberAt('$$.Map.Item.Value.segment'),
      plan: sfn.JsonPath.objectAt('$.plan'),
    },
    maxConcurrency: props.maxConcurrency,
    label: 'Segments',
  });
  segments.itemProcessor(segment);
  // Assembling rewrites the same parts list, summary and manifest: a retry is safe.
  const assemble = retryFailedTask(
    tasks.LambdaInvoke.jsonPath(scope, 'Assemble snapshot', {
      lambdaFunction: props.assembleFunction,
      outputPath: '$.Payload',
    }),
  );
  return sfn.Chain.start(plan).next(segments).next(assemble);
};
