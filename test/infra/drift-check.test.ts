/**
 * The drift check in the stack: its own schedule starts a state machine that snapshots (plan, a
 * Distributed Map over the Scan segments, assemble: the retrain's states and functions), measures
 * drift against the current model, and starts the retrain state machine (trigger "drift", with
 * that snapshot) only when drift passed the threshold and no retrain is running; with exactly
 * the permissions that takes.
 */
import { describe, expect, it } from 'vitest';
import { eventsTable, profilesTable } from '#shared/contract/tables';
import {
  type AslState,
  actionsOf,
  dataBucket,
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
const PLAN = 'Retrain: plan a snapshot (run, parallel Scan segments)';
const SNAPSHOT = 'Retrain: snapshot one Scan segment of the profiles to S3';
const ASSEMBLE = 'Retrain: assemble a snapshot from its segments';

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

  const [busy, plan] = runningCheck(asl.StartAt);
  const segments = state(plan.Next);
  const assemble = state(segments.Next);
  const measure = state(assemble.Next);
  const drifted = state(measure.Next);
  const driftRule = (drifted.Choices as { Variable: string; BooleanEquals: boolean; Next: string }[])[0];

  it('ends at once when a retrain is running', () => {
    expect(busy.Type).toBe('Succeed');
  });

  it('snapshots with the drift trigger (plan, segments map, assemble), then measures that snapshot', () => {
    expect(plan).toMatchObject({ Type: 'Task', OutputPath: '$.Payload' });
    expect(invokedFunction(plan)).toBe(fnArn(PLAN));
    expect((plan.Parameters as { Payload: unknown }).Payload).toEqual({ trigger: 'drift' });
    expect(segments).toMatchObject({
      Type: 'Map',
      ItemReader: { Parameters: { 'Key.$': '$.plan.segmentsKey' } },
      ItemSelector: { 'segment.$': '$$.Map.Item.Value.segment', 'plan.$': '$.plan' },
      ResultWriter: { Parameters: { Prefix: 'snapshots/_map-results' } },
      ResultPath: null,
    });
    expect(segments).not.toHaveProperty('ItemsPath');
    const processor = segments.ItemProcessor as { StartAt: string; States: Record<string, AslState> };
    expect(invokedFunction(processor.States[processor.StartAt] as AslState)).toBe(fnArn(SNAPSHOT));
    expect(assemble).toMatchObject({ Type: 'Task', OutputPath: '$.Payload' });
    expect(invokedFunction(assemble)).toBe(fnArn(ASSEMBLE));
    expect(measure).toMatchObject({ Type: 'Task', OutputPath: '$.Payload' });
    expect(invokedFunction(measure)).toBe(fnArn(MEASURE));
    // The assemble function's output ({trigger, snapshot}) is the measure's whole input.
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
        Input: { trigger: 'drift', 'snapshot.$': '$.snapshot' },
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

  it('may invoke the snapshot and measure functions, run its map, and list and start the retrain, nothing more', () => {
    const statements = statementsOfRole(template, referencedId(machine.props.RoleArn));
    const on = (action: string) =>
      statements
        .filter((s) => actionsOf([s]).includes(action))
        .flatMap((s) => (Array.isArray(s.Resource) ? s.Resource : [s.Resource]));
    const invoked = on('lambda:InvokeFunction')
      .filter((r) => (r as { 'Fn::GetAtt'?: unknown })['Fn::GetAtt'])
      .map((r) => referencedId(r))
      .sort();
    expect(invoked).toEqual(
      [PLAN, SNAPSHOT, ASSEMBLE, MEASURE].map((d) => functionByDescription(template, d).id).sort(),
    );
    expect(on('states:ListExecutions')).toEqual([{ Ref: retrainId }]);
    // The retrain, and (CDK's grant for a Distributed Map) this machine's own child executions.
    const started = on('states:StartExecution');
    expect(started).toContainEqual({ Ref: retrainId });
    for (const resource of started.filter((r) => JSON.stringify(r) !== JSON.stringify({ Ref: retrainId })))
      expect(JSON.stringify(resource)).toContain(machine.id);
    // The map's item reader and result writer, on snapshots/ only.
    const bucketId = dataBucket(template).id;
    expect(s3Grants(template, referencedId(machine.props.RoleArn), bucketId)).toEqual({
      's3:GetObject': ['snapshots/*', 'snapshots/_map-results/*'],
      's3:PutObject': ['snapshots/_map-results/*'],
      's3:ListMultipartUploadParts': ['snapshots/_map-results/*'],
      's3:AbortMultipartUpload': ['snapshots/_map-results/*'],
    });
    const other = actionsOf(statements).filter(
      (a) =>
        !/^(logs|xray|s3):/.test(a) &&
        !['lambda:InvokeFunction', 'states:ListExecutions', 'states:StartExecution'].includes(a),
    );
    // The rest of CDK's Distributed Map grant: its child executions, on this machine only.
    expect([...new Set(other)].sort()).toEqual([
      'states:DescribeExecution',
      'states:RedriveExecution',
      'states:StopExecution',
    ]);
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
  const bucketId = dataBucket(template).id;

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
