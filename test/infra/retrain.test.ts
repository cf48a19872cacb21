import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { assignmentsTable, eventsTable, profilesTable } from '#shared/contract/tables';
import {
  type AslState,
  actionsOf,
  allStatements,
  definitionOf,
  functionByDescription,
  invokedFunction,
  nextOf,
  referencedId,
  retrainMachine,
  retrainSchedule,
  s3Grants,
  single,
  statementsOfRole,
  synth,
  tableId,
} from './template';

const SNAPSHOT = 'Retrain: snapshot profiles to S3';
const TRAIN = 'Retrain: train, gate and promote a model';
const ASSIGN = 'Retrain: re-assign the shoppers of one snapshot part';
const INGEST = 'Segment HTTP Tracking API ingestion';
const READ_API = 'Shopper profile read API';
const SNAPSHOTS_PREFIX = 'snapshots/';

describe('retrain functions', () => {
  const { template } = synth({ eventRetentionDays: 30 });
  const assignmentsId = tableId(template, assignmentsTable);
  const profilesId = tableId(template, profilesTable);
  const bucketId = single(template, 'AWS::S3::Bucket').id;

  it.each([
    [SNAPSHOT, 1024],
    [TRAIN, 3008],
    [ASSIGN, 1024],
  ])('runs "%s" on Node 22, arm64, with %i MB and 15 minutes', (description, memory) => {
    const fn = functionByDescription(template, description);
    expect(fn.props).toMatchObject({
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      Handler: 'index.handler',
      MemorySize: memory,
      Timeout: 900,
      LoggingConfig: { LogFormat: 'JSON' },
    });
  });

  it.each([SNAPSHOT, TRAIN, ASSIGN])('gives "%s" the tables and the bucket, and no API key', (d) => {
    const variables = (functionByDescription(template, d).props.Environment as { Variables: object })
      .Variables;
    expect(variables).toMatchObject({
      PROFILES_TABLE: { Ref: profilesId },
      EVENTS_TABLE: { Ref: tableId(template, eventsTable) },
      ASSIGNMENTS_TABLE: { Ref: assignmentsId },
      DATA_BUCKET: { Ref: bucketId },
      EVENT_RETENTION_DAYS: '30',
      NODE_OPTIONS: '--enable-source-maps',
    });
    for (const key of ['ADMIN_KEY', 'WRITE_KEY', 'READ_KEY']) expect(variables).not.toHaveProperty(key);
  });

  it('sets the number of parallel scan workers of the snapshot', () => {
    const variables = (functionByDescription(template, SNAPSHOT).props.Environment as { Variables: object })
      .Variables;
    expect(variables).toMatchObject({ SNAPSHOT_WORKERS: expect.stringMatching(/^[1-9]\d*$/) });
  });

  it('keeps ingest away from the assignments table', () => {
    const variables = (functionByDescription(template, INGEST).props.Environment as { Variables: object })
      .Variables;
    expect(variables).not.toHaveProperty('ASSIGNMENTS_TABLE');
  });
});

