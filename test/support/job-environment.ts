/**
 * The job functions' environment as the stack sets it (the names of shared/contract/environment.ts),
 * pointed at one test file's local service: its tables and bucket on the emulators, and, for the
 * functions that publish, a stub of the EventBridge API. With it a test runs the real handlers of
 * functions/ as Lambda would, through their own composition root (shared/adapters/retrain-ports.ts).
 */
import { afterAll, beforeAll } from 'vitest';
import type { LocalService } from '#local/local-service';
import type { RuntimeConfig } from '#shared/adapters/runtime-config';
import { ENV } from '#shared/contract/environment';
import { type EventBusStub, startEventBusStub } from './event-bus-stub';
import type { ServiceHandle } from './local-service';

export const TEST_EVENT_BUS = 'segmentation-test';

export interface JobSettings {
  /** Pinned clock (NOW). */
  readonly now: string;
  readonly snapshotWorkers?: number;
  readonly clv?: RuntimeConfig['clv'];
  /** Where PutEvents go (EVENTBRIDGE_ENDPOINT, with EVENT_BUS_NAME set to TEST_EVENT_BUS). */
  readonly eventBridgeEndpoint?: string;
}

export const jobEnvironment = (service: LocalService, settings: JobSettings): Record<string, string> => {
  const { config } = service;
  return {
    [ENV.profilesTable]: config.profilesTable,
    [ENV.eventsTable]: config.eventsTable,
    [ENV.assignmentsTable]: config.assignmentsTable ?? '',
    [ENV.dataBucket]: config.dataBucket ?? '',
    [ENV.dynamodbEndpoint]: config.endpoints.dynamodb ?? '',
    [ENV.s3Endpoint]: config.endpoints.s3 ?? '',
    [ENV.awsRegion]: 'us-east-1',
    [ENV.now]: settings.now,
    [ENV.logLevel]: 'warn',
    [ENV.snapshotWorkers]: String(settings.snapshotWorkers ?? 2),
    ...(settings.clv
      ? {
          [ENV.clvTimeUnit]: settings.clv.unit,
          [ENV.clvClusterFeatures]: String(settings.clv.clusterFeatures),
          ...(settings.clv.calibrationDays === null
            ? {}
            : { [ENV.clvCalibrationDays]: String(settings.clv.calibrationDays) }),
        }
      : {}),
    ...(settings.eventBridgeEndpoint
      ? { [ENV.eventBusName]: TEST_EVENT_BUS, [ENV.eventBridgeEndpoint]: settings.eventBridgeEndpoint }
      : {}),
  };
};

/**
 * Registers hooks (after useLocalService's, so the service is up) that set the jobs' environment
 * for this file and restore the previous one afterwards. With `eventBus`, also starts the stub the
 * publishing functions send to; the handle's `bus` is set before the first test runs.
 */
export const useJobEnvironment = (
  svc: ServiceHandle,
  settings: Omit<JobSettings, 'eventBridgeEndpoint'> & { readonly eventBus?: boolean },
): { bus: EventBusStub } => {
  const handle = {} as { bus: EventBusStub };
  const saved = { ...process.env };
  beforeAll(async () => {
    if (settings.eventBus) handle.bus = await startEventBusStub();
    Object.assign(
      process.env,
      jobEnvironment(svc.service, {
        ...settings,
        ...(handle.bus ? { eventBridgeEndpoint: handle.bus.url } : {}),
      }),
    );
  });
  afterAll(async () => {
    process.env = saved;
    await handle.bus?.close();
  });
  return handle;
};
