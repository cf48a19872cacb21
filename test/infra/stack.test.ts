import { Match, type Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { preflightRoutes, routes } from '#shared/contract/routes';
import {
  assignmentsTable,
  byExposureIndex,
  bySegmentIndex,
  eventsTable,
  profilesTable,
} from '#shared/contract/tables';
import {
  actionsOf,
  dataBucket,
  functionByDescription,
  referencedId,
  s3Grants,
  single,
  statementsOfRole,
  synth,
  tableId,
} from './template';

const INGEST = 'Segment HTTP Tracking API ingestion';
const READ_API = 'Shopper profile read API';
const ADMIN = 'Erases a shopper (admin): profile, raw events, segment history';

const RESCORE = 'Re-scores shoppers whose profiles changed (profiles stream)';

describe('storage', () => {
  const { template } = synth();

  it('builds the profiles table from its shared definition', () => {
    const { props } = single(template, 'AWS::DynamoDB::Table', {
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
    });
    expect(props.AttributeDefinitions).toEqual([
      { AttributeName: 'pk', AttributeType: 'S' },
      { AttributeName: 'segmentId', AttributeType: 'S' },
    ]);
    expect(props.TimeToLiveSpecification).toBeUndefined();
    // Segment members are listed from a sparse index keyed by the stamped segment id.
    expect(props.GlobalSecondaryIndexes).toEqual([
      {
        IndexName: 'bySegment',
        KeySchema: [
          { AttributeName: 'segmentId', KeyType: 'HASH' },
          { AttributeName: 'pk', KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'INCLUDE', NonKeyAttributes: ['segment'] },
      },
    ]);
  });

  it('builds the events table with a sort key and TTL on expiresAt', () => {
    const { props } = single(template, 'AWS::DynamoDB::Table', {
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
      TimeToLiveSpecification: Match.anyValue(),
    });
    expect(props.TimeToLiveSpecification).toEqual({ AttributeName: 'expiresAt', Enabled: true });
  });

  it('builds the assignments table with a sort key, no TTL (history is kept) and the sparse exposure index', () => {
    const { props } = single(template, 'AWS::DynamoDB::Table', {
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
      TimeToLiveSpecification: Match.absent(),
    });
    expect(props.AttributeDefinitions).toEqual(
      expect.arrayContaining([
        { AttributeName: 'pk', AttributeType: 'S' },
        { AttributeName: 'sk', AttributeType: 'S' },
        { AttributeName: 'xv', AttributeType: 'S' },
        { AttributeName: 'xk', AttributeType: 'S' },
      ]),
    );
    expect(props.AttributeDefinitions).toHaveLength(4);
    expect(props.GlobalSecondaryIndexes).toEqual([
      {
        IndexName: byExposureIndex.name,
        KeySchema: [
          { AttributeName: 'xv', KeyType: 'HASH' },
          { AttributeName: 'xk', KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'INCLUDE', NonKeyAttributes: ['group', 'at'] },
      },
    ]);
  });

  it('makes all tables on-demand, recoverable and encrypted with the AWS-managed key', () => {
    template.resourceCountIs('AWS::DynamoDB::Table', 3);
    template.allResourcesProperties('AWS::DynamoDB::Table', {
      BillingMode: 'PAY_PER_REQUEST',
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      // SSEEnabled without a key id is how CloudFormation selects the AWS-managed aws/dynamodb key.
      SSESpecification: Match.objectEquals({ SSEEnabled: true }),
    });
  });

  it('encrypts the bucket, blocks public access and denies plain HTTP', () => {
    const bucket = dataBucket(template);
    expect(bucket.props.BucketEncryption).toEqual({
      ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
    });
    expect(bucket.props.PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: true,
      BlockPublicPolicy: true,
      IgnorePublicAcls: true,
      RestrictPublicBuckets: true,
    });
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: bucket.id },
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Deny',
            Action: 's3:*',
            Principal: { AWS: '*' },
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }),
        ]),
      },
    });
  });

  it('lets a dev stack be destroyed, objects included', () => {
    const tables = Object.values(template.findResources('AWS::DynamoDB::Table'));
    for (const table of tables) {
      expect(table.DeletionPolicy).toBe('Delete');
      expect(table.Properties.DeletionProtectionEnabled).toBe(false);
    }
    expect(autoDeletedBuckets(template)).toEqual([dataBucket(template).id, siteBucketId(template)].sort());
  });
});

