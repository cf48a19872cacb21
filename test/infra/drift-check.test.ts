/**
 * The drift check in the stack: its own schedule starts a state machine that snapshots, measures
 * drift against the current model, and starts the retrain state machine (trigger "drift", with
 * that snapshot) only when drift passed the threshold and no retrain is running; with exactly
 * the permissions that takes.
 */
import { describe, expect, it } from 'vitest';
import { eventsTable, profilesTable } from '#shared/contract/tables';
import {
  type AslState,
  actionsOf,
  definitionOf,
  driftCheckMachine,
  driftCheckSchedule,
  functionByDescription,
  invokedFunction,
  referencedId,
  retrainMachine,
  s3Grants,
  single,
  statementsOfRole,
  synth,
  tableId,
} from './template';

const MEASURE = 'Drift check: compare a snapshot with the current model';
const SNAPSHOT = 'Retrain: snapshot profiles to S3';

describe('drift check configuration', () => {
  it('checks every 6 hours by default, and takes the schedule from context', () => {
    expect(synth().stack.config.driftCheckSchedule).toBe('rate(6 hours)');
    const custom = synth({}, { driftCheckSchedule: 'cron(30 */2 * * ? *)' });
    expect(custom.stack.config.driftCheckSchedule).toBe('cron(30 */2 * * ? *)');
    expect(driftCheckSchedule(custom.template).props.ScheduleExpression).toBe('cron(30 */2 * * ? *)');
    expect(() => synth({}, { driftCheckSchedule: 'hourly' })).toThrow(/driftCheckSchedule/);
  });
});

describe('drift check schedule', () => {
  const { template } = synth();
  const schedule = driftCheckSchedule(template);
  const machine = driftCheckMachine(template);
  const target = schedule.props.Target as {
    Arn: unknown;
    Input: string;
    RoleArn: unknown;
    RetryPolicy: unknown;
    DeadLetterConfig: { Arn: unknown };
  };

  it('starts the drift check state machine on its own schedule, apart from the retrain', () => {
    expect(schedule.props).toMatchObject({ ScheduleExpression: 'rate(6 hours)', State: 'ENABLED' });
    expect(target.Arn).toEqual({ Ref: machine.id });
    expect(target.Arn).not.toEqual({ Ref: retrainMachine(template).id });
    expect(JSON.parse(target.Input)).toEqual({});
  });

  it("retries a failed start, then parks it in the schedules' dead-letter queue (which alarms)", () => {
    expect(target.RetryPolicy).toMatchObject({ MaximumRetryAttempts: 3 });
    const queueId = referencedId(target.DeadLetterConfig.Arn);
    expect(queueId).toMatch(/^RetrainScheduleDlq/);
    single(template, 'AWS::CloudWatch::Alarm', {
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [queueId, 'QueueName'] } }],
    });
  });

  it('lets the scheduler start only the drift check and write to its queue', () => {
    const statements = statementsOfRole(template, referencedId(target.RoleArn));
    expect(statements.map((s) => ({ Action: s.Action, Resource: s.Resource }))).toEqual([
      { Action: 'states:StartExecution', Resource: { Ref: machine.id } },
      { Action: 'sqs:SendMessage', Resource: target.DeadLetterConfig.Arn },
    ]);
  });
});

