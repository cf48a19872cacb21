import { Annotations, Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { assignmentsTable, eventsTable, profilesTable } from '../../shared/tables';
import {
  actionsOf,
  functionByDescription,
  referencedId,
  single,
  statementsOfRole,
  synth,
  tableId,
  testKeys,
} from './template';

const INGEST = 'Segment HTTP Tracking API ingestion';
const READ_API = 'Shopper profile read API';

describe('storage', () => {
  const { template } = synth({ keys: testKeys });

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

  it('builds the assignments table with a sort key and no TTL (history is kept)', () => {
    const { props } = single(template, 'AWS::DynamoDB::Table', {
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
      TimeToLiveSpecification: Match.absent(),
    });
    expect(props.AttributeDefinitions).toEqual([
      { AttributeName: 'pk', AttributeType: 'S' },
      { AttributeName: 'sk', AttributeType: 'S' },
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
    const bucket = single(template, 'AWS::S3::Bucket');
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
    template.resourceCountIs('Custom::S3AutoDeleteObjects', 1);
  });
});

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
    template.resourceCountIs('Custom::S3AutoDeleteObjects', 0);
  });

  it('refuses to synthesise without API keys', () => {
    expect(() => synth({}, { stage: 'prod' })).toThrow(/writeKey, readKey and adminKey/);
  });
});

describe('functions', () => {
  const { template } = synth({ keys: testKeys, eventRetentionDays: 30 });
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
      Runtime: 'nodejs22.x',
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

  it.each([
    ['ingest', ingest],
    ['read-api', readApi],
  ])('gives %s the storage names, keys and settings it reads', (_name, fn) => {
    const variables = (fn.props.Environment as { Variables: Record<string, unknown> }).Variables;
    expect(variables).toEqual({
      PROFILES_TABLE: { Ref: profilesId },
      EVENTS_TABLE: { Ref: eventsId },
      DATA_BUCKET: { Ref: single(template, 'AWS::S3::Bucket').id },
      WRITE_KEY: 'w-key',
      READ_KEY: 'r-key',
      ADMIN_KEY: 'a-key',
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

  it('gives read-api read-only access to profiles and nothing on events', () => {
    const statements = statementsOfRole(template, referencedId(readApi.props.Role));
    const dynamoActions = actionsOf(statements).filter((a) => a.startsWith('dynamodb:'));
    expect(dynamoActions).toContain('dynamodb:GetItem');
    const writes = dynamoActions.filter((a) =>
      /^dynamodb:(Put|Update|Delete|BatchWrite|Create|Restore|Import|PartiQL(Insert|Update|Delete)|\*)/.test(
        a,
      ),
    );
    expect(writes).toEqual([]);
    const resources = JSON.stringify(statements.map((s) => s.Resource));
    expect(resources).toContain(profilesId);
    expect(resources).not.toContain(eventsId);
    expect(resources).not.toContain(assignmentsId);
  });
});

describe('HTTP API', () => {
  const { template } = synth({ keys: testKeys });
  const integrationTarget = (description: string) => {
    const fnId = functionByDescription(template, description).id;
    return single(template, 'AWS::ApiGatewayV2::Integration', {
      IntegrationUri: { 'Fn::GetAtt': [fnId, 'Arn'] },
    }).id;
  };

  it.each([
    ['POST /v1/batch', INGEST],
    ['POST /v1/track', INGEST],
    ['POST /v1/identify', INGEST],
    ['POST /v1/page', INGEST],
    ['POST /v1/screen', INGEST],
    ['POST /v1/group', INGEST],
    ['POST /v1/alias', INGEST],
    ['GET /v1/users/{userId}/profile', READ_API],
  ])('routes %s to the right function', (routeKey, description) => {
    const route = single(template, 'AWS::ApiGatewayV2::Route', { RouteKey: routeKey });
    expect(route.props.Target).toEqual({
      'Fn::Join': ['', ['integrations/', { Ref: integrationTarget(description) }]],
    });
  });

  it('has no other routes', () => {
    template.resourceCountIs('AWS::ApiGatewayV2::Route', 8);
  });

  it('answers CORS preflight for any origin with the headers Segment clients send', () => {
    const api = single(template, 'AWS::ApiGatewayV2::Api');
    expect(api.props.ProtocolType).toBe('HTTP');
    expect(api.props.CorsConfiguration).toMatchObject({
      AllowOrigins: ['*'],
      AllowMethods: expect.arrayContaining(['POST', 'GET', 'OPTIONS']),
      AllowHeaders: ['authorization', 'content-type', 'content-encoding'],
    });
  });

  it('auto-deploys the default stage', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', { StageName: '$default', AutoDeploy: true });
  });

  it('outputs the API URL and the storage names', () => {
    const outputs = template.toJSON().Outputs as Record<string, unknown>;
    expect(Object.keys(outputs)).toEqual(
      expect.arrayContaining([
        'ApiUrl',
        'ProfilesTableName',
        'EventsTableName',
        'AssignmentsTableName',
        'DataBucketName',
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
    const { stack } = synth({}, { eventRetentionDays: '90', writeKey: 'from-context' });
    expect(stack.config.eventRetentionDays).toBe(90);
    expect(stack.config.keys.write).toBe('from-context');
  });

  it('retrains daily by default, on the schedule given in context otherwise', () => {
    expect(synth().stack.config.retrainSchedule).toBe('cron(0 3 * * ? *)');
    expect(synth({}, { retrainSchedule: 'rate(12 hours)' }).stack.config.retrainSchedule).toBe(
      'rate(12 hours)',
    );
    expect(() => synth({}, { retrainSchedule: 'daily' })).toThrow(/retrainSchedule/);
  });

  it('rejects a retention that is not a positive whole number of days', () => {
    expect(() => synth({}, { eventRetentionDays: '0' })).toThrow(/eventRetentionDays/);
    expect(() => synth({}, { eventRetentionDays: 'forever' })).toThrow(/eventRetentionDays/);
  });

  it('warns when API keys are missing outside prod, and not when they are set', () => {
    const missing = Match.stringLikeRegexp('writeKey, readKey or adminKey');
    Annotations.fromStack(synth().stack).hasWarning('/Test', missing);
    Annotations.fromStack(synth({ keys: testKeys }).stack).hasNoWarning('/Test', missing);
  });
});