/** The buckets emptied when the stack is deleted (autoDeleteObjects), by logical id. */
const autoDeletedBuckets = (template: Template): string[] =>
  Object.values(template.findResources('Custom::S3AutoDeleteObjects'))
    .map((r) => (r as { Properties: { BucketName: { Ref: string } } }).Properties.BucketName.Ref)
    .sort();

/** The dashboard's site bucket: the one without lifecycle rules. */
const siteBucketId = (template: Template): string => {
  const data = dataBucket(template).id;
  const [site, ...more] = Object.keys(template.findResources('AWS::S3::Bucket')).filter((id) => id !== data);
  if (!site || more.length > 0) throw new Error('expected one bucket besides the data bucket');
  return site;
};

describe('prod stage', () => {
  const { template } = synth({}, { stage: 'prod', writeKey: 'w', readKey: 'r', adminKey: 'a' });

  it('retains and deletion-protects the tables and keeps bucket objects', () => {
    const tables = Object.values(template.findResources('AWS::DynamoDB::Table'));
    expect(tables).toHaveLength(3);
    for (const table of tables) {
      expect(table.DeletionPolicy).toBe('Retain');
      expect(table.UpdateReplacePolicy).toBe('Retain');
      expect(table.Properties.DeletionProtectionEnabled).toBe(true);
    }
    template.hasResource('AWS::S3::Bucket', { DeletionPolicy: 'Retain' });
    // Only the dashboard's site, rebuilt from the repository on every deploy, empties itself.
    expect(autoDeletedBuckets(template)).toEqual([siteBucketId(template)]);
  });

  it('synthesises a production stack with no key given: the keys are generated at deploy', () => {
    expect(() => synth({}, { stage: 'prod' })).not.toThrow();
  });
});

