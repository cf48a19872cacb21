import { CfnOutput, Duration, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import { HttpApi, HttpMethod, HttpStage, LogGroupLogDestination } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as eventbridge from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import { StartingPosition } from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource, SqsDlq } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import {
  assignmentsTable,
  BUCKET_PREFIXES,
  byExposureIndex,
  bySegmentIndex,
  dataBucket,
  ENV,
  eventsTable,
  type FunctionName,
  functionKeyRoles,
  preflightRoutes,
  profilesTable,
  routes,
} from '#shared/contract/index';
import { ApiKeySecrets } from './api-key-secrets';
import { isProd, resolveConfig, type SegmentationConfig, type SegmentationConfigOverrides } from './config';
import { DashboardHosting } from './dashboard-hosting';
import { DriftCheck } from './drift-check';
import { createHandlerFunction } from './handler-function';
import { acknowledgeNagFindings } from './nag-acknowledgements';
import { Observability } from './observability';
import { Retrain } from './retrain';
import { createDataBucket, createTable } from './storage';

export interface SegmentationStackProps extends StackProps {
  /** Overrides for settings otherwise read from CDK context (stage, eventRetentionDays, retrainSchedule, retrainLimits, …). */
  readonly config?: SegmentationConfigOverrides;
}

// Key prefixes the read API reads in the data bucket.
const { models: MODELS, runs: RUNS, policies: POLICIES } = BUCKET_PREFIXES;

/**
 * Segment-compatible ingestion and the profile read API, with their tables and data bucket,
 * the bus its "Segment Changed" events go to, and the scheduled retrain pipeline (with a drift
 * check that retrains early) that keeps the shoppers' segments current.
 */
export class SegmentationStack extends Stack {
  readonly config: SegmentationConfig;
  /** Receives "Segment Changed" events (source `segmentation.service`) when a lookup moves a shopper. */
  readonly eventBus: eventbridge.EventBus;

