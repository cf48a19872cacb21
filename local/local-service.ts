/**
 * The local counterpart of the CDK stack: emulators, tables and bucket from the shared
 * definitions, and the Lambda handlers behind one HTTP server. Used by `npm start` and tests.
 */

import { rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { DynamoDBStreamEvent } from 'aws-lambda';
import { adminDependencies, createAdminHandler } from '#functions/admin';
import { createIngestHandler, ingestDependencies } from '#functions/ingest';
import { createReadApiHandler, readApiDependencies } from '#functions/read-api';
import { createRescoreHandler } from '#functions/rescore';
import type { PolicyAlertPublisher } from '#shared/activation/ports/policy-alert-publisher';
import type { SegmentChangePublisher } from '#shared/activation/ports/segment-change-publisher';
import { documentClient } from '#shared/adapters/dynamodb-client';
import { FilePublisher } from '#shared/adapters/file-publisher';
import { jsonLogger, type LogLevel } from '#shared/adapters/json-logger';
import { type RetrainServicePorts, retrainPorts } from '#shared/adapters/retrain-ports';
import type { RuntimeConfig } from '#shared/adapters/runtime-config';
import { s3Client } from '#shared/adapters/s3-client';
import { type ServicePorts, servicePorts } from '#shared/adapters/service-ports';
import type { BrowserKeys } from '#shared/contract/browser-keys';
import {
  assignmentsTable,
  eventsTable,
  localBucketName,
  localTableName,
  profilesTable,
} from '#shared/contract/tables';
import { errorFields } from '#shared/kernel/ports/logger';
import type { ErasePorts } from '#shared/privacy/usecases/erase-shopper/erase-shopper';
import type { RetrainRun, TrainingConfig } from '#shared/segmentation/domain/segment-model';
import {
  DEFAULT_RETRAIN_SETTINGS,
  type RetrainSettings,
} from '#shared/segmentation/usecases/run-retrain/retrain-settings';
import type { SnapshotRef } from '#shared/segmentation/usecases/take-snapshot/snapshot-layout';
import { dashboardDir, dashboardRoute, isDashboardPath } from './dashboard-route';
import { type Emulators, startEmulators } from './emulators';
import { lambdaHttpBridge } from './lambda-http-bridge';
import { localRetrainRoute } from './local-retrain-route';
import { releaseGate } from './retrain-gate';
import { countedRetrain, retrainCounter, retrainsRunning } from './retrain-jobs';
import { type DriftCheck, skippedDriftCheck } from './retrain-pipeline';
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
  /** Browser write keys and the origins each may send from (BROWSER_KEYS): none by default. */
  readonly browserKeys?: BrowserKeys;
  /** Where browsers reach the service (PUBLIC_API_URL); unset: the host each request was sent to. */
  readonly publicApiUrl?: string;
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
  /**
   * The retrain jobs' settings, the retrain's limits, as the stack sets them in the job functions'
   * environment and in its maps' MaxConcurrency (`npm start` reads them from the same variables:
   * retrainSettingsFromEnv); defaults as in the stack (shared/contract/retrain-limits.ts), except
   * 2 snapshot workers. For tests also the training configuration (default: the service's).
   */
  readonly retrain?: Partial<RetrainSettings> & { readonly training?: TrainingConfig };
}