describe('functions', () => {
  const { template } = synth({ eventRetentionDays: 30 });
  const ingest = functionByDescription(template, INGEST);
  const readApi = functionByDescription(template, READ_API);
  const profilesId = tableId(template, profilesTable);
  const eventsId = tableId(template, eventsTable);
  const assignmentsId = tableId(template, assignmentsTable);

  it.each([
    ['ingest', ingest],
    ['read-api', readApi],
  ])('runs %s on Node 22, arm64, ESM-bundled, logging JSON to a retained log group', (_name, fn) => {
    expect(fn.props).toMatchObject({
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      Handler: 'index.handler',
      LoggingConfig: { LogFormat: 'JSON' },
    });
    expect(fn.props.MemorySize).toBeTypeOf('number');
    expect(fn.props.Timeout).toBeTypeOf('number');
    const logGroupId = referencedId((fn.props.LoggingConfig as { LogGroup: unknown }).LogGroup);
    const logGroup = template.toJSON().Resources[logGroupId];
    expect(logGroup.Type).toBe('AWS::Logs::LogGroup');
    expect(logGroup.Properties.RetentionInDays).toBe(30);
  });

  const bucketId = dataBucket(template).id;
  const busId = single(template, 'AWS::Events::EventBus').id;
  const variablesOf = (fn: { props: Record<string, unknown> }) =>
    (fn.props.Environment as { Variables: Record<string, unknown> }).Variables;

  const secretId = (role: string) =>
    single(template, 'AWS::SecretsManager::Secret', { Name: `segmentation/dev/${role}-key` }).id;

  it('gives ingest the storage names, where its key is, and settings it reads', () => {
    expect(variablesOf(ingest)).toEqual({
      PROFILES_TABLE: { Ref: profilesId },
      EVENTS_TABLE: { Ref: eventsId },
      DATA_BUCKET: { Ref: bucketId },
      WRITE_KEY_SECRET_ARN: { Ref: secretId('write') },
      // No browser key unless configured (test/infra/browser-api.test.ts); the API's own URL.
      BROWSER_KEYS: '{}',
      PUBLIC_API_URL: { 'Fn::GetAtt': [expect.any(String), 'ApiEndpoint'] },
      EVENT_RETENTION_DAYS: '30',
      NODE_OPTIONS: '--enable-source-maps',
    });
  });

  it('gives read-api the assignments table, the bus and the read and admin key secrets, not the write key', () => {
    expect(variablesOf(readApi)).toEqual({
      PROFILES_TABLE: { Ref: profilesId },
      // The shared env check requires it; the role grants nothing on that table.
      EVENTS_TABLE: { Ref: eventsId },
      ASSIGNMENTS_TABLE: { Ref: assignmentsId },
      DATA_BUCKET: { Ref: bucketId },
      EVENT_BUS_NAME: { Ref: busId },
      READ_KEY_SECRET_ARN: { Ref: secretId('read') },
      ADMIN_KEY_SECRET_ARN: { Ref: secretId('admin') },
      EVENT_RETENTION_DAYS: '30',
      NODE_OPTIONS: '--enable-source-maps',
    });
  });

  it('gives ingest exactly the calls its use case makes, and no scan or delete', () => {
    const statements = statementsOfRole(template, referencedId(ingest.props.Role));
    const actions = actionsOf(statements).filter((a) => a.startsWith('dynamodb:'));
    expect([...new Set(actions)].sort()).toEqual([
      'dynamodb:BatchGetItem',
      'dynamodb:BatchWriteItem',
      'dynamodb:GetItem',
      'dynamodb:PutItem',
    ]);
    const resources = JSON.stringify(statements.map((s) => s.Resource));
    expect(resources).toContain(profilesId);
    expect(resources).toContain(eventsId);
    expect(resources).not.toContain(assignmentsId);
  });

  describe('read-api least privilege', () => {
    const statements = statementsOfRole(template, referencedId(readApi.props.Role));
    const tableArn = (id: string) => ({ 'Fn::GetAtt': [id, 'Arn'] });
    /** Each DynamoDB action with the resources it is allowed on. */
    const dynamoGrants = () => {
      const grants: Record<string, unknown[]> = {};
      for (const statement of statements.filter((s) => s.Effect === 'Allow')) {
        const resources = Array.isArray(statement.Resource) ? statement.Resource : [statement.Resource];
        for (const action of actionsOf([statement]).filter((a) => a.startsWith('dynamodb:')))
          grants[action] = [...(grants[action] ?? []), ...resources];
      }
      return grants;
    };

    it('may make exactly the DynamoDB calls its routes make, each on exactly its table or index', () => {
      expect(dynamoGrants()).toEqual({
        'dynamodb:GetItem': [tableArn(profilesId)],
        // The conditional segment stamp on the profile item.
        'dynamodb:UpdateItem': [tableArn(profilesId)],
        // Segment members from the sparse bySegment index; history from the assignments table;
        // a policy version's exposures from the sparse byExposure index.
        'dynamodb:Query': expect.arrayContaining([
          { 'Fn::Join': ['', [tableArn(profilesId), `/index/${bySegmentIndex.name}`]] },
          tableArn(assignmentsId),
          { 'Fn::Join': ['', [tableArn(assignmentsId), `/index/${byExposureIndex.name}`]] },
        ]),
        'dynamodb:BatchWriteItem': [tableArn(assignmentsId)],
        // A shopper's first exposure to a holdout policy, a conditional put in their history partition.
        'dynamodb:PutItem': [tableArn(assignmentsId)],
        // The lift report reads the exposed shoppers' profiles.
        'dynamodb:BatchGetItem': [tableArn(profilesId)],
      });
      expect(dynamoGrants()['dynamodb:Query']).toHaveLength(3);
    });

    it('may neither put nor delete profiles, nor touch the raw events', () => {
      const actions = actionsOf(statements);
      for (const forbidden of ['dynamodb:DeleteItem', 'dynamodb:Scan', 'dynamodb:*'])
        expect(actions).not.toContain(forbidden);
      expect(dynamoGrants()['dynamodb:PutItem']).toEqual([tableArn(assignmentsId)]);
      expect(JSON.stringify(statements)).not.toContain(eventsId);
    });

    it('may read models and runs and list the bucket, and write only segment policies to S3', () => {
      expect(s3Grants(template, referencedId(readApi.props.Role), bucketId)).toEqual({
        's3:DeleteObject': ['config/policies/*'],
        's3:GetObject': ['config/policies/*', 'models/*', 'runs/*'],
        // Unconditional so that a missing key is NoSuchKey, not AccessDenied (see the stack).
        's3:ListBucket': ['<bucket>'],
        's3:PutObject': ['config/policies/*'],
      });
    });

    it('may put events on the segmentation bus only', () => {
      const putEvents = statements.filter((s) => actionsOf([s]).some((a) => a.startsWith('events:')));
      expect(putEvents).toEqual([
        { Effect: 'Allow', Action: 'events:PutEvents', Resource: { 'Fn::GetAtt': [busId, 'Arn'] } },
      ]);
    });
  });

  describe('admin least privilege', () => {
    const admin = functionByDescription(template, ADMIN);
    const statements = statementsOfRole(template, referencedId(admin.props.Role));
    const tableArn = (id: string) => ({ 'Fn::GetAtt': [id, 'Arn'] });

    it('may make exactly the calls of the erase, on the tables only (no index, no scan)', () => {
      const grants: Record<string, unknown[]> = {};
      for (const statement of statements.filter((s) => s.Effect === 'Allow')) {
        const resources = Array.isArray(statement.Resource) ? statement.Resource : [statement.Resource];
        for (const action of actionsOf([statement]).filter((a) => a.startsWith('dynamodb:')))
          grants[action] = [...(grants[action] ?? []), ...resources];
      }
      expect(grants).toEqual({
        'dynamodb:GetItem': [tableArn(profilesId)],
        'dynamodb:DeleteItem': [tableArn(profilesId)],
        'dynamodb:Query': [tableArn(eventsId), tableArn(assignmentsId)],
        'dynamodb:BatchWriteItem': [tableArn(eventsId), tableArn(assignmentsId)],
      });
    });

    it('reads only the admin key, and nothing in the bucket or on the bus', () => {
      expect(variablesOf(admin).ADMIN_KEY_SECRET_ARN).toEqual({ Ref: secretId('admin') });
      expect(variablesOf(admin).READ_KEY_SECRET_ARN).toBeUndefined();
      expect(variablesOf(admin).WRITE_KEY_SECRET_ARN).toBeUndefined();
      const text = JSON.stringify(statements);
      expect(text).not.toContain(busId);
      expect(actionsOf(statements).filter((a) => a.startsWith('s3:') || a.startsWith('events:'))).toEqual([]);
    });
  });

  it('gives ingest no access to the bus', () => {
    const statements = statementsOfRole(template, referencedId(ingest.props.Role));
    expect(actionsOf(statements).filter((a) => a.startsWith('events:'))).toEqual([]);
    expect(JSON.stringify(statements)).not.toContain(busId);
  });
});

