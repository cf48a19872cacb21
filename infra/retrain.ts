import { Duration, type RemovalPolicy } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import { StepFunctionsStartExecution } from 'aws-cdk-lib/aws-scheduler-targets';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import {
  BUCKET_PREFIXES,
  byExposureIndex,
  CURRENT_MODEL_KEY,
  ENV,
  indexPartPrefix,
  modelKey,
  POLICY_FLAGS_PREFIX,
  populationPrefix,
  type RetrainLimits,
  recommendationsKey,
  retrainLimitEnvironment,
} from '#shared/contract/index';
import { createHandlerFunction } from './handler-function';
import { retryFailedTask, s3DistributedMap, snapshotStates, useResultWriterV2 } from './snapshot-states';

// Key prefixes the retrain code uses in the data bucket.
const { snapshots: SNAPSHOTS, models: MODELS, runs: RUNS, policies: POLICIES } = BUCKET_PREFIXES;
/** Every model version's part counts (models/<version>/population/), which the record step reads. */
const POPULATIONS = populationPrefix('*');
/** Every model version's index partials (models/<version>/index-parts/), which the index map writes. */
const INDEX_PARTS = indexPartPrefix('*');
/** Every model version's model object, and its recommendation index. */
const MODEL_OBJECTS = modelKey('*');
const RECOMMENDATIONS = recommendationsKey('*');

export interface RetrainProps {
  readonly profiles: dynamodb.ITable;
  readonly assignments: dynamodb.ITable;
  readonly bucket: s3.IBucket;
  /** Where reassignment announces "Segment Changed" events. */
  readonly bus: events.IEventBus;
  /** Variables every function gets (table and bucket names, keys: the shared env check requires them). */
  readonly environment: Record<string, string>;
  readonly logRetention: logs.RetentionDays;
  readonly removalPolicy: RemovalPolicy;
  /** EventBridge Scheduler expression, e.g. 'cron(0 3 * * ? *)'. */
  readonly schedule: string;
  /** Set on the functions that read them; `mapConcurrency` is every map's MaxConcurrency. */
  readonly limits: RetrainLimits;
}

/**
 * The limits each job function reads: the plan cuts the table into segments, and each segment
 * worker builds its share of the training and backtest samples, which training and the drift
 * measure read back with the same limits.
 */
const PLAN_LIMITS = ['snapshotWorkers', 'rowsPerSegment', 'maxSegments'] as const;
export const SAMPLE_LIMITS = ['maxTrainingRows', 'backtestSample'] as const;
const SEGMENT_LIMITS = ['rowsPerPart', ...SAMPLE_LIMITS] as const;

/**
 * The retrain pipeline: snapshot the profiles to S3 (plan, one parallel Scan segment per
 * Distributed Map item, assemble), train and gate a model, and when it passes build its
 * recommendation index (one partial per snapshot part per Distributed Map item, then the promote
 * step merges them, saves the index and switches the pointer); when it is promoted re-assign every
 * shopper, one snapshot part per Distributed Map item, then complete the run record with what the
 * reassignment counted. Every map reads their items from the bucket and write their results there:
 * no state carries anything that grows with the shoppers (test/infra/state-payloads.test.ts). The local runner follows the same states with
 * the same handlers (local/retrain-pipeline.ts; test/infra/local-pipeline.test.ts keeps them equal).
 * Started on a schedule, or by the drift check (infra/drift-check.ts) with the snapshot it has
 * just measured; failures surface as alarms and, for undeliverable starts, in a DLQ.
 */
export class Retrain extends Construct {
  readonly planFunction: lambda.Function;
  /** One Scan segment of a snapshot (an item of the "Snapshot segments" map). */
  readonly snapshotFunction: lambda.Function;
  readonly assembleFunction: lambda.Function;
  readonly trainFunction: lambda.Function;
  /** One snapshot part's recommendation index partial (an item of the "Index parts" map). */
  readonly indexFunction: lambda.Function;
  /** Merges the partials into the index and switches the current-model pointer. */
  readonly promoteFunction: lambda.Function;
  readonly assignFunction: lambda.Function;
  readonly recordFunction: lambda.Function;
  readonly stateMachine: sfn.StateMachine;
  readonly deadLetterQueue: sqs.Queue;
  readonly schedule: scheduler.Schedule;
  /** Failed or timed-out runs, undeliverable starts: the stack routes them to its alarm topic. */
  readonly alarms: cloudwatch.Alarm[] = [];