  constructor(scope: Construct, id: string, props: SegmentationStackProps = {}) {
    super(scope, id, props);
    const config = resolveConfig(this.node, props.config);
    this.config = config;
    const prod = isProd(config);

    // Keys only: the rescore function reads the current profile itself.
    const profiles = createTable(this, profilesTable, prod, dynamodb.StreamViewType.KEYS_ONLY);
    const events = createTable(this, eventsTable, prod);
    const assignments = createTable(this, assignmentsTable, prod);
    const bucket = createDataBucket(this, dataBucket.id, prod, config.snapshotRetentionDays);
    const bus = new eventbridge.EventBus(this, 'SegmentEvents', {
      eventBusName: `segmentation-${config.stage}`,
      description: `"Segment Changed" events of the segmentation service (${config.stage})`,
    });
    this.eventBus = bus;

    const environment = {
      [profilesTable.envVar]: profiles.tableName,
      [eventsTable.envVar]: events.tableName,
      [dataBucket.envVar]: bucket.bucketName,
      [ENV.eventRetentionDays]: String(config.eventRetentionDays),
    };
    const logRetention = logs.RetentionDays.ONE_MONTH;
    const removalPolicy = prod ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;
    const common = { environment, logRetention, removalPolicy };

    const apiKeys = new ApiKeySecrets(this, 'ApiKeys', { stage: config.stage, removalPolicy });
    const ingest = createHandlerFunction(this, 'Ingest', {
      ...common,
      // Browser keys are not secrets (every shop page holds one): plain configuration.
      environment: { ...environment, [ENV.browserKeys]: JSON.stringify(config.browserKeys) },
      entry: 'functions/ingest.ts',
      description: 'Segment HTTP Tracking API ingestion',
      // Batches of up to 500 KB are parsed and fanned out to DynamoDB; more memory also buys CPU.
      memorySize: 512,
      timeout: Duration.seconds(15),
    });
    // A lookup or a re-score that moves a shopper records the change and announces it on the bus.
    const movingEnvironment = {
      ...environment,
      [assignmentsTable.envVar]: assignments.tableName,
      [ENV.eventBusName]: bus.eventBusName,
    };
    const readApi = createHandlerFunction(this, 'ReadApi', {
      ...common,
      environment: movingEnvironment,
      entry: 'functions/read-api.ts',
      description: 'Shopper profile read API',
      memorySize: 256,
      // A lookup may record a change and publish it; /v1/models reads every run record.
      timeout: Duration.seconds(10),
    });

    // Exactly what the ingest use case calls: consistent reads for dedupe, a conditional
    // profile put, batched ledger writes. No Scan or Delete.
    // On the table only (Table.grant would add its indexes too).
    ingest.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['dynamodb:GetItem', 'dynamodb:PutItem'],
        resources: [profiles.tableArn],
      }),
    );
    events.grant(ingest, 'dynamodb:BatchGetItem', 'dynamodb:BatchWriteItem');
    this.grantReadApi(readApi, { profiles, assignments, bucket, bus });
    // Policy lift (shared/activation/usecases/lift/segment-lift.ts): a lookup records a shopper's
    // first exposure to a holdout policy (one conditional PutItem); the report lists a version's
    // exposures from the sparse index and reads their profiles in batches.
    readApi.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['dynamodb:PutItem'],
        resources: [assignments.tableArn],
      }),
    );
    readApi.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['dynamodb:Query'],
        resources: [`${assignments.tableArn}/index/${byExposureIndex.name}`],
      }),
    );
    readApi.addToRolePolicy(
      new iam.PolicyStatement({ actions: ['dynamodb:BatchGetItem'], resources: [profiles.tableArn] }),
    );
    // Each request function reads only the keys it checks: the read API never sees the write key.
    apiKeys.grant(ingest, functionKeyRoles.ingest);
    apiKeys.grant(readApi, functionKeyRoles.readApi);
    // Operators' segment policies (shared/activation/usecases/policies/policy-overrides.ts): only the read API
    // serves and edits them, so only it may touch that prefix.
    readApi.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject'],
        resources: [bucket.arnForObjects(`${POLICIES}*`)],
      }),
    );

    // Erasure (DELETE /v1/users/{userId}) gets a function of its own: the only one allowed to
    // delete shoppers' data, and the only one besides the read API that checks the admin key.
    const admin = createHandlerFunction(this, 'Admin', {
      ...common,
      environment: { ...environment, [assignmentsTable.envVar]: assignments.tableName },
      entry: 'functions/admin.ts',
      description: 'Erases a shopper (admin): profile, raw events, segment history',
      memorySize: 256,
      // A heavy shopper's ledger is deleted in pages of 25 keys, 8 requests at a time.
      timeout: Duration.seconds(30),
    });
    // Exactly the calls of shared/privacy/usecases/erase-shopper/erase-shopper.ts, on the tables only (not their indexes).
    admin.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['dynamodb:GetItem', 'dynamodb:DeleteItem'],
        resources: [profiles.tableArn],
      }),
    );
    admin.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['dynamodb:Query', 'dynamodb:BatchWriteItem'],
        resources: [events.tableArn, assignments.tableArn],
      }),
    );
    apiKeys.grant(admin, functionKeyRoles.admin);

    // Re-scores shoppers right after their profile changes, so a "Segment Changed" event follows
    // the behaviour within seconds. Ingest itself never reads models.
    const rescore = createHandlerFunction(this, 'Rescore', {
      ...common,
      environment: movingEnvironment,
      entry: 'functions/rescore.ts',
      description: 'Re-scores shoppers whose profiles changed (profiles stream)',
      memorySize: 512,
      timeout: Duration.seconds(30),
    });
    const rescoreFailures = new sqs.Queue(this, 'RescoreFailures', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    rescore.addEventSource(
      new DynamoEventSource(profiles, {
        startingPosition: StartingPosition.LATEST,
        batchSize: 100,
        maxBatchingWindow: Duration.seconds(1),
        retryAttempts: 3,
        bisectBatchOnError: true,
        onFailure: new SqsDlq(rescoreFailures),
      }),
    );
    // The same calls as a lookup that moves a shopper: profile read and stamp, history, model, bus.
    this.grantReadApi(rescore, { profiles, assignments, bucket, bus });

    const api = new HttpApi(this, 'Api', {
      description: `Segmentation service (${config.stage})`,
      // No corsPreflight: API Gateway would answer every preflight itself and replace the
      // functions' CORS headers, while a browser key's origins are the ingest function's to check.
      // OPTIONS goes to the functions (routes below).
      // The stage is made below, with access logs and throttling.
      createDefaultStage: false,
    });
    const accessLogs = new logs.LogGroup(this, 'ApiAccessLogs', { retention: logRetention, removalPolicy });
    new HttpStage(this, 'ApiStage', {
      httpApi: api,
      stageName: '$default',
      autoDeploy: true,
      throttle: config.throttle,
      accessLogSettings: {
        destination: new LogGroupLogDestination(accessLogs),
        // The route key, not the path: paths hold shopper ids, which stay out of the logs.
        format: AccessLogFormat.custom(
          JSON.stringify({
            requestId: '$context.requestId',
            time: '$context.requestTime',
            routeKey: '$context.routeKey',
            status: '$context.status',
            latencyMs: '$context.responseLatency',
            integrationLatencyMs: '$context.integrationLatency',
            integrationError: '$context.integrationErrorMessage',
            responseLength: '$context.responseLength',
            sourceIp: '$context.identity.sourceIp',
          }),
        ),
      },
    });

    // Routes come from the same table the local server dispatches with.
    const integrations: Record<FunctionName, HttpLambdaIntegration> = {
      ingest: new HttpLambdaIntegration('IngestIntegration', ingest),
      readApi: new HttpLambdaIntegration('ReadApiIntegration', readApi),
      admin: new HttpLambdaIntegration('AdminIntegration', admin),
    };
    for (const route of routes) {
      api.addRoutes({
        path: route.path,
        methods: [HttpMethod[route.method]],
        integration: integrations[route.fn],
      });
    }
    for (const route of preflightRoutes) {
      api.addRoutes({ path: route.path, methods: [HttpMethod.OPTIONS], integration: integrations[route.fn] });
    }
    // The browser SDKs' settings point them here; the ingest function cannot otherwise tell a
    // forwarded host from a forged one.
    ingest.addEnvironment(ENV.publicApiUrl, config.publicApiUrl ?? api.apiEndpoint);

    // The jobs serve no requests, so they get no API keys.
    const jobEnvironment = {
      ...environment,
      [assignmentsTable.envVar]: assignments.tableName,
      [ENV.clvTimeUnit]: config.clvTimeUnit,
      [ENV.clvClusterFeatures]: String(config.clvClusterFeatures),
      ...(config.clvCalibrationDays ? { [ENV.clvCalibrationDays]: String(config.clvCalibrationDays) } : {}),
    };
    const retrain = new Retrain(this, 'Retrain', {
      profiles,
      bus,
      assignments,
      bucket,
      environment: jobEnvironment,
      logRetention,
      removalPolicy,
      schedule: config.retrainSchedule,
      limits: config.retrainLimits,
    });
    const driftCheck = new DriftCheck(this, 'DriftCheck', {
      retrain,
      bucket,
      environment: jobEnvironment,
      logRetention,
      removalPolicy,
      schedule: config.driftCheckSchedule,
      limits: config.retrainLimits,
    });

    // Every function of the service, by the name alarms, the dashboard and acknowledgements use.
    const functions = {
      Ingest: ingest,
      ReadApi: readApi,
      Admin: admin,
      Rescore: rescore,
      RetrainPlan: retrain.planFunction,
      RetrainSnapshot: retrain.snapshotFunction,
      RetrainAssemble: retrain.assembleFunction,
      RetrainTrain: retrain.trainFunction,
      RetrainIndex: retrain.indexFunction,
      RetrainPromote: retrain.promoteFunction,
      RetrainAssign: retrain.assignFunction,
      RetrainRecord: retrain.recordFunction,
      RetrainDrift: driftCheck.function,
    };
    const observability = new Observability(this, 'Observability', {
      stage: config.stage,
      api,
      functions,
      deadLetterQueues: { Rescore: rescoreFailures },
      tables: { Profiles: profiles, Events: events, Assignments: assignments },
      retrainStateMachine: retrain.stateMachine,
      trainLogGroup: retrain.trainFunction.logGroup,
      modelMaxAgeDays: config.modelMaxAgeDays,
      ...(config.alarmEmail ? { alarmEmail: config.alarmEmail } : {}),
      extraAlarms: [...retrain.alarms, ...driftCheck.alarms],
    });

    acknowledgeNagFindings({
      api,
      bucket,
      profiles,
      apiKeys,
      functions,
      rescore,
      deadLetterQueues: [rescoreFailures, retrain.deadLetterQueue],
      retrain,
      driftCheck,
    });

    // The marketers' dashboard (dashboard/), calling this API with the key it is opened with.
    const dashboard = new DashboardHosting(this, 'Dashboard', {
      apiUrl: config.publicApiUrl ?? api.apiEndpoint,
      prod,
    });

    new CfnOutput(this, 'ApiUrl', { value: api.apiEndpoint });
    new CfnOutput(this, 'SegmentsDashboardUrl', {
      value: `${dashboard.url}/`,
      description: "The marketers' dashboard: open it with #key=<read or admin key>",
    });
    new CfnOutput(this, 'AlarmTopicArn', { value: observability.topic.topicArn });
    new CfnOutput(this, 'DashboardName', { value: observability.dashboard.dashboardName });
    new CfnOutput(this, 'ProfilesTableName', { value: profiles.tableName });
    new CfnOutput(this, 'EventsTableName', { value: events.tableName });
    new CfnOutput(this, 'AssignmentsTableName', { value: assignments.tableName });
    new CfnOutput(this, 'DataBucketName', { value: bucket.bucketName });
    new CfnOutput(this, 'EventBusName', { value: bus.eventBusName });
    new CfnOutput(this, 'EventBusArn', { value: bus.eventBusArn });
    new CfnOutput(this, 'RetrainStateMachineArn', { value: retrain.stateMachine.stateMachineArn });
    new CfnOutput(this, 'DriftCheckStateMachineArn', { value: driftCheck.stateMachine.stateMachineArn });
  }

  /**
   * Exactly the calls the read API makes: profile reads and the segment stamp, member exports
   * from the bySegment index, history reads and writes, model and run reads, and "Segment
   * Changed" events on this bus. Nothing on the raw events table; no profile put or delete; no
   * S3 write.
   */
  private grantReadApi(fn: NodejsFunction, { profiles, assignments, bucket, bus }: ReadApiResources): void {
    fn.addToRolePolicy(
      new iam.PolicyStatement({
        // GetItem for the profile; UpdateItem for the conditional `SET segment, segmentId ADD v` stamp.
        actions: ['dynamodb:GetItem', 'dynamodb:UpdateItem'],
        resources: [profiles.tableArn],
      }),
    );
    fn.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['dynamodb:Query'],
        resources: [`${profiles.tableArn}/index/${bySegmentIndex.name}`],
      }),
    );
    fn.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['dynamodb:Query', 'dynamodb:BatchWriteItem'],
        resources: [assignments.tableArn],
      }),
    );
    fn.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['s3:GetObject'],
        resources: [MODELS, RUNS].map((prefix) => bucket.arnForObjects(`${prefix}*`)),
      }),
    );
    // The code lists runs/. No s3:prefix condition on purpose (as for the retrain train function):
    // S3 answers a GetObject of a missing key with NoSuchKey only when the caller may ListBucket,
    // and that implicit check carries no s3:prefix, so a condition would turn "no model yet"
    // (models/current.json before the first promotion) and an unknown /v1/models/{version} into
    // AccessDenied, i.e. 500s instead of 503/404. Listing reveals only key names of this bucket.
    fn.addToRolePolicy(
      new iam.PolicyStatement({ actions: ['s3:ListBucket'], resources: [bucket.bucketArn] }),
    );
    bus.grantPutEventsTo(fn);
  }
}

interface ReadApiResources {
  readonly profiles: dynamodb.ITable;
  readonly assignments: dynamodb.ITable;
  readonly bucket: s3.IBucket;
  readonly bus: eventbridge.IEventBus;
}
