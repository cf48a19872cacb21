import { Annotations, CfnOutput, Duration, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import { CorsHttpMethod, HttpApi, HttpMethod } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { type FunctionName, routes } from '../shared/routes';
import { assignmentsTable, dataBucket, eventsTable, profilesTable } from '../shared/tables';
import { isProd, resolveConfig, type SegmentationConfig } from './config';
import { createHandlerFunction } from './handler-function';
import { Retrain } from './retrain';
import { createDataBucket, createTable } from './storage';

export interface SegmentationStackProps extends StackProps {
  /** Overrides for settings otherwise read from CDK context (stage, writeKey, readKey, adminKey, eventRetentionDays, retrainSchedule). */
  readonly config?: Partial<SegmentationConfig>;
}

/**
 * Segment-compatible ingestion and the profile read API, with their tables and data bucket,
 * and the scheduled retrain pipeline that keeps the shoppers' segments current.
 */
export class SegmentationStack extends Stack {
  readonly config: SegmentationConfig;

  constructor(scope: Construct, id: string, props: SegmentationStackProps = {}) {
    super(scope, id, props);
    const config = resolveConfig(this.node, props.config);
    this.config = config;
    const prod = isProd(config);

    if (!config.keys.write || !config.keys.read || !config.keys.admin) {
      // Allowed so that an offline synth needs no secrets; the handlers' env check refuses empty keys,
      // so such a deployment fails closed rather than open.
      Annotations.of(this).addWarningV2(
        'segmentation:MissingApiKeys',
        'writeKey, readKey or adminKey context is unset: the functions will fail until all are set (-c writeKey=...)',
      );
    }

    const profiles = createTable(this, profilesTable, prod);
    const events = createTable(this, eventsTable, prod);
    const assignments = createTable(this, assignmentsTable, prod);
    const bucket = createDataBucket(this, dataBucket.id, prod);

    const environment = {
      [profilesTable.envVar]: profiles.tableName,
      [eventsTable.envVar]: events.tableName,
      [dataBucket.envVar]: bucket.bucketName,
      WRITE_KEY: config.keys.write,
      READ_KEY: config.keys.read,
      ADMIN_KEY: config.keys.admin,
      EVENT_RETENTION_DAYS: String(config.eventRetentionDays),
    };
    const logRetention = logs.RetentionDays.ONE_MONTH;
    const removalPolicy = prod ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;
    const common = { environment, logRetention, removalPolicy };

    const ingest = createHandlerFunction(this, 'Ingest', {
      ...common,
      entry: 'functions/ingest.ts',
      description: 'Segment HTTP Tracking API ingestion',
      // Batches of up to 500 KB are parsed and fanned out to DynamoDB; more memory also buys CPU.
      memorySize: 512,
      timeout: Duration.seconds(15),
    });
    const readApi = createHandlerFunction(this, 'ReadApi', {
      ...common,
      entry: 'functions/read-api.ts',
      description: 'Shopper profile read API',
      memorySize: 256,
      timeout: Duration.seconds(5),
    });

    // Exactly what the ingest use case calls: consistent reads for dedupe, a conditional
    // profile put, batched ledger writes. No Scan or Delete.
    profiles.grant(ingest, 'dynamodb:GetItem', 'dynamodb:PutItem');
    events.grant(ingest, 'dynamodb:BatchGetItem', 'dynamodb:BatchWriteItem');
    profiles.grant(readApi, 'dynamodb:GetItem');

    const api = new HttpApi(this, 'Api', {
      description: `Segmentation service (${config.stage})`,
      // API Gateway answers preflight itself, so OPTIONS never reaches (or bills) a function.
      corsPreflight: {
        allowOrigins: ['*'],
        allowMethods: [CorsHttpMethod.POST, CorsHttpMethod.GET, CorsHttpMethod.OPTIONS],
        allowHeaders: ['authorization', 'content-type', 'content-encoding'],
        maxAge: Duration.days(1),
      },
      createDefaultStage: true,
    });

    // Routes come from the same table the local server dispatches with.
    const integrations: Record<FunctionName, HttpLambdaIntegration> = {
      ingest: new HttpLambdaIntegration('IngestIntegration', ingest),
      readApi: new HttpLambdaIntegration('ReadApiIntegration', readApi),
    };
    for (const route of routes) {
      api.addRoutes({
        path: route.path,
        methods: [HttpMethod[route.method]],
        integration: integrations[route.fn],
      });
    }

    // Only the retrain jobs touch assignments; the request path neither reads nor writes them.
    // The jobs serve no requests, so they get no API keys.
    const { ADMIN_KEY: _admin, WRITE_KEY: _write, READ_KEY: _read, ...jobEnvironment } = environment;
    const retrain = new Retrain(this, 'Retrain', {
      profiles,
      assignments,
      bucket,
      environment: { ...jobEnvironment, [assignmentsTable.envVar]: assignments.tableName },
      logRetention,
      removalPolicy,
      schedule: config.retrainSchedule,
    });

    new CfnOutput(this, 'ApiUrl', { value: api.apiEndpoint });
    new CfnOutput(this, 'ProfilesTableName', { value: profiles.tableName });
    new CfnOutput(this, 'EventsTableName', { value: events.tableName });
    new CfnOutput(this, 'AssignmentsTableName', { value: assignments.tableName });
    new CfnOutput(this, 'DataBucketName', { value: bucket.bucketName });
    new CfnOutput(this, 'RetrainStateMachineArn', { value: retrain.stateMachine.stateMachineArn });
  }
}