describe('event bus', () => {
  const { template } = synth();
  const bus = single(template, 'AWS::Events::EventBus');

  it('is a custom bus named after the stage', () => {
    expect(bus.props.Name).toBe('segmentation-dev');
    expect(synth({ stage: 'prod' }).template.toJSON().Resources).toMatchObject({
      [bus.id]: { Type: 'AWS::Events::EventBus', Properties: { Name: 'segmentation-prod' } },
    });
  });

  it('has no resource policy: only the read API, rescore, reassignment and run record roles may put events on it', () => {
    template.resourceCountIs('AWS::Events::EventBusPolicy', 0);
    const putters = Object.values(template.findResources('AWS::IAM::Policy')).filter((policy) =>
      JSON.stringify(policy).includes('events:PutEvents'),
    );
    const roles = putters.flatMap((p) => p.Properties.Roles as unknown[]);
    const roleOf = (description: string) => ({
      Ref: referencedId(functionByDescription(template, description).props.Role),
    });
    expect(roles).toHaveLength(4);
    expect(roles).toEqual(
      expect.arrayContaining([
        roleOf(READ_API),
        roleOf(RESCORE),
        roleOf('Retrain: re-assign the shoppers of one snapshot part'),
        // "Policy Underperforming" events from the lift check.
        roleOf('Retrain: record the run with what its reassignment counted'),
      ]),
    );
  });

  it('re-scores from the profiles stream, keys only, with retries and a dead-letter queue', () => {
    const table = single(template, 'AWS::DynamoDB::Table', {
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
    });
    expect(table.props.StreamSpecification).toEqual({ StreamViewType: 'KEYS_ONLY' });
    const mapping = single(template, 'AWS::Lambda::EventSourceMapping');
    expect(mapping.props).toMatchObject({
      EventSourceArn: { 'Fn::GetAtt': [table.id, 'StreamArn'] },
      FunctionName: { Ref: functionByDescription(template, RESCORE).id },
      StartingPosition: 'LATEST',
      BisectBatchOnFunctionError: true,
      MaximumRetryAttempts: 3,
    });
    expect(JSON.stringify(mapping.props.DestinationConfig)).toContain('Arn');
  });

  it('outputs its name and ARN', () => {
    const outputs = template.toJSON().Outputs as Record<string, { Value: unknown }>;
    expect(outputs.EventBusName?.Value).toEqual({ Ref: bus.id });
    expect(outputs.EventBusArn?.Value).toEqual({ 'Fn::GetAtt': [bus.id, 'Arn'] });
  });
});

