import { Duration } from 'aws-cdk-lib';
import type { HttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';

/** Namespace of the metrics the stack derives from the functions' JSON logs. */
export const METRIC_NAMESPACE = 'Segmentation';

export interface ObservabilityProps {
  readonly stage: string;
  readonly api: HttpApi;
  /** Every function of the stack, by a short name used in alarm ids and the dashboard. */
  readonly functions: Record<string, lambda.Function>;
  readonly deadLetterQueues: Record<string, sqs.IQueue>;
  readonly tables: Record<string, dynamodb.ITable>;
  readonly retrainStateMachine: sfn.IStateMachine;
  /** The train function's log group: its "retrain trained" line says promoted or rejected. */
  readonly trainLogGroup: logs.ILogGroup;
  /** Alarm when no model has been promoted for this many days (1–7: CloudWatch's evaluation limit). */
  readonly modelMaxAgeDays: number;
  readonly alarmEmail?: string;
  /** Alarms made elsewhere (the retrain pipeline's) that should notify and show here too. */
  readonly extraAlarms?: readonly cloudwatch.Alarm[];
}

/**
 * Alarms for everything an operator must act on (each one is in the runbook, docs/deploying.md), all sent to
 * one SNS topic (optionally e-mailed), and a dashboard of the service's health.
 */
export class Observability extends Construct {
  readonly topic: sns.Topic;
  readonly alarms: cloudwatch.Alarm[] = [];
  readonly dashboard: cloudwatch.Dashboard;

  constructor(scope: Construct, id: string, props: ObservabilityProps) {
    super(scope, id);
    this.topic = new sns.Topic(this, 'AlarmTopic', {
      displayName: `Segmentation alarms (${props.stage})`,
      enforceSSL: true,
    });
    if (props.alarmEmail) this.topic.addSubscription(new subscriptions.EmailSubscription(props.alarmEmail));

    for (const [name, fn] of Object.entries(props.functions)) {
      this.alarm(
        `${name}Errors`,
        `${name}: the function failed (see its log group)`,
        fn.metricErrors(this.sum(5)),
      );
      this.alarm(
        `${name}Throttles`,
        `${name}: invocations were throttled (concurrency limit reached)`,
        fn.metricThrottles(this.sum(5)),
      );
    }
    for (const [name, queue] of Object.entries(props.deadLetterQueues)) {
      this.alarm(
        `${name}DlqDepth`,
        `${name}: messages in the dead-letter queue (work that failed every retry)`,
        queue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5), statistic: 'Maximum' }),
      );
    }
    this.alarm(
      'Api5xx',
      'HTTP API: server errors (clients retry, but something is failing)',
      props.api.metricServerError(this.sum(5)),
      5,
    );

    const outcome = (name: string, value: string) =>
      new logs.MetricFilter(this, `Retrain${name}Filter`, {
        logGroup: props.trainLogGroup,
        metricNamespace: METRIC_NAMESPACE,
        metricName: `Retrain${name}`,
        filterPattern: logs.FilterPattern.all(
          logs.FilterPattern.stringValue('$.message', '=', 'retrain trained'),
          logs.FilterPattern.stringValue('$.outcome', '=', value),
        ),
        metricValue: '1',
      }).metric({ period: Duration.days(1), statistic: 'Sum' });
    const promoted = outcome('Promoted', 'promoted');
    const rejected = outcome('Rejected', 'rejected');
    this.alarm(
      'RetrainRejected',
      'A retrain was rejected by the quality gate (GET /v1/models says why)',
      rejected,
    );
    // No promotion for N days means segments are going stale, whatever the reason (failed, rejected, not run).
    this.alarms.push(
      new cloudwatch.Alarm(this, 'ModelTooOldAlarm', {
        alarmDescription: `No model promoted for ${props.modelMaxAgeDays} days: segments are going stale`,
        metric: promoted,
        threshold: 1,
        evaluationPeriods: props.modelMaxAgeDays,
        comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.BREACHING,
      }),
    );
    this.alarms.push(...(props.extraAlarms ?? []));
    for (const alarm of this.alarms) alarm.addAlarmAction(new actions.SnsAction(this.topic));

    this.dashboard = this.buildDashboard(props, promoted, rejected);
  }

  private sum(minutes: number): cloudwatch.MetricOptions {
    return { period: Duration.minutes(minutes), statistic: 'Sum' };
  }

  private alarm(id: string, description: string, metric: cloudwatch.IMetric, threshold = 1): void {
    this.alarms.push(
      new cloudwatch.Alarm(this, `${id}Alarm`, {
        alarmDescription: description,
        metric,
        threshold,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      }),
    );
  }

  private buildDashboard(
    props: ObservabilityProps,
    promoted: cloudwatch.IMetric,
    rejected: cloudwatch.IMetric,
  ): cloudwatch.Dashboard {
    const fns = Object.entries(props.functions);
    const perFunction = (title: string, metric: (fn: lambda.Function) => cloudwatch.IMetric) =>
      new cloudwatch.GraphWidget({
        title,
        width: 12,
        left: fns.map(([name, fn]) => (metric(fn) as cloudwatch.Metric).with({ label: name })),
      });
    const tables = Object.entries(props.tables);
    return new cloudwatch.Dashboard(this, 'Dashboard', {
      dashboardName: `segmentation-${props.stage}`,
      widgets: [
        [
          new cloudwatch.GraphWidget({
            title: 'API requests and errors',
            width: 12,
            left: [props.api.metricCount(this.sum(1))],
            right: [props.api.metricClientError(this.sum(1)), props.api.metricServerError(this.sum(1))],
          }),
          new cloudwatch.GraphWidget({
            title: 'API latency (p50, p99)',
            width: 12,
            left: [
              props.api.metricLatency({ statistic: 'p50', period: Duration.minutes(1) }),
              props.api.metricLatency({ statistic: 'p99', period: Duration.minutes(1) }),
            ],
          }),
        ],
        [
          perFunction('Function errors', (fn) => fn.metricErrors(this.sum(5))),
          perFunction('Function duration p99', (fn) =>
            fn.metricDuration({ statistic: 'p99', period: Duration.minutes(5) }),
          ),
        ],
        [
          new cloudwatch.GraphWidget({
            title: 'DynamoDB consumed capacity',
            width: 12,
            left: tables.map(([name, t]) =>
              t.metricConsumedWriteCapacityUnits({ ...this.sum(5), label: `${name} writes` }),
            ),
            right: tables.map(([name, t]) =>
              t.metricConsumedReadCapacityUnits({ ...this.sum(5), label: `${name} reads` }),
            ),
          }),
          new cloudwatch.GraphWidget({
            title: 'Retrain runs',
            width: 12,
            left: [
              props.retrainStateMachine.metricSucceeded({ period: Duration.days(1), statistic: 'Sum' }),
              props.retrainStateMachine.metricFailed({ period: Duration.days(1), statistic: 'Sum' }),
            ],
            right: [promoted, rejected],
          }),
        ],
        [
          new cloudwatch.AlarmStatusWidget({
            title: 'Alarms',
            width: 24,
            alarms: this.alarms,
          }),
        ],
      ],
    });
  }
}