describe('retrain state machine', () => {
  const { template } = synth();
  const machine = retrainMachine(template);
  const asl = definitionOf(machine.props);
  const states = asl.States;
  const fnArn = (description: string) => `<${functionByDescription(template, description).id}.Arn>`;

  const given = states[asl.StartAt] as AslState;
  const givenChoices = given.Choices as { Variable: string; IsPresent: boolean; Next: string }[];
  const snapshot = states[String(given.Default)] as AslState;
  const train = nextOf(states, String(given.Default));
  const choice = nextOf(states, String(snapshot.Next));
  const choices = choice.Choices as { Variable: string; BooleanEquals: boolean; Next: string }[];
  const map = states[choices[0]?.Next ?? ''] as AslState;

  it("trains on the snapshot it is given (a drift check's), and takes one otherwise", () => {
    expect(given.Type).toBe('Choice');
    expect(givenChoices).toEqual([{ Variable: '$.manifest', IsPresent: true, Next: snapshot.Next }]);
  });

  it('snapshots, then trains, each task passing on only the Lambda payload', () => {
    expect(snapshot).toMatchObject({ Type: 'Task', OutputPath: '$.Payload' });
    expect(invokedFunction(snapshot)).toBe(fnArn(SNAPSHOT));
    expect(train).toMatchObject({ Type: 'Task', OutputPath: '$.Payload' });
    expect(invokedFunction(train)).toBe(fnArn(TRAIN));
  });

  it('retries the tasks on Lambda service errors', () => {
    for (const task of [snapshot, train]) {
      expect(task.Retry).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ ErrorEquals: expect.arrayContaining(['Lambda.ServiceException']) }),
        ]),
      );
    }
  });

  it('reassigns only when the model was promoted; otherwise ends successfully', () => {
    expect(choice.Type).toBe('Choice');
    expect(choices).toHaveLength(1);
    expect(choices[0]).toMatchObject({ Variable: '$.promoted', BooleanEquals: true });
    const rejected = states[String(choice.Default)] as AslState;
    expect(rejected).toMatchObject({ Type: 'Succeed', Comment: 'Rejected: previous model keeps serving' });
    expect(nextOf(states, String(choices[0]?.Next)).Type).toBe('Succeed');
  });

  it('fans out over the assign items in a Distributed Map that tolerates no failure', () => {
    expect(map).toMatchObject({
      Type: 'Map',
      ItemsPath: '$.assign',
      MaxConcurrency: 20,
      ItemProcessor: { ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' } },
    });
    // Absent means 0 in the States Language.
    expect(map.ToleratedFailurePercentage ?? 0).toBe(0);
    expect(map.ToleratedFailureCount ?? 0).toBe(0);
    // The map's result must not replace the train output.
    expect(map.ResultPath).not.toBe('$');
  });

  it('runs the assign function for each item and retries a failed part twice', () => {
    const processor = map.ItemProcessor as { StartAt: string; States: Record<string, AslState> };
    expect(Object.keys(processor.States)).toHaveLength(1);
    const assign = processor.States[processor.StartAt] as AslState;
    expect(assign).toMatchObject({ Type: 'Task', End: true, OutputPath: '$.Payload' });
    expect(invokedFunction(assign)).toBe(fnArn(ASSIGN));
    expect(assign.Retry).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ ErrorEquals: expect.arrayContaining(['Lambda.ServiceException']) }),
        expect.objectContaining({ ErrorEquals: ['States.TaskFailed'], MaxAttempts: 2 }),
      ]),
    );
  });

  it('times out, and logs errors to its own log group', () => {
    expect(asl.TimeoutSeconds).toBe(7200);
    const logging = machine.props.LoggingConfiguration as {
      Level: string;
      Destinations: { CloudWatchLogsLogGroup: { LogGroupArn: unknown } }[];
    };
    expect(['ERROR', 'ALL']).toContain(logging.Level);
    const logGroupId = referencedId(logging.Destinations[0]?.CloudWatchLogsLogGroup.LogGroupArn);
    expect(template.toJSON().Resources[logGroupId].Type).toBe('AWS::Logs::LogGroup');
  });

  it('may invoke exactly the three retrain functions', () => {
    const statements = statementsOfRole(template, referencedId(machine.props.RoleArn));
    const invoked = statements
      .filter((s) => actionsOf([s]).includes('lambda:InvokeFunction'))
      .flatMap((s) => (Array.isArray(s.Resource) ? s.Resource : [s.Resource]))
      .filter((r) => (r as { 'Fn::GetAtt'?: unknown })['Fn::GetAtt'])
      .map((r) => referencedId(r))
      .sort();
    expect(invoked).toEqual(
      [SNAPSHOT, TRAIN, ASSIGN].map((d) => functionByDescription(template, d).id).sort(),
    );
  });

  it('outputs the state machine ARN', () => {
    const outputs = template.toJSON().Outputs as Record<string, { Value: unknown }>;
    expect(outputs.RetrainStateMachineArn?.Value).toEqual({ Ref: machine.id });
  });
});