describe('HTTP API', () => {
  const { template } = synth();
  const integrationTarget = (description: string) => {
    const fnId = functionByDescription(template, description).id;
    return single(template, 'AWS::ApiGatewayV2::Integration', {
      IntegrationUri: { 'Fn::GetAtt': [fnId, 'Arn'] },
    }).id;
  };

  const descriptions = { ingest: INGEST, readApi: READ_API, admin: ADMIN } as const;

  it.each(routes.map((route) => [`${route.method} ${route.path}`, descriptions[route.fn]] as const))(
    'routes %s to %s',
    (routeKey, description) => {
      const route = single(template, 'AWS::ApiGatewayV2::Route', { RouteKey: routeKey });
      expect(route.props.Target).toEqual({
        'Fn::Join': ['', ['integrations/', { Ref: integrationTarget(description) }]],
      });
    },
  );

  it('serves the read endpoints, with GET', () => {
    const readKeys = routes.filter((r) => r.fn === 'readApi').map((r) => `${r.method} ${r.path}`);
    expect(readKeys).toEqual(
      expect.arrayContaining([
        'GET /v1/users/{userId}/profile',
        'GET /v1/users/{userId}/segment',
        'GET /v1/users/{userId}/history',
        'GET /v1/segments',
        'GET /v1/models',
        'GET /v1/models/{version}',
      ]),
    );
  });

  it('has no other routes than those of the table and one OPTIONS route per path', () => {
    template.resourceCountIs('AWS::ApiGatewayV2::Route', routes.length + preflightRoutes.length);
  });

  it.each(preflightRoutes.map((route) => [`OPTIONS ${route.path}`, descriptions[route.fn]] as const))(
    'sends the preflight %s to %s, which answers CORS',
    (routeKey, description) => {
      const route = single(template, 'AWS::ApiGatewayV2::Route', { RouteKey: routeKey });
      expect(route.props.Target).toEqual({
        'Fn::Join': ['', ['integrations/', { Ref: integrationTarget(description) }]],
      });
    },
  );

  it('leaves CORS to the functions: API Gateway would answer preflight itself and override their headers', () => {
    const api = single(template, 'AWS::ApiGatewayV2::Api');
    expect(api.props.ProtocolType).toBe('HTTP');
    expect(api.props.CorsConfiguration).toBeUndefined();
  });

  it('auto-deploys the default stage', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', { StageName: '$default', AutoDeploy: true });
  });

  it('outputs the API URL, the storage names and the bus', () => {
    const outputs = template.toJSON().Outputs as Record<string, unknown>;
    expect(Object.keys(outputs)).toEqual(
      expect.arrayContaining([
        'ApiUrl',
        'ProfilesTableName',
        'EventsTableName',
        'AssignmentsTableName',
        'DataBucketName',
        'EventBusName',
        'EventBusArn',
      ]),
    );
  });
});

