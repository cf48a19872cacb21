/**
 * The local counterpart of the CDK stack: emulators, tables and bucket from the shared
 * definitions, and the Lambda handlers behind one HTTP server. Used by `npm start` and tests.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createAdminHandler } from '#functions/admin';
import { createIngestHandler } from '#functions/ingest';
import { createReadApiHandler } from '#functions/read-api';
import type { SegmentChangePublisher } from '#shared/activation/ports/segment-change-publisher';
import { PolicyOverrides } from '#shared/activation/usecases/policies/policy-overrides';
import { documentClient } from '#shared/adapters/dynamodb-client';
import { erasePorts } from '#shared/adapters/erase-ports';
import { FilePublisher } from '#shared/adapters/file-publisher';
import { jsonLogger, type LogLevel } from '#shared/adapters/json-logger';
import { type RetrainServicePorts, retrainPorts } from '#shared/adapters/retrain-ports';
import type { RuntimeConfig } from '#shared/adapters/runtime-config';
import { s3Client } from '#shared/adapters/s3-client';
import { type ServicePorts, servicePorts } from '#shared/adapters/service-ports';
import {
  assignmentsTable,
  eventsTable,
  localBucketName,
  localTableName,
  profilesTable,
} from '#shared/contract/tables';
import { staticApiKeys } from '#shared/http/api-keys';
import { defaultIngestConfig } from '#shared/ingestion/usecases/ingest-events/ingest-events';
import { errorFields } from '#shared/kernel/ports/logger';
import type { ErasePorts } from '#shared/privacy/usecases/erase-shopper/erase-shopper';
import { RecommendationIndexCache } from '#shared/recommendations/usecases/read-index/recommendation-index-cache';
import type { RetrainRun } from '#shared/segmentation/domain/segment-model';
import type { DriftCheck } from '#shared/segmentation/usecases/check-drift/check-drift';
import { CurrentModel } from '#shared/segmentation/usecases/models/current-model';
import { ModelRepository } from '#shared/segmentation/usecases/models/model-repository';
import { rescoreShoppers } from '#shared/segmentation/usecases/rescore-shoppers/rescore-shoppers';
import type { RetrainOptions } from '#shared/segmentation/usecases/run-retrain/run-retrain';
import { type Emulators, startEmulators } from './emulators';
import { lambdaHttpBridge } from './lambda-http-bridge';
import { localRetrainRoute } from './local-retrain-route';
import { releaseGate } from './retrain-gate';
import { retrainThread } from './retrain-thread';
import { ensureBucket, ensureTables } from './storage-setup';

export interface LocalServiceOptions {
  /** 0 picks a free port. */
  readonly port?: number;
  /** Keep data on disk here; in memory when absent. */
  readonly dataDir?: string;
  readonly writeKey: string;
  readonly readKey: string;
  readonly adminKey: string;
  /** Pinned clock (ISO date), as the NOW environment variable. */
  readonly now?: string;
  readonly logLevel?: LogLevel;
  readonly logWrite?: (line: string) => void;
  readonly defaultCurrency?: string;
  /** Lets a test wrap the real adapters, e.g. to inject a storage failure between writes. */
  readonly decoratePorts?: (ports: ServicePorts) => ServicePorts;
  /** The same for the admin function's erase adapters. */
  readonly decorateErasePorts?: (ports: Omit<ErasePorts, 'logger'>) => Omit<ErasePorts, 'logger'>;
  /** How long the read API trusts its cached model pointer (the stack uses 10 s). */
  readonly modelCacheMs?: number;
  /** Customer value models: time unit and calibration window (default: days, all history). */
  readonly clv?: RuntimeConfig['clv'];
  /** Lets a test or bench observe every DynamoDB call (e.g. to count requests and capacity). */
  readonly instrumentDynamo?: (client: DynamoDBDocumentClient) => void;
  /**
   * Tests only: a retrainGate() flag. An armed gate holds the next retrain or drift check at its
   * start, in the thread that runs it, until the test releases it.
   */
  readonly retrainGate?: Int32Array;
}

export interface LocalService {
  readonly url: string;
  /**
   * Runs a retrain now (one at a time): the local stand-in for the scheduled Step Functions job.
   * It runs in a worker thread; its storage calls come back to `retrainPorts`.
   */
  retrain(trigger?: RetrainRun['trigger'], options?: Partial<RetrainOptions>): Promise<RetrainRun>;
  readonly retrainPorts: RetrainServicePorts & { readonly publisher: SegmentChangePublisher };
  /** Snapshot now and retrain early if the population drifted from the current model's (in the worker too). */
  checkDrift(): Promise<DriftCheck>;
  readonly config: RuntimeConfig;
  readonly ports: ServicePorts;
  readonly emulators: Emulators;
  /** Resolves when every background re-score started so far has finished. */
  settled(): Promise<void>;
  /** Where segment change events go locally (the stack's event bus). */
  readonly eventsFile: string;
  close(): Promise<void>;
}