  constructor(scope: Construct, id: string, props: RetrainProps) {
    super(scope, id);
    useResultWriterV2(this);
    const common = {
      logRetention: props.logRetention,
      removalPolicy: props.removalPolicy,
      // Each function runs at most once per state (Step Functions owns the retries).
      timeout: Duration.minutes(15),
    };

    this.planFunction = createHandlerFunction(this, 'Plan', {
      ...common,
      entry: 'functions/retrain-plan.ts',
      description: 'Retrain: plan a snapshot (run, parallel Scan segments)',
      memorySize: 256,
      // Set even when they are the defaults, so the template says what the stack runs with.
      environment: { ...props.environment, ...retrainLimitEnvironment(props.limits, PLAN_LIMITS) },
    });
    this.snapshotFunction = createHandlerFunction(this, 'Snapshot', {
      ...common,
      entry: 'functions/retrain-snapshot.ts',
      description: 'Retrain: snapshot one Scan segment of the profiles to S3',
      // Each segment worker holds one gzip part (snapshotRowsPerPart rows) and its share of the
      // training and backtest samples in memory.
      memorySize: 1024,
      environment: { ...props.environment, ...retrainLimitEnvironment(props.limits, SEGMENT_LIMITS) },
    });
    this.assembleFunction = createHandlerFunction(this, 'Assemble', {
      ...common,
      entry: 'functions/retrain-assemble.ts',
      description: 'Retrain: assemble a snapshot from its segments',
      // Holds the parts list (a few hundred bytes per part), the merged training summary (up to
      // maxTrainingRows rows, ~0.55 KB of heap each), one segment's summary and the merged JSON
      // (~0.5 KB a row): ~450 MB at the default 200,000 rows, measured on 1M synthetic shoppers.
      memorySize: 2048,
      environment: props.environment,
    });
    this.trainFunction = createHandlerFunction(this, 'Train', {
      ...common,
      entry: 'functions/retrain-train.ts',
      description: 'Retrain: train and gate a model (saved, not yet promoted)',
      // The training sample (maxTrainingRows) is held in memory, and Lambda allocates CPU in
      // proportion to memory (docs/performance.md).
      memorySize: 3008,
      environment: { ...props.environment, ...retrainLimitEnvironment(props.limits, SAMPLE_LIMITS) },
    });
    this.indexFunction = createHandlerFunction(this, 'Index', {
      ...common,
      entry: 'functions/retrain-index.ts',
      description: "Retrain: one snapshot part's recommendation index partial",
      // One part (snapshotRowsPerPart rows) streamed, and its partial's counts.
      memorySize: 1024,
      environment: props.environment,
    });
    this.promoteFunction = createHandlerFunction(this, 'Promote', {
      ...common,
      entry: 'functions/retrain-promote.ts',
      description: 'Retrain: merge the index partials, save the index and promote the model',
      // Two bounded partials at a time and the index.
      memorySize: 1024,
      environment: props.environment,
    });
    this.assignFunction = createHandlerFunction(this, 'Assign', {
      ...common,
      entry: 'functions/retrain-assign.ts',
      description: 'Retrain: re-assign the shoppers of one snapshot part',
      memorySize: 1024,
      environment: { ...props.environment, [ENV.eventBusName]: props.bus.eventBusName },
    });
    this.recordFunction = createHandlerFunction(this, 'Record', {
      ...common,
      entry: 'functions/retrain-record.ts',
      description: 'Retrain: record the run with what its reassignment counted',
      // Reads one small count object per snapshot part, and up to the lift sample's profiles per checked policy.
      memorySize: 512,
      environment: { ...props.environment, [ENV.eventBusName]: props.bus.eventBusName },
    });
    this.grantLeastPrivilege(props);

    this.stateMachine = this.buildStateMachine(props);
    this.deadLetterQueue = new sqs.Queue(this, 'ScheduleDlq', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    this.schedule = new scheduler.Schedule(this, 'Schedule', {
      description: 'Starts the retrain state machine',
      schedule: scheduler.ScheduleExpression.expression(props.schedule),
      target: new StepFunctionsStartExecution(this.stateMachine, {
        input: scheduler.ScheduleTargetInput.fromObject({ trigger: 'schedule' }),
        retryAttempts: 3,
        // A start that cannot be delivered within the hour lands in the DLQ rather than piling up.
        maxEventAge: Duration.hours(1),
        deadLetterQueue: this.deadLetterQueue,
      }),
    });
    this.addAlarms();
  }

  /** Exactly the calls each handler makes, on exactly the key prefixes it touches. */
  private grantLeastPrivilege(props: RetrainProps): void {
    const { bucket } = props;
    const objects = (actions: string[], ...prefixes: string[]) =>
      new iam.PolicyStatement({
        actions,
        resources: prefixes.map((prefix) => bucket.arnForObjects(`${prefix}*`)),
      });

    // Plan: the table's approximate size, the segments list written under snapshots/.
    // On the table only (Table.grant would add its indexes too).
    this.planFunction.addToRolePolicy(
      new iam.PolicyStatement({ actions: ['dynamodb:DescribeTable'], resources: [props.profiles.tableArn] }),
    );
    this.planFunction.addToRolePolicy(objects(['s3:PutObject'], SNAPSHOTS));
    // Snapshot segment: parallel Scan of profiles, parts and the segment's result under snapshots/.
    this.snapshotFunction.addToRolePolicy(
      new iam.PolicyStatement({ actions: ['dynamodb:Scan'], resources: [props.profiles.tableArn] }),
    );
    this.snapshotFunction.addToRolePolicy(objects(['s3:PutObject'], SNAPSHOTS));
    // Assemble: reads the segments' results, writes the parts list, summary and manifest. ListBucket
    // without a prefix condition for the reason given below for train: a missing segment result
    // must be a 404 (reported as such), not AccessDenied.
    this.assembleFunction.addToRolePolicy(objects(['s3:GetObject', 's3:PutObject'], SNAPSHOTS));
    this.assembleFunction.addToRolePolicy(
      new iam.PolicyStatement({ actions: ['s3:ListBucket'], resources: [bucket.bucketArn] }),
    );

    // Train: reads the snapshot and the current model, writes the candidate and a rejected run.
    this.trainFunction.addToRolePolicy(objects(['s3:GetObject'], SNAPSHOTS, MODELS));
    this.trainFunction.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['s3:PutObject'],
        resources: [bucket.arnForObjects(MODEL_OBJECTS), bucket.arnForObjects(`${RUNS}*`)],
      }),
    );
    // The code lists runs/ and snapshots/. No s3:prefix condition on purpose: S3 answers a GetObject
    // of a missing key (models/current.json before the first promotion) with 404 only when the
    // caller may ListBucket, and a prefix condition does not hold for that implicit check, so the
    // first retrain would fail with AccessDenied. Listing reveals only key names of this bucket.
    this.trainFunction.addToRolePolicy(
      new iam.PolicyStatement({ actions: ['s3:ListBucket'], resources: [bucket.bucketArn] }),
    );

    // Index: one part and the trained model in, the part's partial out (a retry overwrites it).
    // Every key it reads is named by its input, and exists: no ListBucket.
    this.indexFunction.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['s3:GetObject'],
        resources: [bucket.arnForObjects(`${SNAPSHOTS}*`), bucket.arnForObjects(MODEL_OBJECTS)],
      }),
    );
    this.indexFunction.addToRolePolicy(objects(['s3:PutObject'], INDEX_PARTS));

    // Promote: lists, reads and removes the model's partials, writes its index, reads the current
    // pointer (and the model it names) to check the sequence, writes the pointer and the run.
    // ListBucket without a prefix condition for the reason given for train: the pointer is
    // missing before the first promotion, and that GetObject must be a 404, not AccessDenied.
    this.promoteFunction.addToRolePolicy(objects(['s3:GetObject'], MODELS));
    this.promoteFunction.addToRolePolicy(objects(['s3:DeleteObject'], INDEX_PARTS));
    this.promoteFunction.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['s3:PutObject'],
        resources: [
          bucket.arnForObjects(RECOMMENDATIONS),
          bucket.arnForObjects(CURRENT_MODEL_KEY),
          bucket.arnForObjects(`${RUNS}*`),
        ],
      }),
    );
    this.promoteFunction.addToRolePolicy(
      new iam.PolicyStatement({ actions: ['s3:ListBucket'], resources: [bucket.bucketArn] }),
    );

    // Assign: one part and the promoted model in, changed assignments (current + history) out,
    // each change announced on the bus.
    this.assignFunction.addToRolePolicy(objects(['s3:GetObject'], SNAPSHOTS, MODELS));
    props.bus.grantPutEventsTo(this.assignFunction);
    // History items in batches; the stamp is a conditional UpdateItem on the profile (never a Put:
    // the profile's behaviour fields belong to ingest).
    // On the table only (Table.grant would add its indexes too).
    this.assignFunction.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['dynamodb:BatchWriteItem'],
        resources: [props.assignments.tableArn],
      }),
    );
    this.assignFunction.addToRolePolicy(
      new iam.PolicyStatement({ actions: ['dynamodb:UpdateItem'], resources: [props.profiles.tableArn] }),
    );

    // Record: lists and reads the part counts of the promoted model, writes the run record. The
    // list is only ever of a model's population folder (every key it reads comes from the list,
    // so a missing key is never asked for and needs no unconditional ListBucket).
    this.recordFunction.addToRolePolicy(objects(['s3:GetObject'], POPULATIONS));
    this.recordFunction.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['s3:ListBucket'],
        resources: [bucket.bucketArn],
        conditions: { StringLike: { 's3:prefix': POPULATIONS } },
      }),
    );
    this.recordFunction.addToRolePolicy(objects(['s3:PutObject'], RUNS));
    // The lift check (shared/activation/usecases/lift/check-policies.ts): the promoted model's
    // segments, the policies and their versions (listed first, so no missing key is asked for),
    // each checked version's exposures from the sparse index and its shoppers' profiles; it
    // writes only flags, and announces underperforming policies on the bus.
    this.recordFunction.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['s3:GetObject'],
        resources: [bucket.arnForObjects(MODEL_OBJECTS)],
      }),
    );
    this.recordFunction.addToRolePolicy(objects(['s3:GetObject'], POLICIES));
    this.recordFunction.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['s3:ListBucket'],
        resources: [bucket.bucketArn],
        conditions: { StringLike: { 's3:prefix': `${POLICIES}*` } },
      }),
    );
    this.recordFunction.addToRolePolicy(objects(['s3:PutObject', 's3:DeleteObject'], POLICY_FLAGS_PREFIX));
    this.recordFunction.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['dynamodb:Query'],
        resources: [`${props.assignments.tableArn}/index/${byExposureIndex.name}`],
      }),
    );
    this.recordFunction.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['dynamodb:BatchGetItem', 'dynamodb:GetItem'],
        resources: [props.profiles.tableArn],
      }),
    );
    props.bus.grantPutEventsTo(this.recordFunction);
  }

  private buildStateMachine(props: RetrainProps): sfn.StateMachine {
    // {trigger} → {trigger, plan} → (segments) → {trigger, snapshot}
    const snapshot = snapshotStates(this, {
      bucket: props.bucket,
      planFunction: this.planFunction,
      segmentFunction: this.snapshotFunction,
      assembleFunction: this.assembleFunction,
      maxConcurrency: props.limits.mapConcurrency,
    });
    // {trigger, snapshot} → {trigger, snapshot, run, passed, modelVersion?, at?}
    const train = tasks.LambdaInvoke.jsonPath(this, 'Train model', {
      lambdaFunction: this.trainFunction,
      outputPath: '$.Payload',
    });
    // Writing a part's partial overwrites the same object: a retry is safe.
    const indexPart = retryFailedTask(
      tasks.LambdaInvoke.jsonPath(this, 'Index part', {
        lambdaFunction: this.indexFunction,
        outputPath: '$.Payload',
      }),
    );
    // One item per snapshot part, read from the snapshot's parts list: each writes the part's
    // recommendation index partial for the trained model; the state stays the train output.
    const indexParts = s3DistributedMap(this, 'Index parts', props.bucket, {
      comment: "One snapshot part's recommendation index partial per item",
      itemsKeyPath: '$.snapshot.partsKey',
      itemSelector: {
        part: sfn.JsonPath.objectAt('$$.Map.Item.Value'),
        modelVersion: sfn.JsonPath.stringAt('$.modelVersion'),
      },
      maxConcurrency: props.limits.mapConcurrency,
      label: 'Index',
    });
    indexParts.itemProcessor(indexPart);
    // {trigger, snapshot, run, modelVersion, at} → {trigger, snapshot, run, promoted, modelVersion, at}.
    // Not retried: the pointer switch is checked against the model that served when training began.
    const promote = tasks.LambdaInvoke.jsonPath(this, 'Promote model', {
      lambdaFunction: this.promoteFunction,
      payload: sfn.TaskInput.fromObject({
        trigger: sfn.JsonPath.stringAt('$.trigger'),
        snapshot: sfn.JsonPath.objectAt('$.snapshot'),
        run: sfn.JsonPath.objectAt('$.run'),
        modelVersion: sfn.JsonPath.stringAt('$.modelVersion'),
        at: sfn.JsonPath.stringAt('$.at'),
      }),
      outputPath: '$.Payload',
    });
    // Re-assigning a part only writes what differs from the stored segment, so a retry is safe.
    const assign = retryFailedTask(
      tasks.LambdaInvoke.jsonPath(this, 'Assign part', {
        lambdaFunction: this.assignFunction,
        outputPath: '$.Payload',
      }),
    );
    // One item per snapshot part, read from the snapshot's parts list; every shopper must move to
    // the promoted model: one part that still fails fails the run. The items' answers are written
    // to the bucket and dropped (the state stays the train output): the record step reads each
    // part's counts from the bucket instead.
    const reassign = s3DistributedMap(this, 'Reassign shoppers', props.bucket, {
      itemsKeyPath: '$.snapshot.partsKey',
      itemSelector: {
        part: sfn.JsonPath.objectAt('$$.Map.Item.Value'),
        modelVersion: sfn.JsonPath.stringAt('$.modelVersion'),
        at: sfn.JsonPath.stringAt('$.at'),
      },
      maxConcurrency: props.limits.mapConcurrency,
      label: 'Reassign',
    });
    reassign.itemProcessor(assign);
    // The run and the number of parts only: the payload does not grow with the population.
    // Recording sums counts and rewrites the same record, so a retry is safe.
    const record = retryFailedTask(
      tasks.LambdaInvoke.jsonPath(this, 'Record run', {
        lambdaFunction: this.recordFunction,
        payload: sfn.TaskInput.fromObject({
          run: sfn.JsonPath.objectAt('$.run'),
          parts: sfn.JsonPath.numberAt('$.snapshot.parts'),
        }),
        outputPath: '$.Payload',
      }),
    );

    const done = sfn.Succeed.jsonPath(this, 'Promoted');
    const rejected = sfn.Succeed.jsonPath(this, 'Rejected', {
      comment: 'Rejected: previous model keeps serving',
    });
    const promoted = sfn.Choice.jsonPath(this, 'Promoted?')
      .when(sfn.Condition.booleanEquals('$.promoted', true), reassign.next(record).next(done))
      .otherwise(rejected);
    const passed = sfn.Choice.jsonPath(this, 'Passed?')
      .when(sfn.Condition.booleanEquals('$.passed', true), indexParts.next(promote).next(promoted))
      .otherwise(rejected);
    train.next(passed);
    // A drift check starts the retrain with the snapshot it measured ({trigger: "drift", snapshot}):
    // the model is trained on the population that drifted, and the profiles are not scanned twice.
    const start = sfn.Choice.jsonPath(this, 'Snapshot given?')
      .when(sfn.Condition.isPresent('$.snapshot'), train)
      .otherwise(snapshot.next(train));

    const logGroup = new logs.LogGroup(this, 'StateMachineLogs', {
      retention: props.logRetention,
      removalPolicy: props.removalPolicy,
    });
    return new sfn.StateMachine(this, 'StateMachine', {
      comment:
        'Snapshot (unless given: plan, segments, assemble) → train → (passed) index every part → promote → (promoted) reassign every shopper → record the run',
      definitionBody: sfn.DefinitionBody.fromChainable(start),
      timeout: Duration.hours(2),
      // Every state transition, without its data (which names shoppers' snapshot parts and models only,
      // but need not be kept).
      logs: { destination: logGroup, level: sfn.LogLevel.ALL, includeExecutionData: false },
      tracingEnabled: true,
      removalPolicy: props.removalPolicy,
    });
  }

  private addAlarms(): void {
    // One day matches the daily schedule: a failed run keeps the alarm red until the next period.
    this.alarms.push(
      new cloudwatch.Alarm(this, 'ExecutionsFailedAlarm', {
        alarmDescription: 'A retrain run failed: the previous model keeps serving',
        metric: this.stateMachine.metricFailed({ period: Duration.days(1), statistic: 'Sum' }),
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      }),
    );
    this.alarms.push(
      new cloudwatch.Alarm(this, 'ExecutionsTimedOutAlarm', {
        alarmDescription: 'A retrain run timed out: the previous model keeps serving',
        metric: this.stateMachine.metricTimedOut({ period: Duration.days(1), statistic: 'Sum' }),
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      }),
    );
    this.alarms.push(
      new cloudwatch.Alarm(this, 'ScheduleDlqAlarm', {
        alarmDescription:
          'The scheduler could not start a retrain run or a drift check (see the dead-letter queue)',
        metric: this.deadLetterQueue.metricApproximateNumberOfMessagesVisible({
          period: Duration.minutes(5),
          statistic: 'Maximum',
        }),
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      }),
    );
  }
}