describe('configuration', () => {
  it('defaults to dev with 400 days of event retention', () => {
    const { stack } = synth();
    expect(stack.config.stage).toBe('dev');
    expect(stack.config.eventRetentionDays).toBe(400);
  });

  it('reads settings from context as the CLI passes them, as strings', () => {
    const { stack } = synth({}, { eventRetentionDays: '90', modelMaxAgeDays: '2' });
    expect(stack.config.eventRetentionDays).toBe(90);
    expect(stack.config.modelMaxAgeDays).toBe(2);
  });

  it('retrains daily by default, on the schedule given in context otherwise', () => {
    expect(synth().stack.config.retrainSchedule).toBe('cron(0 3 * * ? *)');
    expect(synth({}, { retrainSchedule: 'rate(12 hours)' }).stack.config.retrainSchedule).toBe(
      'rate(12 hours)',
    );
    expect(() => synth({}, { retrainSchedule: 'daily' })).toThrow(/retrainSchedule/);
  });

  it('passes the customer value time unit and calibration window to the retrain functions', () => {
    const variables = (template: ReturnType<typeof synth>['template']) =>
      (
        functionByDescription(template, 'Retrain: train and gate a model (saved, not yet promoted)').props
          .Environment as {
          Variables: Record<string, unknown>;
        }
      ).Variables;
    expect(variables(synth().template)).toMatchObject({
      CLV_TIME_UNIT: 'day',
      CLV_CLUSTER_FEATURES: 'true',
    });
    expect(variables(synth({}, { clvClusterFeatures: 'false' }).template).CLV_CLUSTER_FEATURES).toBe('false');
    expect(() => synth({}, { clvClusterFeatures: 'yes' })).toThrow(/clvClusterFeatures/);
    expect(variables(synth().template).CLV_CALIBRATION_DAYS).toBeUndefined();
    const weekly = variables(synth({}, { clvTimeUnit: 'week', clvCalibrationDays: '365' }).template);
    expect(weekly).toMatchObject({ CLV_TIME_UNIT: 'week', CLV_CALIBRATION_DAYS: '365' });
    expect(() => synth({}, { clvTimeUnit: 'month' })).toThrow(/clvTimeUnit/);
    expect(() => synth({}, { clvCalibrationDays: '7' })).toThrow(/clvCalibrationDays/);
  });

  it('rejects a retention that is not a positive whole number of days', () => {
    expect(() => synth({}, { eventRetentionDays: '0' })).toThrow(/eventRetentionDays/);
    expect(() => synth({}, { eventRetentionDays: 'forever' })).toThrow(/eventRetentionDays/);
  });

  it('has no API key setting: keys are generated in Secrets Manager, never in context or the template', () => {
    const { template } = synth({}, { writeKey: 'ignored-context-key' });
    expect(JSON.stringify(template.toJSON())).not.toContain('ignored-context-key');
  });
});
