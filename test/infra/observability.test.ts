/**
 * What an operator relies on: API access logs without shopper ids and throttling, snapshots that
 * expire, an alarm for every function, queue and retrain outcome, all routed to one topic, and a
 * dashboard.
 */
import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { dataBucket, single, synth } from './template';

type Alarm = {
  Properties: {
    AlarmDescription: string;
    MetricName?: string;
    Namespace?: string;
    Dimensions?: { Name: string; Value: unknown }[];
    AlarmActions?: unknown[];
    TreatMissingData?: string;
    EvaluationPeriods?: number;
    ComparisonOperator?: string;
  };
};

describe('observability', () => {
  const { template } = synth({ modelMaxAgeDays: 4, snapshotRetentionDays: 9 });
  const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm')) as Alarm[];
  const topicId = single(template, 'AWS::SNS::Topic').id;
  // CDK's own helper functions (bucket auto-delete, log retention) are not the service's.
  const serviceFunctions = Object.entries(template.findResources('AWS::Lambda::Function')).filter(
    ([, fn]) => typeof (fn as { Properties: { Description?: string } }).Properties.Description === 'string',
  );

  it('logs every API request as JSON, by route key rather than path (paths hold shopper ids)', () => {
    const stage = single(template, 'AWS::ApiGatewayV2::Stage', { StageName: '$default' });
    const settings = stage.props.AccessLogSettings as { Format: string; DestinationArn: unknown };
    const format = JSON.parse(settings.Format) as Record<string, string>;
    expect(format).toMatchObject({ routeKey: '$context.routeKey', status: '$context.status' });
    expect(settings.Format).not.toContain('$context.path');
    expect(stage.props.AutoDeploy).toBe(true);
  });

  it('throttles the API with the configured limits', () => {
    const stage = single(template, 'AWS::ApiGatewayV2::Stage', { StageName: '$default' });
    expect(stage.props.DefaultRouteSettings).toMatchObject({
      ThrottlingRateLimit: 1000,
      ThrottlingBurstLimit: 2000,
    });
    const custom = synth({ throttle: { rateLimit: 50, burstLimit: 80 } }).template;
    expect(single(custom, 'AWS::ApiGatewayV2::Stage').props.DefaultRouteSettings).toMatchObject({
      ThrottlingRateLimit: 50,
      ThrottlingBurstLimit: 80,
    });
  });

  it('expires snapshots after the configured days and keeps models', () => {
    const bucket = dataBucket(template);
    const rules = (bucket.props.LifecycleConfiguration as { Rules: Record<string, unknown>[] }).Rules;
    expect(rules).toContainEqual(
      expect.objectContaining({ Prefix: 'snapshots/', ExpirationInDays: 9, Status: 'Enabled' }),
    );
    expect(rules.filter((r) => r.ExpirationInDays !== undefined)).toHaveLength(1);
  });

  it('alarms on errors and throttles of every service function', () => {
    expect(serviceFunctions.length).toBeGreaterThanOrEqual(6);
    for (const [id] of serviceFunctions) {
      for (const metric of ['Errors', 'Throttles']) {
        const matching = alarms.filter(
          (a) =>
            a.Properties.MetricName === metric &&
            JSON.stringify(a.Properties.Dimensions) ===
              JSON.stringify([{ Name: 'FunctionName', Value: { Ref: id } }]),
        );
        expect(matching, `${metric} alarm for ${id}`).toHaveLength(1);
      }
    }
  });

  it('alarms on the depth of every dead-letter queue', () => {
    const queues = Object.keys(template.findResources('AWS::SQS::Queue'));
    expect(queues.length).toBeGreaterThanOrEqual(2);
    for (const queueId of queues) {
      const depth = alarms.filter(
        (a) =>
          a.Properties.MetricName === 'ApproximateNumberOfMessagesVisible' &&
          JSON.stringify(a.Properties.Dimensions).includes(queueId),
      );
      expect(depth, queueId).toHaveLength(1);
    }
  });

  it('alarms when a retrain is rejected and when no model was promoted for N days', () => {
    template.hasResourceProperties('AWS::Logs::MetricFilter', {
      FilterPattern: Match.stringLikeRegexp('retrain trained.*rejected'),
      MetricTransformations: [
        Match.objectLike({ MetricName: 'RetrainRejected', MetricNamespace: 'Segmentation' }),
      ],
    });
    const rejected = alarms.filter((a) => a.Properties.MetricName === 'RetrainRejected');
    expect(rejected).toHaveLength(1);
    const stale = alarms.filter((a) => a.Properties.MetricName === 'RetrainPromoted');
    expect(stale).toHaveLength(1);
    // Missing data means no promotion at all, which is exactly the case to alarm on.
    expect(stale[0]?.Properties).toMatchObject({
      EvaluationPeriods: 4,
      ComparisonOperator: 'LessThanThreshold',
      TreatMissingData: 'breaching',
    });
  });

  it('sends every alarm to the alarm topic', () => {
    expect(alarms.length).toBeGreaterThan(15);
    for (const alarm of alarms)
      expect(alarm.Properties.AlarmActions, alarm.Properties.AlarmDescription).toEqual([{ Ref: topicId }]);
  });

  it('e-mails alarms only when an address is configured', () => {
    template.resourceCountIs('AWS::SNS::Subscription', 0);
    const mailed = synth({ alarmEmail: 'ops@example.com' }).template;
    mailed.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'ops@example.com',
    });
    expect(() => synth({ alarmEmail: 'not-an-address' })).toThrow(/alarmEmail/);
    expect(() => synth({ modelMaxAgeDays: 8 })).toThrow(/modelMaxAgeDays/);
  });

  it('has a dashboard with the API, functions, tables, retrain runs and alarms', () => {
    const dashboard = single(template, 'AWS::CloudWatch::Dashboard');
    const body = JSON.stringify(dashboard.props.DashboardBody);
    for (const title of [
      'API requests and errors',
      'Function errors',
      'DynamoDB consumed capacity',
      'Retrain runs',
    ])
      expect(body).toContain(title);
  });
});
