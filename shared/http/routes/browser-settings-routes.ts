/**
 * What the browser SDKs load before they send (function `ingest`): analytics-next's settings
 * (its "CDN" settings, fetched from `<cdnURL>/v1/projects/<writeKey>/settings`) and RudderStack
 * JS v3's source config (`<configUrl>/sourceConfig/?writeKey=…`). Each is the least its SDK needs
 * to boot and send every event here: no device-mode destinations, no remote plugins or
 * middleware, no metrics. The edge has checked the write key in the URL and the Origin.
 */
import * as z from 'zod';
import type { RouteHandlers } from '../edge';
import { badRequest } from '../errors';
import { json } from '../responses';

export interface BrowserSettingsDeps {
  /** Where browsers reach the service; unset: the host the request was sent to. */
  readonly publicApiUrl: string | undefined;
}

/** Both SDKs fetch their settings on every page load; the settings change only with a deployment. */
const CACHE_CONTROL = 'public, max-age=300';

/** A host name or IP literal with an optional port: what may go into the settings as apiHost. */
const hostSchema = z.string().regex(/^(?:[a-z0-9-]+(?:\.[a-z0-9-]+)*|\[[0-9a-f:.]+\])(?::\d{1,5})?$/i, {
  error: 'the Host (or X-Forwarded-Host) header is not a host name',
});

/** A proxy chain's headers hold one value per hop; the first is what the browser used. */
const firstHop = (value: string | undefined) => value?.split(',')[0]?.trim() || undefined;

interface PublicBase {
  readonly protocol: 'http' | 'https';
  /** Host and base path, no scheme: analytics-next's apiHost is `<this>/v1`. */
  readonly host: string;
}

/**
 * The configured URL when there is one (the stack's: a client's X-Forwarded-Host cannot steer it),
 * else the host the browser sent the request to, behind a proxy the one it names.
 */
const publicBase = (
  configured: string | undefined,
  headers: Readonly<Record<string, string | undefined>>,
) => {
  if (configured) {
    const url = new URL(configured);
    return {
      protocol: url.protocol === 'http:' ? 'http' : 'https',
      host: `${url.host}${url.pathname.replace(/\/+$/, '')}`,
    } satisfies PublicBase;
  }
  const host = hostSchema.safeParse(firstHop(headers['x-forwarded-host']) ?? headers.host ?? '');
  if (!host.success) throw badRequest(host.error.issues[0]?.message ?? 'no Host header', 'host');
  // API Gateway sets X-Forwarded-Proto; so does the local bridge, as http.
  const protocol = firstHop(headers['x-forwarded-proto']) === 'http' ? 'http' : 'https';
  return { protocol, host: host.data } satisfies PublicBase;
};

const segmentSettings = (writeKey: string, base: PublicBase) => ({
  integrations: {
    // The only integration: analytics-next loads no other destination and sends events here.
    'Segment.io': {
      apiKey: writeKey,
      apiHost: `${base.host}/v1`,
      protocol: base.protocol,
      unbundledIntegrations: [],
      addBundledMetadata: true,
      maybeBundledConfigIds: {},
    },
  },
  plan: {},
  middlewareSettings: {},
  enabledMiddleware: {},
  remotePlugins: [],
  legacyVideoPluginsEnabled: false,
  // Segment's metrics endpoint is not this service.
  metrics: { sampleRate: 0 },
});

/** What RudderStack's config manager checks: a source with an id, a config object and destinations. */
const rudderStackSourceConfig = () => ({
  source: {
    id: 'segmentation-service',
    name: 'Segmentation service',
    enabled: true,
    // No statsCollection: the SDK reports no errors or metrics.
    config: {},
    destinations: [],
  },
});

export const browserSettingsRoutes = (
  deps: BrowserSettingsDeps,
): RouteHandlers<{ group: 'browser-settings' }> => ({
  'GET /v1/projects/{writeKey}/settings': {
    handle: async ({ params, headers }) =>
      json(200, segmentSettings(params.writeKey, publicBase(deps.publicApiUrl, headers)), {
        'cache-control': CACHE_CONTROL,
      }),
  },
  'GET /sourceConfig': {
    handle: async () => json(200, rudderStackSourceConfig(), { 'cache-control': CACHE_CONTROL }),
  },
});
