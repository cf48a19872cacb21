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
import { BUCKET_PREFIXES, ENV } from '#shared/contract/index';
import { createHandlerFunction } from './handler-function';

// Key prefixes the retrain code uses in the data bucket.
const { snapshots: SNAPSHOTS, models: MODELS, runs: RUNS } = BUCKET_PREFIXES;

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
}

/**
 * The retrain pipeline: snapshot the profiles to S3, train and gate a model, and when it is
 * promoted re-assign every shopper, one snapshot part per Distributed Map item.
 * Started on a schedule, or by the drift check (infra/drift-check.ts) with the snapshot it has
 * just measured; failures surface as alarms and, for undeliverable starts, in a DLQ.
 */
export class Retrain extends Construct {
  readonly snapshotFunction: lambda.Function;
  readonly trainFunction: lambda.Function;
  readonly assignFunction: lambda.Function;
  readonly stateMachine: sfn.StateMachine;
  readonly deadLetterQueue: sqs.Queue;
  readonly schedule: scheduler.Schedule;
  /** Failed or timed-out runs, undeliverable starts: the stack routes them to its alarm topic. */
  readonly alarms: cloudwatch.Alarm[] = [];

  constructor(scope: Construct, id: string, props: RetrainProps) {
    super(scope, id);
    const common = {
      logRetention: props.logRetention,
      removalPolicy: props.removalPolicy,
      // Each function runs at most once per state (Step Functions owns the retries).
      timeout: Duration.minutes(15),
    };

    this.snapshotFunction = createHandlerFunction(this, 'Snapshot', {
      ...common,
      entry: 'functions/retrain-snapshot.ts',
      description: 'Retrain: snapshot profiles to S3',
      // Each parallel-scan worker holds one gzip part (at most 20 000 rows) in memory.
      memorySize: 1024,
      environment: { ...props.environment, [ENV.snapshotWorkers]: '4' },
    });
    this.trainFunction = createHandlerFunction(this, 'Train', {
      ...common,
      entry: 'functions/retrain-train.ts',
      description: 'Retrain: train, gate and promote a model',
      // Sized for 1M profiles per the bench in docs/performance.md: the training rows are held in memory,
      // and Lambda allocates CPU in proportion to memory.
      memorySize: 3008,
      environment: props.environment,
    });
    this.assignFunction = createHandlerFunction(this, 'Assign', {
      ...common,
      entry: 'functions/retrain-assign.ts',
      description: 'Retrain: re-assign the shoppers of one snapshot part',
      memorySize: 1024,
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

    // Snapshot: parallel Scan of profiles, parts and manifest written under snapshots/.
    // On the table only (Table.grant would add its indexes too).
    this.snapshotFunction.addToRolePolicy(
      new iam.PolicyStatement({ actions: ['dynamodb:Scan'], resources: [props.profiles.tableArn] }),
    );
    this.snapshotFunction.addToRolePolicy(objects(['s3:PutObject'], SNAPSHOTS));

    // Train: reads the snapshot and the current model, writes the candidate, the pointer and the run.
    this.trainFunction.addToRolePolicy(objects(['s3:GetObject'], SNAPSHOTS, MODELS));
    this.trainFunction.addToRolePolicy(objects(['s3:PutObject'], MODELS, RUNS));
    // The code lists runs/ and snapshots/. No s3:prefix condition on purpose: S3 answers a GetObject
    // of a missing key (models/current.json before the first promotion) with 404 only when the
    // caller may ListBucket, and a prefix condition does not hold for that implicit check, so the
    // first retrain would fail with AccessDenied. Listing reveals only key names of this bucket.
    this.trainFunction.addToRolePolicy(
      new iam.PolicyStatement({ actions: ['s3:ListBucket'], resources: [bucket.bucketArn] }),
    );

    // Assign: one part and the promoted model in, changed assignments (current + history) out,
    // each change announced on the bus.
    this.assignFunction.addToRolePolicy(objects(['s3:GetObject'], SNAPSHOTS, MODELS));
    props.bus.grantPutEventsTo(this.assignFunction);
    // History items in batches; the stamp is a conditional UpdateItem on the profile (never a Put:
    // the profile's behaviour fields belong to ingest).
    props.assignments.grant(this.assignFunction, 'dynamodb:BatchWriteItem');
    this.assignFunction.addToRolePolicy(
      new iam.PolicyStatement({ actions: ['dynamodb:UpdateItem'], resources: [props.profiles.tableArn] }),
    );
  }

  private buildStateMachine(props: RetrainProps): sfn.StateMachine {
    const snapshot = tasks.LambdaInvoke.jsonPath(this, 'Snapshot profiles', {
      lambdaFunction: this.snapshotFunction,
      outputPath: '$.Payload',
    });
    const train = tasks.LambdaInvoke.jsonPath(this, 'Train model', {
      lambdaFunction: this.trainFunction,
      outputPath: '$.Payload',
    });
    const assign = tasks.LambdaInvoke.jsonPath(this, 'Assign part', {
      lambdaFunction: this.assignFunction,
      outputPath: '$.Payload',
    });
    // Re-assigning a part only writes what differs from the stored segment, so a retry is safe.
    assign.addRetry({
      errors: [sfn.Errors.TASKS_FAILED],
      maxAttempts: 2,
      interval: Duration.seconds(30),
      backoffRate: 2,
    });

    const reassign = sfn.DistributedMap.jsonPath(this, 'Reassign shoppers', {
      itemsPath: '$.assign',
      maxConcurrency: 20,
      // Every shopper must move to the promoted model: one part that still fails fails the run.
      // (CDK leaves a 0 out of the definition; 0 is also the Amazon States Language default.)
      toleratedFailurePercentage: 0,
      label: 'Reassign',
      resultPath: '$.reassigned',
    });
    reassign.itemProcessor(assign);

    const done = sfn.Succeed.jsonPath(this, 'Promoted');
    const rejected = sfn.Succeed.jsonPath(this, 'Rejected', {
      comment: 'Rejected: previous model keeps serving',
    });
    const promoted = sfn.Choice.jsonPath(this, 'Promoted?')
      .when(sfn.Condition.booleanEquals('$.promoted', true), reassign.next(done))
      .otherwise(rejected);
    train.next(promoted);
    // A drift check starts the retrain with the snapshot it measured ({trigger: "drift", manifest}):
    // the model is trained on the population that drifted, and the profiles are not scanned twice.
    const start = sfn.Choice.jsonPath(this, 'Snapshot given?')
      .when(sfn.Condition.isPresent('$.manifest'), train)
      .otherwise(snapshot.next(train));

    const logGroup = new logs.LogGroup(this, 'StateMachineLogs', {
      retention: props.logRetention,
      removalPolicy: props.removalPolicy,
    });
    return new sfn.StateMachine(this, 'StateMachine', {
      comment: 'Snapshot (unless given) → train → (promoted) reassign every shopper',
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
