import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { assignmentsTable, byExposureIndex, eventsTable, profilesTable } from '#shared/contract/tables';
import {
  type AslState,
  actionsOf,
  allStatements,
  dataBucket,
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

const PLAN = 'Retrain: plan a snapshot (run, parallel Scan segments)';
const SNAPSHOT = 'Retrain: snapshot one Scan segment of the profiles to S3';
const ASSEMBLE = 'Retrain: assemble a snapshot from its segments';
const TRAIN = 'Retrain: train and gate a model (saved, not yet promoted)';
const INDEX = "Retrain: one snapshot part's recommendation index partial";
const PROMOTE = 'Retrain: merge the index partials, save the index and promote the model';
const ASSIGN = 'Retrain: re-assign the shoppers of one snapshot part';
const RECORD = 'Retrain: record the run with what its reassignment counted';
const INGEST = 'Segment HTTP Tracking API ingestion';
const READ_API = 'Shopper profile read API';
const SNAPSHOTS_PREFIX = 'snapshots/';

describe('retrain functions', () => {
  const { template } = synth({ eventRetentionDays: 30 });
  const assignmentsId = tableId(template, assignmentsTable);
  const profilesId = tableId(template, profilesTable);
  const bucketId = dataBucket(template).id;

  it.each([
    [PLAN, 256],
    [SNAPSHOT, 1024],
    [ASSEMBLE, 2048],
    [TRAIN, 3008],
    [INDEX, 1024],
    [PROMOTE, 1024],
    [ASSIGN, 1024],
    [RECORD, 512],
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

  it.each([PLAN, SNAPSHOT, ASSEMBLE, TRAIN, INDEX, PROMOTE, ASSIGN, RECORD])(
    'gives "%s" the tables and the bucket, and no API key',
    (d) => {
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
    },
  );

  it("sets the plan's parallel scan segments: at least, profiles per segment, at most", () => {
    const variables = (functionByDescription(template, PLAN).props.Environment as { Variables: object })
      .Variables;
    expect(variables).toMatchObject({
      SNAPSHOT_WORKERS: '4',
      SNAPSHOT_ROWS_PER_SEGMENT: '500000',
      SNAPSHOT_MAX_SEGMENTS: '1000',
    });
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
  const plan = states[String(given.Default)] as AslState;
  const segments = nextOf(states, String(given.Default));
  const assemble = nextOf(states, String(plan.Next));
  const train = nextOf(states, String(segments.Next));
  const passed = nextOf(states, String(assemble.Next));
  const passedChoices = passed.Choices as { Variable: string; BooleanEquals: boolean; Next: string }[];
  const indexMap = states[passedChoices[0]?.Next ?? ''] as AslState;
  const promote = nextOf(states, String(passedChoices[0]?.Next));
  const choice = nextOf(states, String(indexMap.Next));
  const choices = choice.Choices as { Variable: string; BooleanEquals: boolean; Next: string }[];
  const map = states[choices[0]?.Next ?? ''] as AslState;
  const record = nextOf(states, String(choices[0]?.Next));
  const processorTask = (m: AslState) => {
    const processor = m.ItemProcessor as { StartAt: string; States: Record<string, AslState> };
    expect(Object.keys(processor.States)).toHaveLength(1);
    return processor.States[processor.StartAt] as AslState;
  };
  const resultWriter = {
    Resource: 'arn:<AWS::Partition>:states:::s3:putObject',
    Parameters: { Bucket: expect.stringMatching(/^<Data[0-9A-F]{8}>$/), Prefix: 'snapshots/_map-results' },
  };

  it("trains on the snapshot it is given (a drift check's), and takes one otherwise", () => {
    expect(given.Type).toBe('Choice');
    expect(givenChoices).toEqual([{ Variable: '$.snapshot', IsPresent: true, Next: assemble.Next }]);
  });

  it('plans the snapshot, scans its segments, assembles it, then trains, each task passing on only the Lambda payload', () => {
    expect(plan).toMatchObject({ Type: 'Task', OutputPath: '$.Payload', Next: 'Snapshot segments' });
    expect(invokedFunction(plan)).toBe(fnArn(PLAN));
    expect(segments.Type).toBe('Map');
    expect(assemble).toMatchObject({ Type: 'Task', OutputPath: '$.Payload' });
    expect(invokedFunction(assemble)).toBe(fnArn(ASSEMBLE));
    expect(train).toMatchObject({ Type: 'Task', OutputPath: '$.Payload' });
    expect(invokedFunction(train)).toBe(fnArn(TRAIN));
  });

  it("scans one segment per item of the plan's segments list, read from the bucket; results to the bucket, state unchanged", () => {
    expect(segments).toMatchObject({
      ItemReader: {
        Resource: 'arn:<AWS::Partition>:states:::s3:getObject',
        ReaderConfig: { InputType: 'JSON' },
        Parameters: { 'Key.$': '$.plan.segmentsKey' },
      },
      ItemSelector: { 'segment.$': '$$.Map.Item.Value.segment', 'plan.$': '$.plan' },
      MaxConcurrency: 20,
      ResultWriter: resultWriter,
      ItemProcessor: { ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' } },
    });
    expect(segments).not.toHaveProperty('ItemsPath');
    expect(segments.ResultPath).toBeNull();
    expect(segments.ToleratedFailurePercentage ?? 0).toBe(0);
    const worker = processorTask(segments);
    expect(worker).toMatchObject({ Type: 'Task', End: true, OutputPath: '$.Payload' });
    expect(invokedFunction(worker)).toBe(fnArn(SNAPSHOT));
    expect(worker.Retry).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ ErrorEquals: ['States.TaskFailed'], MaxAttempts: 2 }),
      ]),
    );
  });

  it('retries the tasks on Lambda service errors', () => {
    for (const task of [plan, assemble, train, promote, record]) {
      expect(task.Retry).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ ErrorEquals: expect.arrayContaining(['Lambda.ServiceException']) }),
        ]),
      );
    }
  });

  it('indexes and promotes only when the trained model passed the gate; otherwise ends successfully', () => {
    expect(passed.Type).toBe('Choice');
    expect(passedChoices).toHaveLength(1);
    expect(passedChoices[0]).toMatchObject({ Variable: '$.passed', BooleanEquals: true });
    const rejected = states[String(passed.Default)] as AslState;
    expect(rejected).toMatchObject({ Type: 'Succeed', Comment: 'Rejected: previous model keeps serving' });
    expect(passed.Default).toBe(choice.Default);
  });

  it("builds the index over the snapshot's parts list, read from the bucket, one partial per item, retried", () => {
    expect(indexMap).toMatchObject({
      Type: 'Map',
      ItemReader: {
        Resource: 'arn:<AWS::Partition>:states:::s3:getObject',
        ReaderConfig: { InputType: 'JSON' },
        Parameters: { 'Key.$': '$.snapshot.partsKey' },
      },
      ItemSelector: { 'part.$': '$$.Map.Item.Value', 'modelVersion.$': '$.modelVersion' },
      MaxConcurrency: 20,
      ResultWriter: resultWriter,
      ItemProcessor: { ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' } },
    });
    expect(indexMap).not.toHaveProperty('ItemsPath');
    expect(indexMap.ToleratedFailurePercentage ?? 0).toBe(0);
    expect(indexMap.ResultPath).toBeNull();
    const worker = processorTask(indexMap);
    expect(worker).toMatchObject({ Type: 'Task', End: true, OutputPath: '$.Payload' });
    expect(invokedFunction(worker)).toBe(fnArn(INDEX));
    expect(worker.Retry).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ ErrorEquals: ['States.TaskFailed'], MaxAttempts: 2 }),
      ]),
    );
  });

  it('then promotes, given the run, the snapshot and the model, and passing on only the Lambda payload', () => {
    expect(promote).toMatchObject({ Type: 'Task', OutputPath: '$.Payload', Next: 'Promoted?' });
    expect(invokedFunction(promote)).toBe(fnArn(PROMOTE));
    expect((promote.Parameters as { Payload: unknown }).Payload).toEqual({
      'trigger.$': '$.trigger',
      'snapshot.$': '$.snapshot',
      'run.$': '$.run',
      'modelVersion.$': '$.modelVersion',
      'at.$': '$.at',
    });
  });

  it('reassigns only when the model was promoted; otherwise ends successfully', () => {
    expect(choice.Type).toBe('Choice');
    expect(choices).toHaveLength(1);
    expect(choices[0]).toMatchObject({ Variable: '$.promoted', BooleanEquals: true });
    const rejected = states[String(choice.Default)] as AslState;
    expect(rejected).toMatchObject({ Type: 'Succeed', Comment: 'Rejected: previous model keeps serving' });
    // Promoted: reassign, record the run, succeed.
    expect(record.Type).toBe('Task');
    expect(nextOf(states, String(map.Next)).Type).toBe('Succeed');
  });

  it("fans out over the snapshot's parts list, read from the bucket, in a Distributed Map that tolerates no failure", () => {
    expect(map).toMatchObject({
      Type: 'Map',
      ItemReader: {
        Resource: 'arn:<AWS::Partition>:states:::s3:getObject',
        ReaderConfig: { InputType: 'JSON' },
        Parameters: { 'Key.$': '$.snapshot.partsKey' },
      },
      ItemSelector: { 'part.$': '$$.Map.Item.Value', 'modelVersion.$': '$.modelVersion', 'at.$': '$.at' },
      MaxConcurrency: 20,
      ResultWriter: resultWriter,
      ItemProcessor: { ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' } },
    });
    expect(map).not.toHaveProperty('ItemsPath');
    // Absent means 0 in the States Language.
    expect(map.ToleratedFailurePercentage ?? 0).toBe(0);
    expect(map.ToleratedFailureCount ?? 0).toBe(0);
    // The map's result must not replace the train output: dropped (its results are in the bucket).
    expect(map.ResultPath).toBeNull();
  });

  it('then records the run, given only the run and the number of parts, and retries a failure twice', () => {
    expect(record).toMatchObject({ Type: 'Task', OutputPath: '$.Payload' });
    expect(invokedFunction(record)).toBe(fnArn(RECORD));
    expect((record.Parameters as { Payload: unknown }).Payload).toEqual({
      'run.$': '$.run',
      'parts.$': '$.snapshot.parts',
    });
    expect(record.Retry).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ ErrorEquals: ['States.TaskFailed'], MaxAttempts: 2 }),
      ]),
    );
  });

  it('runs the assign function for each item and retries a failed part twice', () => {
    const assign = processorTask(map);
    expect(assign).toMatchObject({ Type: 'Task', End: true, OutputPath: '$.Payload' });
    expect(invokedFunction(assign)).toBe(fnArn(ASSIGN));
    expect(assign.Retry).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ ErrorEquals: expect.arrayContaining(['Lambda.ServiceException']) }),
        expect.objectContaining({ ErrorEquals: ['States.TaskFailed'], MaxAttempts: 2 }),
      ]),
    );
  });

  it('lets the maps read their items from snapshots/ and write their results under snapshots/_map-results/ only', () => {
    const bucketId = dataBucket(template).id;
    expect(s3Grants(template, referencedId(machine.props.RoleArn), bucketId)).toEqual({
      's3:GetObject': ['snapshots/*', 'snapshots/_map-results/*'],
      's3:PutObject': ['snapshots/_map-results/*'],
      's3:ListMultipartUploadParts': ['snapshots/_map-results/*'],
      's3:AbortMultipartUpload': ['snapshots/_map-results/*'],
    });
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

  it('may invoke exactly the eight retrain functions', () => {
    const statements = statementsOfRole(template, referencedId(machine.props.RoleArn));
    const invoked = statements
      .filter((s) => actionsOf([s]).includes('lambda:InvokeFunction'))
      .flatMap((s) => (Array.isArray(s.Resource) ? s.Resource : [s.Resource]))
      .filter((r) => (r as { 'Fn::GetAtt'?: unknown })['Fn::GetAtt'])
      .map((r) => referencedId(r))
      .sort();
    expect(invoked).toEqual(
      [PLAN, SNAPSHOT, ASSEMBLE, TRAIN, INDEX, PROMOTE, ASSIGN, RECORD]
        .map((d) => functionByDescription(template, d).id)
        .sort(),
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
  const bucketId = dataBucket(template).id;
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

  it("lets the plan read the profiles table's size and write snapshot objects, and nothing else", () => {
    const granted = actions(PLAN);
    expect(granted.filter((a) => a.startsWith('dynamodb:'))).toEqual(['dynamodb:DescribeTable']);
    expect(dynamoResources(PLAN)).toContain(profilesId);
    expect(dynamoResources(PLAN)).not.toContain(assignmentsId);
    expect(s3Grants(template, roleOf(PLAN), bucketId)).toEqual({ 's3:PutObject': ['snapshots/*'] });
  });

  it('lets the assembly read and write snapshot objects, and touch no table', () => {
    expect(actions(ASSEMBLE).filter((a) => a.startsWith('dynamodb:'))).toEqual([]);
    expect(s3Grants(template, roleOf(ASSEMBLE), bucketId)).toEqual({
      's3:GetObject': ['snapshots/*'],
      's3:PutObject': ['snapshots/*'],
      's3:ListBucket': ['<bucket>'],
    });
  });

  it('lets the snapshot segment worker scan profiles and write snapshot objects, and read nothing from S3', () => {
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

  it('lets the train function read snapshots and models, and write only model objects and runs', () => {
    expect(s3Grants(template, roleOf(TRAIN), bucketId)).toEqual({
      's3:GetObject': ['models/*', 'snapshots/*'],
      's3:PutObject': ['models/*/model.json', 'runs/*'],
      's3:ListBucket': ['<bucket>'],
    });
  });

  it('lets the index function read parts and model objects, write only index partials, and touch no table', () => {
    expect(actions(INDEX).filter((a) => a.startsWith('dynamodb:'))).toEqual([]);
    expect(s3Grants(template, roleOf(INDEX), bucketId)).toEqual({
      's3:GetObject': ['models/*/model.json', 'snapshots/*'],
      's3:PutObject': ['models/*/index-parts/*'],
    });
  });

  it('lets the promote function read models, remove index partials, and write only the index, the pointer and runs', () => {
    expect(actions(PROMOTE).filter((a) => a.startsWith('dynamodb:'))).toEqual([]);
    expect(s3Grants(template, roleOf(PROMOTE), bucketId)).toEqual({
      's3:GetObject': ['models/*'],
      's3:DeleteObject': ['models/*/index-parts/*'],
      's3:PutObject': ['models/*/recommendations.json', 'models/current.json', 'runs/*'],
      's3:ListBucket': ['<bucket>'],
    });
    expect(JSON.stringify(statementsOfRole(template, roleOf(PROMOTE)))).not.toContain(SNAPSHOTS_PREFIX);
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

  it('lets the record function read part counts, models and policies, check exposures, and write only runs and lift flags', () => {
    // The lift check: a version's exposures from the sparse index, the exposed shoppers' profiles.
    const dynamo = statementsOfRole(template, roleOf(RECORD)).filter((s) =>
      actionsOf([s]).some((a) => a.startsWith('dynamodb:')),
    );
    expect(dynamo.map((s) => [actionsOf([s]), JSON.stringify(s.Resource)])).toEqual([
      [['dynamodb:Query'], expect.stringContaining(`/index/${byExposureIndex.name}`)],
      [['dynamodb:BatchGetItem', 'dynamodb:GetItem'], expect.stringContaining(profilesId)],
    ]);
    expect(JSON.stringify(dynamo[0]?.Resource)).toContain(assignmentsId);
    expect(s3Grants(template, roleOf(RECORD), bucketId)).toEqual({
      's3:DeleteObject': ['config/policies/flags/*'],
      's3:GetObject': ['config/policies/*', 'models/*/model.json', 'models/*/population/*'],
      's3:ListBucket': ['<bucket>', '<bucket>'],
      's3:PutObject': ['config/policies/flags/*', 'runs/*'],
    });
    const lists = statementsOfRole(template, roleOf(RECORD)).filter((s) =>
      actionsOf([s]).includes('s3:ListBucket'),
    );
    expect(lists.map((s) => s.Condition)).toEqual([
      { StringLike: { 's3:prefix': 'models/*/population/' } },
      { StringLike: { 's3:prefix': 'config/policies/*' } },
    ]);
    expect(actions(RECORD)).toContain('events:PutEvents');
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
