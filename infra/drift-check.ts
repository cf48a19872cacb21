import { Duration, type RemovalPolicy } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import { StepFunctionsStartExecution } from 'aws-cdk-lib/aws-scheduler-targets';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import { BUCKET_PREFIXES, type RetrainLimits, retrainLimitEnvironment } from '#shared/contract/index';
import { createHandlerFunction } from './handler-function';
import { type Retrain, SAMPLE_LIMITS } from './retrain';
import { snapshotStates, useResultWriterV2 } from './snapshot-states';

export interface DriftCheckProps {
  /** Its plan, segment and assemble functions take the check's snapshot; its state machine is what drift starts. */
  readonly retrain: Retrain;
  readonly bucket: s3.IBucket;
  /** The retrain functions' variables (table and bucket names). */
  readonly environment: Record<string, string>;
  readonly logRetention: logs.RetentionDays;
  readonly removalPolicy: RemovalPolicy;
  /** EventBridge Scheduler expression, e.g. 'rate(6 hours)'. */
  readonly schedule: string;
  /** The retrain's: the measure reads the samples as training does; the segments map's MaxConcurrency. */
  readonly limits: RetrainLimits;
}

/**
 * Between scheduled retrains, retrain early when the shoppers have moved: on its own schedule a
 * state machine snapshots the profiles (the retrain's plan → segments map → assemble states, on
 * the same functions: infra/snapshot-states.ts), measures the population stability of the current
 * model's features and segment shares on that snapshot
 * (shared/segmentation/usecases/check-drift/check-drift.ts), and when the largest PSI reaches the
 * model's threshold starts the retrain state machine with `{trigger: "drift", snapshot}`, so the run is recorded as a drift retrain of that snapshot.
 * Like the local server, it never runs a retrain beside another: a check that finds the retrain
 * running stops before its snapshot, and it looks again just before starting one. The local
 * server runs these same states with the same handlers (local/retrain-pipeline.ts;
 * test/infra/local-pipeline.test.ts keeps them equal).
 */
export class DriftCheck extends Construct {
  readonly function: lambda.Function;
  readonly stateMachine: sfn.StateMachine;
  readonly schedule: scheduler.Schedule;
  /** Failed or timed-out checks: the stack routes them to its alarm topic. */
  readonly alarms: cloudwatch.Alarm[] = [];