export const startLocalService = async (options: LocalServiceOptions): Promise<LocalService> => {
  // In-memory runs still need folders (s3rver stores on disk): one private folder per service.
  const baseDir =
    options.dataDir ??
    join(tmpdir(), `seg-local-${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2)}`);
  const s3Dir = join(baseDir, 's3');
  const eventsFile = join(baseDir, 'events', 'segment-changes.jsonl');
  const emulators = await startEmulators({ ...(options.dataDir ? { dataDir: options.dataDir } : {}), s3Dir });
  const config: RuntimeConfig = {
    profilesTable: localTableName(profilesTable),
    eventsTable: localTableName(eventsTable),
    assignmentsTable: localTableName(assignmentsTable),
    dataBucket: localBucketName,
    writeKey: options.writeKey,
    readKey: options.readKey,
    adminKey: options.adminKey,
    keySecrets: {},
    eventRetentionDays: 400,
    defaultCurrency: options.defaultCurrency ?? 'USD',
    maxFutureMs: 24 * 3_600_000,
    now: options.now,
    clv: options.clv ?? { unit: 'day', calibrationDays: null, clusterFeatures: true },
    logLevel: options.logLevel,
    endpoints: { dynamodb: emulators.dynamodbEndpoint, s3: emulators.s3Endpoint, region: 'us-east-1' },
  };
  const dynamo = new DynamoDBClient({
    endpoint: emulators.dynamodbEndpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  await ensureTables(dynamo, [
    { def: profilesTable, name: config.profilesTable },
    { def: eventsTable, name: config.eventsTable },
    { def: assignmentsTable, name: localTableName(assignmentsTable) },
  ]);
  dynamo.destroy();
  const s3 = s3Client(config.endpoints);
  await ensureBucket(s3, localBucketName);

  const client = documentClient(config.endpoints);
  options.instrumentDynamo?.(client);
  const basePorts = servicePorts(config, 'local', client);
  const logger = jsonLogger({
    service: 'local',
    level: options.logLevel ?? 'info',
    ...(options.logWrite ? { write: options.logWrite } : {}),
  });
  const ports = (options.decoratePorts ?? ((p) => p))({ ...basePorts, logger });
  const jobs = retrainPorts(config, 'retrain', client, s3);
  const models = new ModelRepository(jobs.objects);
  const publisher = new FilePublisher(eventsFile);
  const jobPorts = { ...jobs, publisher, logger: ports.logger.child({ function: 'retrain' }) };
  const currentModel = new CurrentModel(models, options.modelCacheMs ?? 1_000);
  // The local stand-in for the profiles table's stream: re-score after the ingest has answered.
  const rescoreLogger = ports.logger.child({ function: 'rescore' });
  const pendingRescores = new Set<Promise<unknown>>();
  const onProfilesChanged = (shopperIds: readonly string[]) => {
    const work = rescoreShoppers(shopperIds, {
      ...ports,
      logger: rescoreLogger,
      model: currentModel,
      assignments: jobs.assignments,
      publisher,
    })
      .catch((error: Error) => rescoreLogger.error('re-score failed', errorFields(error)))
      .finally(() => pendingRescores.delete(work));
    pendingRescores.add(work);
  };
  const handlers = {
    ingest: createIngestHandler({
      ports: { ...ports, logger: ports.logger.child({ function: 'ingest' }) },
      keys: staticApiKeys({ write: options.writeKey }),
      config: {
        ...defaultIngestConfig,
        defaultCurrency: config.defaultCurrency,
        maxFutureMs: config.maxFutureMs,
      },
      onProfilesChanged,
    }),
    readApi: createReadApiHandler({
      ports: { ...ports, logger: ports.logger.child({ function: 'read-api' }) },
      keys: staticApiKeys({ read: options.readKey, admin: options.adminKey }),
      models,
      currentModel,
      assignments: jobs.assignments,
      publisher,
      policies: new PolicyOverrides(jobs.objects, options.modelCacheMs ?? 1_000),
      recommendationIndex: new RecommendationIndexCache(models, options.modelCacheMs ?? 1_000),
    }),
    admin: createAdminHandler({
      erase: (options.decorateErasePorts ?? ((p) => p))(erasePorts(config, client, ports.clock)),
      keys: staticApiKeys({ admin: options.adminKey }),
      logger: ports.logger.child({ function: 'admin' }),
    }),
  };

  const jobsThread = retrainThread(jobPorts, {
    ...(config.now ? { now: config.now } : {}),
    ...(options.retrainGate ? { gate: options.retrainGate } : {}),
  });
  let running: Promise<unknown> | undefined;
  let runs = 0;
  /** One job at a time, as the stack's state machine runs one execution at a time. */
  const exclusive = async <T>(job: () => Promise<T>): Promise<T> => {
    while (running) await running.catch(() => undefined);
    const current = job();
    running = current;
    try {
      return await current;
    } finally {
      running = undefined;
    }
  };
  const retrain = async (
    trigger: RetrainRun['trigger'] = 'manual',
    extra: Partial<RetrainOptions> = {},
  ): Promise<RetrainRun> =>
    exclusive(() =>
      jobsThread.retrain({
        trigger,
        runSuffix: `${Date.now().toString(36)}${(runs++).toString(36)}`,
        workers: 2,
        clv: config.clv,
        ...extra,
      }),
    );
  const bridge = lambdaHttpBridge(handlers);
  const server: Server = createServer((req, res) => {
    if (req.url === '/local/retrain' && req.method === 'POST')
      return void localRetrainRoute(req, res, config.adminKey ?? '', retrain);
    void bridge(req, res);
  });
  // Never close a kept-alive connection on an idle timer: a client may be sending on it at that
  // very moment, and its request is then lost ("other side closed"). The client, which knows
  // when it sends, closes its idle connections; close() below ends the rest.
  server.keepAliveTimeout = 0;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    retrain,
    retrainPorts: jobPorts,
    eventsFile,
    settled: async () => {
      await Promise.all(pendingRescores);
    },
    checkDrift: () =>
      exclusive(() =>
        jobsThread.checkDrift({
          runSuffix: `${Date.now().toString(36)}${(runs++).toString(36)}`,
          workers: 2,
        }),
      ),
    config,
    ports,
    emulators,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      // A run a test left held would otherwise wait out the gate's timeout.
      if (options.retrainGate) releaseGate(options.retrainGate);
      while (running) await running.catch(() => undefined);
      await jobsThread.close();
      await Promise.all(pendingRescores);
      client.destroy();
      s3.destroy();
      await emulators.close();
    },
  };
};