export interface LocalService {
  readonly url: string;
  /** Where the marketers' dashboard is served (built on its first request). */
  readonly dashboardUrl: string;
  /** Builds the dashboard now instead of on its first request. */
  prepareDashboard(): Promise<void>;
  /**
   * Runs a retrain now (one at a time): the local stand-in for starting the retrain state machine
   * with {trigger, snapshot?}. Its job handlers run in a worker thread, in the state machine's
   * order (local/retrain-pipeline.ts); their storage calls come back to `retrainPorts`. Answers
   * the run as its last step recorded it.
   */
  retrain(trigger?: RetrainRun['trigger'], snapshot?: SnapshotRef): Promise<RetrainRun>;
  readonly retrainPorts: RetrainServicePorts & {
    readonly publisher: SegmentChangePublisher & PolicyAlertPublisher;
  };
  /**
   * The drift check state machine's steps, in the worker too: snapshot, measure and, when the
   * population drifted from the current model's, the retrain on that snapshot (waited for).
   * Skipped, as in the stack, while a retrain is asked for or running.
   */
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

/** What the profiles table's stream (keys only) hands the rescore function for these shoppers. */
const streamBatchOf = (shopperIds: readonly string[]): DynamoDBStreamEvent => ({
  Records: shopperIds.map((id) => ({ eventName: 'MODIFY', dynamodb: { Keys: { pk: { S: id } } } })),
});

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
    browserKeys: options.browserKeys ?? {},
    publicApiUrl: options.publicApiUrl,
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
  const publisher = new FilePublisher(eventsFile);
  const jobPorts = { ...jobs, publisher, logger: ports.logger.child({ function: 'retrain' }) };
  // The stack's functions, built by their own dependency builders: only the endpoints, the keys
  // (fixed, from the options) and the publisher (a file for the event bus) are local.
  const readApiDeps = readApiDependencies({
    config,
    client,
    objects: jobs.objects,
    ports: { ...ports, logger: ports.logger.child({ function: 'read-api' }) },
    publisher,
    cacheMs: options.modelCacheMs ?? 1_000,
  });
  const { currentModel } = readApiDeps;
  // The local stand-in for the profiles table's stream: the rescore function, with the changed
  // keys as a stream batch, after the ingest has answered.
  const rescoreLogger = ports.logger.child({ function: 'rescore' });
  const rescore = createRescoreHandler({
    ports: { ...ports, logger: rescoreLogger, model: currentModel, assignments: jobs.assignments, publisher },
  });
  const pendingRescores = new Set<Promise<unknown>>();
  const onProfilesChanged = (shopperIds: readonly string[]) => {
    const work = rescore(streamBatchOf(shopperIds))
      .catch((error: Error) => rescoreLogger.error('re-score failed', errorFields(error)))
      .finally(() => pendingRescores.delete(work));
    pendingRescores.add(work);
  };
  const adminDeps = adminDependencies(config, {
    client,
    clock: ports.clock,
    logger: ports.logger.child({ function: 'admin' }),
  });
  const handlers = {
    ingest: createIngestHandler(
      ingestDependencies(
        config,
        { ...ports, logger: ports.logger.child({ function: 'ingest' }) },
        onProfilesChanged,
      ),
    ),
    readApi: createReadApiHandler(readApiDeps),
    admin: createAdminHandler({
      ...adminDeps,
      erase: (options.decorateErasePorts ?? ((p) => p))(adminDeps.erase),
    }),
  };

  const retrains = retrainCounter();
  const jobsThread = retrainThread(jobPorts, {
    jobs: {
      ...DEFAULT_RETRAIN_SETTINGS,
      snapshotWorkers: 2,
      ...options.retrain,
      clv: config.clv,
    },
    retrains,
    ...(config.now ? { now: config.now } : {}),
    ...(options.retrainGate ? { gate: options.retrainGate } : {}),
  });
  let running: Promise<unknown> | undefined;
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
  // Counted from the moment it is asked for: a drift check asked meanwhile is skipped.
  const retrain = (trigger: RetrainRun['trigger'] = 'manual', snapshot?: SnapshotRef) =>
    countedRetrain(retrains, () =>
      exclusive(() => jobsThread.retrain({ trigger, ...(snapshot ? { snapshot } : {}) })),
    );
  // The drift check's "Retrain running?": a retrain asked for or running ends it at once.
  const checkDrift = async (): Promise<DriftCheck> =>
    retrainsRunning(retrains) ? skippedDriftCheck() : exclusive(() => jobsThread.checkDrift());
  const bridge = lambdaHttpBridge(handlers);
  // The marketers' dashboard, same origin as the API: built on its first request.
  const dashboard = dashboardRoute(dashboardDir(baseDir));
  const server: Server = createServer((req, res) => {
    if (req.url === '/local/retrain' && req.method === 'POST')
      return void localRetrainRoute(req, res, config.adminKey ?? '', retrain);
    if (isDashboardPath(req.url)) return void dashboard.handle(req, res);
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
    dashboardUrl: `http://127.0.0.1:${port}/dashboard/`,
    prepareDashboard: dashboard.prepare,
    retrain,
    retrainPorts: jobPorts,
    eventsFile,
    settled: async () => {
      await Promise.all(pendingRescores);
    },
    checkDrift,
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
      // The private folder made above is the service's alone: nothing in it outlives the service.
      if (!options.dataDir) await rm(baseDir, { recursive: true, force: true });
    },
  };
};