describe('drift check state machine', () => {
  const { template } = synth();
  const machine = driftCheckMachine(template);
  const retrainId = retrainMachine(template).id;
  const asl = definitionOf(machine.props);
  const states = asl.States;
  const state = (name: unknown): AslState => {
    const found = states[String(name)];
    if (!found) throw new Error(`no state ${String(name)}`);
    return found;
  };
  const fnArn = (description: string) => `<${functionByDescription(template, description).id}.Arn>`;
  /** A "is a retrain running?" check and the Choice after it: [running branch, idle branch]. */
  const runningCheck = (name: unknown): [AslState, AslState] => {
    const check = state(name);
    expect(check).toMatchObject({
      Type: 'Task',
      Resource: 'arn:<AWS::Partition>:states:::aws-sdk:sfn:listExecutions',
      Parameters: { StateMachineArn: `<${retrainId}>`, StatusFilter: 'RUNNING', MaxResults: 1 },
    });
    // The running list goes beside the state's data, which the next states still need.
    expect(check.ResultPath).toMatch(/^\$\.\w+$/);
    const choice = state(check.Next);
    const [rule, ...others] = choice.Choices as { Variable: string; IsPresent: boolean; Next: string }[];
    expect(others).toEqual([]);
    expect(rule?.Variable).toBe(`${check.ResultPath}.executions[0]`);
    expect(rule?.IsPresent).toBe(true);
    expect((check.ResultSelector as Record<string, string>)['executions.$']).toBe('$.Executions');
    return [state(rule?.Next), state(choice.Default)];
  };

  const [busy, snapshot] = runningCheck(asl.StartAt);
  const measure = state(snapshot.Next);
  const drifted = state(measure.Next);
  const driftRule = (drifted.Choices as { Variable: string; BooleanEquals: boolean; Next: string }[])[0];

  it('ends at once when a retrain is running', () => {
    expect(busy.Type).toBe('Succeed');
  });

  it('snapshots with the drift trigger, then measures that snapshot', () => {
    expect(snapshot).toMatchObject({ Type: 'Task', OutputPath: '$.Payload' });
    expect(invokedFunction(snapshot)).toBe(fnArn(SNAPSHOT));
    expect((snapshot.Parameters as { Payload: unknown }).Payload).toEqual({ trigger: 'drift' });
    expect(measure).toMatchObject({ Type: 'Task', OutputPath: '$.Payload' });
    expect(invokedFunction(measure)).toBe(fnArn(MEASURE));
    // The snapshot function's output ({trigger, manifest}) is the measure's whole input.
    expect((measure.Parameters as Record<string, unknown>)['Payload.$']).toBe('$');
  });

  it('ends without a retrain when drift stays under the threshold', () => {
    expect(drifted.Type).toBe('Choice');
    expect(drifted.Choices).toHaveLength(1);
    expect(driftRule).toMatchObject({ Variable: '$.drifted', BooleanEquals: true });
    expect(state(drifted.Default).Type).toBe('Succeed');
  });

  it('when drifted, looks again for a running retrain and starts one only if none is', () => {
    const [busyNow, start] = runningCheck(driftRule?.Next);
    expect(busyNow.Type).toBe('Succeed');
    expect(start).toMatchObject({
      Type: 'Task',
      Resource: 'arn:<AWS::Partition>:states:::states:startExecution',
      Parameters: {
        StateMachineArn: `<${retrainId}>`,
        // Named after the check: a retried start cannot start a second retrain.
        'Name.$': '$$.Execution.Name',
        Input: { trigger: 'drift', 'manifest.$': '$.manifest' },
      },
    });
    // Fire and forget: the retrain has its own alarms, and no .sync wait to pay for.
    expect(start.Resource).not.toContain('.sync');
    expect(state(start.Next).Type).toBe('Succeed');
  });

  it('starts the retrain from no other state', () => {
    const starts = Object.values(states).filter((s) => String(s.Resource).includes('startExecution'));
    expect(starts).toHaveLength(1);
  });

  it('times out, and logs to its own log group', () => {
    expect(asl.TimeoutSeconds).toBe(3600);
    const logging = machine.props.LoggingConfiguration as {
      Level: string;
      Destinations: { CloudWatchLogsLogGroup: { LogGroupArn: unknown } }[];
    };
    expect(logging.Level).toBe('ALL');
    const logGroupId = referencedId(logging.Destinations[0]?.CloudWatchLogsLogGroup.LogGroupArn);
    expect(logGroupId).toMatch(/^DriftCheck/);
  });

  it('may invoke the snapshot and measure functions, and list and start the retrain, nothing more', () => {
    const statements = statementsOfRole(template, referencedId(machine.props.RoleArn));
    const on = (action: string) =>
      statements
        .filter((s) => actionsOf([s]).includes(action))
        .flatMap((s) => (Array.isArray(s.Resource) ? s.Resource : [s.Resource]));
    const invoked = on('lambda:InvokeFunction')
      .filter((r) => (r as { 'Fn::GetAtt'?: unknown })['Fn::GetAtt'])
      .map((r) => referencedId(r))
      .sort();
    expect(invoked).toEqual([MEASURE, SNAPSHOT].map((d) => functionByDescription(template, d).id).sort());
    expect(on('states:ListExecutions')).toEqual([{ Ref: retrainId }]);
    expect(on('states:StartExecution')).toEqual([{ Ref: retrainId }]);
    const other = actionsOf(statements).filter(
      (a) =>
        !/^(logs|xray):/.test(a) &&
        !['lambda:InvokeFunction', 'states:ListExecutions', 'states:StartExecution'].includes(a),
    );
    expect(other).toEqual([]);
  });

  it('alarms on a failed or timed-out check', () => {
    for (const metric of ['ExecutionsFailed', 'ExecutionsTimedOut'])
      single(template, 'AWS::CloudWatch::Alarm', {
        MetricName: metric,
        Dimensions: [{ Name: 'StateMachineArn', Value: { Ref: machine.id } }],
      });
  });

  it('outputs the state machine ARN', () => {
    const outputs = template.toJSON().Outputs as Record<string, { Value: unknown }>;
    expect(outputs.DriftCheckStateMachineArn?.Value).toEqual({ Ref: machine.id });
  });
});

describe('drift measure function', () => {
  const { template } = synth();
  const fn = functionByDescription(template, MEASURE);
  const roleId = referencedId(fn.props.Role);
  const bucketId = single(template, 'AWS::S3::Bucket').id;

  it('runs on Node 24, arm64, with the memory of the train function (it holds every buyer)', () => {
    expect(fn.props).toMatchObject({
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      MemorySize: 3008,
      Timeout: 900,
      LoggingConfig: { LogFormat: 'JSON' },
    });
    const variables = (fn.props.Environment as { Variables: object }).Variables;
    expect(variables).toMatchObject({
      PROFILES_TABLE: { Ref: tableId(template, profilesTable) },
      EVENTS_TABLE: { Ref: tableId(template, eventsTable) },
      DATA_BUCKET: { Ref: bucketId },
    });
    for (const key of ['ADMIN_KEY', 'WRITE_KEY', 'READ_KEY']) expect(variables).not.toHaveProperty(key);
  });

  it('reads snapshots and models, writes nothing, and has no DynamoDB access', () => {
    expect(s3Grants(template, roleId, bucketId)).toEqual({
      's3:GetObject': ['models/*', 'snapshots/*'],
      's3:ListBucket': ['<bucket>'],
    });
    const actions = actionsOf(statementsOfRole(template, roleId));
    expect(actions.filter((a) => !a.startsWith('s3:'))).toEqual([]);
  });

  it('has its own error and throttle alarms', () => {
    for (const metric of ['Errors', 'Throttles'])
      single(template, 'AWS::CloudWatch::Alarm', {
        MetricName: metric,
        Dimensions: [{ Name: 'FunctionName', Value: { Ref: fn.id } }],
      });
  });
});
