/**
 * Lambda `ingest`: the Segment HTTP Tracking API (POST /v1/batch, /v1/track, /v1/identify,
 * /v1/page, /v1/screen, /v1/group, /v1/alias, and the browser SDKs' paths) and the settings the
 * browser SDKs load: the HTTP edge (shared/http/edge.ts) checks the write key and its origin and
 * decodes the body; shared/http/routes/ingestion-routes.ts ingests and answers,
 * shared/http/routes/browser-settings-routes.ts serves the settings.
 */
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { apiKeysFromConfig } from '#shared/adapters/api-keys-from-config';
import { type RuntimeConfig, runtimeConfigFromEnv } from '#shared/adapters/runtime-config';
import { type ServicePorts, servicePorts } from '#shared/adapters/service-ports';
import { functionKeyRoles } from '#shared/contract/routes';
import type { ApiKeys } from '#shared/http/api-keys';
import { type BrowserOrigins, browserOrigins } from '#shared/http/browser-origins';
import { httpHandler } from '#shared/http/edge';
import type { HttpResponse } from '#shared/http/responses';
import { type BrowserSettingsDeps, browserSettingsRoutes } from '#shared/http/routes/browser-settings-routes';
import { type IngestionRouteDeps, ingestionRoutes } from '#shared/http/routes/ingestion-routes';
import { defaultIngestConfig } from '#shared/ingestion/usecases/ingest-events/ingest-events';

export { MAX_BATCH_BYTES, MAX_BATCH_EVENTS, MAX_EVENT_BYTES } from '#shared/http/routes/ingestion-routes';

export interface IngestHandlerDeps extends IngestionRouteDeps, BrowserSettingsDeps {
  readonly ports: ServicePorts;
  readonly keys: ApiKeys;
  readonly browser: BrowserOrigins;
}

export const createIngestHandler = (deps: IngestHandlerDeps) =>
  httpHandler({
    fn: 'ingest',
    routes: { ...ingestionRoutes(deps), ...browserSettingsRoutes(deps) },
    keys: deps.keys,
    browser: deps.browser,
    logger: deps.ports.logger,
  });

/** The function's dependencies from a runtime's configuration and ports: the Lambda's and the local server's. */
export const ingestDependencies = (
  config: RuntimeConfig,
  ports: ServicePorts,
  onProfilesChanged?: IngestionRouteDeps['onProfilesChanged'],
): IngestHandlerDeps => ({
  ports,
  keys: apiKeysFromConfig(config, functionKeyRoles.ingest),
  browser: browserOrigins(config.browserKeys),
  publicApiUrl: config.publicApiUrl,
  config: {
    ...defaultIngestConfig,
    defaultCurrency: config.defaultCurrency,
    maxFutureMs: config.maxFutureMs,
  },
  ...(onProfilesChanged ? { onProfilesChanged } : {}),
});

let cached: ReturnType<typeof createIngestHandler> | undefined;

export const handler = (event: APIGatewayProxyEventV2): Promise<HttpResponse> => {
  if (!cached) {
    const config = runtimeConfigFromEnv();
    cached = createIngestHandler(ingestDependencies(config, servicePorts(config, 'ingest')));
  }
  return cached(event);
};