  constructor(scope: Construct, id: string, props: DriftCheckProps) {
    super(scope, id);
    useResultWriterV2(this);
    const { retrain, bucket } = props;
    this.function = createHandlerFunction(this, 'Measure', {
      entry: 'functions/retrain-drift.ts',
      description: 'Drift check: compare a snapshot with the current model',
      // Holds the snapshot's training sample, as the train function does.
      memorySize: 3008,
      timeout: Duration.minutes(15),
      environment: { ...props.environment, ...retrainLimitEnvironment(props.limits, SAMPLE_LIMITS) },
      logRetention: props.logRetention,
      removalPolicy: props.removalPolicy,
    });
    // Reads the snapshot and the current model; writes nothing. ListBucket without a prefix
    // condition for the reason given in retrain.ts: "no model yet" must be a 404, not AccessDenied.
    this.function.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['s3:GetObject'],
        resources: [BUCKET_PREFIXES.snapshots, BUCKET_PREFIXES.models].map((prefix) =>
          bucket.arnForObjects(`${prefix}*`),
        ),
      }),
    );
    this.function.addToRolePolicy(
      new iam.PolicyStatement({ actions: ['s3:ListBucket'], resources: [bucket.bucketArn] }),
    );

    this.stateMachine = this.buildStateMachine(props);
    this.schedule = new scheduler.Schedule(this, 'Schedule', {
      description: 'Starts the drift check state machine',
      schedule: scheduler.ScheduleExpression.expression(props.schedule),
      target: new StepFunctionsStartExecution(this.stateMachine, {
        input: scheduler.ScheduleTargetInput.fromObject({}),
        retryAttempts: 3,
        // A check is only worth running near its time; the next one comes anyway.
        maxEventAge: Duration.hours(1),
        deadLetterQueue: retrain.deadLetterQueue,
      }),
    });
    this.addAlarms();
  }

  private buildStateMachine(props: DriftCheckProps): sfn.StateMachine {
    const retrainMachine = props.retrain.stateMachine;
    // ListExecutions is eventually consistent: a retrain started a second earlier can be missed and
    // two runs overlap. That costs work, not correctness: the later promotion serves, and lookups
    // score the live profile against whatever model serves.
    const retrainRunning = (id: string) =>
      tasks.CallAwsService.jsonPath(this, id, {
        service: 'sfn',
        action: 'listExecutions',
        parameters: {
          StateMachineArn: retrainMachine.stateMachineArn,
          StatusFilter: 'RUNNING',
          MaxResults: 1,
        },
        iamAction: 'states:ListExecutions',
        iamResources: [retrainMachine.stateMachineArn],
        resultSelector: { 'executions.$': '$.Executions' },
        resultPath: '$.retrainRunning',
      }).addRetry({ maxAttempts: 3, interval: Duration.seconds(5), backoffRate: 2 });
    const isRunning = sfn.Condition.isPresent('$.retrainRunning.executions[0]');
    const busy = (id: string) =>
      sfn.Succeed.jsonPath(this, id, { comment: 'A retrain is running: it will serve a fresh model' });

    // {} → {trigger: "drift", plan} → (segments) → {trigger, snapshot}
    const snapshot = snapshotStates(this, {
      bucket: props.bucket,
      planFunction: props.retrain.planFunction,
      segmentFunction: props.retrain.snapshotFunction,
      assembleFunction: props.retrain.assembleFunction,
      planPayload: sfn.TaskInput.fromObject({ trigger: 'drift' }),
      maxConcurrency: props.limits.mapConcurrency,
    });
    // Takes the assemble function's output ({trigger, snapshot}) as it is.
    const measure = tasks.LambdaInvoke.jsonPath(this, 'Measure drift', {
      lambdaFunction: this.function,
      outputPath: '$.Payload',
    });
    const startRetrain = tasks.StepFunctionsStartExecution.jsonPath(this, 'Start retrain', {
      stateMachine: retrainMachine,
      integrationPattern: sfn.IntegrationPattern.REQUEST_RESPONSE,
      input: sfn.TaskInput.fromObject({ trigger: 'drift', snapshot: sfn.JsonPath.objectAt('$.snapshot') }),
      // The retrain run is named after this check, so a retried start returns the same execution
      // instead of starting a second one, and the two are easy to find together.
      name: sfn.JsonPath.stringAt('$$.Execution.Name'),
      associateWithParent: true,
      resultSelector: { 'executionArn.$': '$.ExecutionArn' },
      resultPath: '$.retrain',
    }).addRetry({ maxAttempts: 3, interval: Duration.seconds(5), backoffRate: 2 });

    const drifted = sfn.Choice.jsonPath(this, 'Drifted?')
      .when(
        sfn.Condition.booleanEquals('$.drifted', true),
        retrainRunning('Retrain running before start?').next(
          sfn.Choice.jsonPath(this, 'Still idle?')
            .when(isRunning, busy('Retrain started meanwhile'))
            .otherwise(startRetrain.next(sfn.Succeed.jsonPath(this, 'Retrain started'))),
        ),
      )
      .otherwise(sfn.Succeed.jsonPath(this, 'No drift', { comment: 'Under the threshold, or no model yet' }));
    const definition = retrainRunning('Retrain running?').next(
      sfn.Choice.jsonPath(this, 'Idle?')
        .when(isRunning, busy('Retrain already running'))
        .otherwise(snapshot.next(measure).next(drifted)),
    );

    const logGroup = new logs.LogGroup(this, 'StateMachineLogs', {
      retention: props.logRetention,
      removalPolicy: props.removalPolicy,
    });
    return new sfn.StateMachine(this, 'StateMachine', {
      comment:
        'Snapshot (plan, segments, assemble) → drift against the current model → (drifted) start the retrain with that snapshot',
      definitionBody: sfn.DefinitionBody.fromChainable(definition),
      // The snapshot's three states (segments in parallel) and the measure, with their retries.
      timeout: Duration.hours(1),
      logs: { destination: logGroup, level: sfn.LogLevel.ALL, includeExecutionData: false },
      tracingEnabled: true,
      removalPolicy: props.removalPolicy,
    });
  }

  private addAlarms(): void {
    const alarm = (id: string, description: string, metric: cloudwatch.IMetric) =>
      this.alarms.push(
        new cloudwatch.Alarm(this, id, {
          alarmDescription: description,
          metric,
          threshold: 1,
          evaluationPeriods: 1,
          comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
          treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        }),
      );
    // Six hours, the default check period: the alarm clears about when the next check succeeds.
    const period = Duration.hours(6);
    alarm(
      'ExecutionsFailedAlarm',
      'A drift check failed: no early retrain until one succeeds (the scheduled retrain still runs)',
      this.stateMachine.metricFailed({ period, statistic: 'Sum' }),
    );
    alarm(
      'ExecutionsTimedOutAlarm',
      'A drift check timed out: no early retrain until one succeeds (the scheduled retrain still runs)',
      this.stateMachine.metricTimedOut({ period, statistic: 'Sum' }),
    );
  }
}