/** The schedule's dead-letter queue (the stack has another queue, for the rescore stream). */
const scheduleDlq = (template: ReturnType<typeof synth>['template']) => {
  const [id, resource] =
    Object.entries(template.findResources('AWS::SQS::Queue')).find(([logicalId]) =>
      logicalId.includes('ScheduleDlq'),
    ) ?? [];
  if (!id || !resource) throw new Error('no schedule dead-letter queue');
  return { id, props: resource.Properties as Record<string, unknown> };
};

describe('retrain schedule', () => {
  const { template } = synth();
  const machineId = retrainMachine(template).id;
  const queue = scheduleDlq(template);
  const schedule = retrainSchedule(template);

  it('starts the state machine daily with a schedule trigger', () => {
    expect(schedule.props).toMatchObject({
      ScheduleExpression: 'cron(0 3 * * ? *)',
      State: 'ENABLED',
      Target: { Arn: { Ref: machineId } },
    });
    const target = schedule.props.Target as { Input: string };
    expect(JSON.parse(target.Input)).toEqual({ trigger: 'schedule' });
  });

  it('takes the schedule from context', () => {
    const custom = synth({}, { retrainSchedule: 'rate(12 hours)' }).template;
    expect(retrainSchedule(custom).props.ScheduleExpression).toBe('rate(12 hours)');
  });

  it('retries a failed start, then parks it in the dead-letter queue', () => {
    expect(schedule.props.Target).toMatchObject({
      RetryPolicy: { MaximumRetryAttempts: 3 },
      DeadLetterConfig: { Arn: { 'Fn::GetAtt': [queue.id, 'Arn'] } },
    });
  });

  it('keeps dead letters encrypted for 14 days and refuses plain HTTP', () => {
    expect(queue.props).toMatchObject({ SqsManagedSseEnabled: true, MessageRetentionPeriod: 14 * 86_400 });
    template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      Queues: [{ Ref: queue.id }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
  });

  it('lets the scheduler start this state machine and write to its queue, nothing else', () => {
    const statements = statementsOfRole(
      template,
      referencedId((schedule.props.Target as { RoleArn: unknown }).RoleArn),
    );
    expect(statements.map((s) => ({ Action: s.Action, Resource: s.Resource }))).toEqual([
      { Action: 'states:StartExecution', Resource: { Ref: machineId } },
      { Action: 'sqs:SendMessage', Resource: { 'Fn::GetAtt': [queue.id, 'Arn'] } },
    ]);
  });
});

describe('retrain alarms', () => {
  const { template } = synth();
  const machineId = retrainMachine(template).id;
  const queueId = scheduleDlq(template).id;

  it('alarms on any failed execution', () => {
    const alarm = single(template, 'AWS::CloudWatch::Alarm', {
      MetricName: 'ExecutionsFailed',
      Dimensions: [{ Name: 'StateMachineArn', Value: { Ref: machineId } }],
    });
    expect(alarm.props).toMatchObject({
      Namespace: 'AWS/States',
      Dimensions: [{ Name: 'StateMachineArn', Value: { Ref: machineId } }],
      Statistic: 'Sum',
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      EvaluationPeriods: 1,
      TreatMissingData: 'notBreaching',
    });
  });

  it('alarms on any timed-out execution', () => {
    const alarm = single(template, 'AWS::CloudWatch::Alarm', {
      MetricName: 'ExecutionsTimedOut',
      Dimensions: [{ Name: 'StateMachineArn', Value: { Ref: machineId } }],
    });
    expect(alarm.props).toMatchObject({
      Dimensions: [{ Name: 'StateMachineArn', Value: { Ref: machineId } }],
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    });
  });

  it('alarms as soon as a start lands in the dead-letter queue', () => {
    const alarm = single(template, 'AWS::CloudWatch::Alarm', {
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [queueId, 'QueueName'] } }],
    });
    expect(alarm.props).toMatchObject({
      Namespace: 'AWS/SQS',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [queueId, 'QueueName'] } }],
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    });
  });
});

describe('retrain least privilege', () => {
  const { template } = synth();
  const bucketId = single(template, 'AWS::S3::Bucket').id;
  const profilesId = tableId(template, profilesTable);
  const assignmentsId = tableId(template, assignmentsTable);
  const roleOf = (description: string) =>
    referencedId(functionByDescription(template, description).props.Role);
  const actions = (description: string) => actionsOf(statementsOfRole(template, roleOf(description)));
  const dynamoResources = (description: string) =>
    JSON.stringify(
      statementsOfRole(template, roleOf(description))
        .filter((s) => actionsOf([s]).some((a) => a.startsWith('dynamodb:')))
        .map((s) => s.Resource),
    );
  const s3Writes = /^s3:(Put|Delete|Abort|Restore|Replicate|\*)/;

  it('lets the snapshot scan profiles and write snapshot objects, and read nothing from S3', () => {
    const granted = actions(SNAPSHOT);
    expect(granted.filter((a) => a.startsWith('dynamodb:'))).toEqual(['dynamodb:Scan']);
    expect(dynamoResources(SNAPSHOT)).toContain(profilesId);
    expect(dynamoResources(SNAPSHOT)).not.toContain(assignmentsId);
    expect(s3Grants(template, roleOf(SNAPSHOT), bucketId)).toEqual({ 's3:PutObject': ['snapshots/*'] });
    expect(granted).not.toContain('s3:GetObject');
  });

  it('gives the train function no DynamoDB access at all', () => {
    expect(actions(TRAIN).filter((a) => a.startsWith('dynamodb:'))).toEqual([]);
  });

  it('lets the train function read snapshots and models, and write only models and runs', () => {
    expect(s3Grants(template, roleOf(TRAIN), bucketId)).toEqual({
      's3:GetObject': ['models/*', 'snapshots/*'],
      's3:PutObject': ['models/*', 'runs/*'],
      's3:ListBucket': ['<bucket>'],
    });
  });

  it('lets the assign function read parts and models, write history, stamp profiles, and write nothing to S3', () => {
    const granted = actions(ASSIGN);
    expect(granted.filter((a) => s3Writes.test(a))).toEqual([]);
    expect(s3Grants(template, roleOf(ASSIGN), bucketId)).toEqual({
      's3:GetObject': ['models/*', 'snapshots/*'],
    });
    const dynamo = statementsOfRole(template, roleOf(ASSIGN)).filter((s) =>
      actionsOf([s]).some((a) => a.startsWith('dynamodb:')),
    );
    const on = (tableId: string) =>
      dynamo.filter((s) => JSON.stringify(s.Resource).includes(tableId)).flatMap((s) => actionsOf([s]));
    expect(on(assignmentsId)).toEqual(['dynamodb:BatchWriteItem']);
    expect(on(profilesId)).toEqual(['dynamodb:UpdateItem']);
    expect(granted).toContain('events:PutEvents');
  });

  it('gives ingest no S3 access, so no snapshot or model can leak', () => {
    expect(actions(INGEST).filter((a) => a.startsWith('s3:'))).toEqual([]);
    expect(JSON.stringify(statementsOfRole(template, roleOf(INGEST)))).not.toContain(bucketId);
  });

  it('keeps snapshots (raw profile data) away from the read API', () => {
    expect(JSON.stringify(statementsOfRole(template, roleOf(READ_API)))).not.toContain(SNAPSHOTS_PREFIX);
  });

  it('allows no wildcard action anywhere in the template', () => {
    const statements = allStatements(template);
    expect(statements.length).toBeGreaterThan(10);
    const wildcard = (a: string) => a === '*' || /^[a-z0-9-]+:\*$/.test(a);
    const allowed = statements.filter((s) => s.Effect === 'Allow').flatMap((s) => actionsOf([s]));
    expect(allowed.filter(wildcard)).toEqual([]);
    for (const forbidden of ['*', 'dynamodb:*', 's3:*']) expect(allowed).not.toContain(forbidden);
    // The only service-wide actions are the deny-plain-HTTP statements of the bucket and queue.
    const denied = statements.filter((s) => actionsOf([s]).some(wildcard));
    for (const statement of denied) {
      expect(statement).toMatchObject({
        Effect: 'Deny',
        Condition: { Bool: { 'aws:SecureTransport': 'false' } },
      });
    }
  });
});
