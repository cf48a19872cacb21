/** The settings the browser SDKs load from the ingest function, as the document describes them. */
import * as z from 'zod';
import { parameter, response } from './components';
import { json, type OperationSpec } from './spec';

export const SegmentSettings = z
  .object({
    integrations: z.looseObject({
      'Segment.io': z.looseObject({
        apiKey: z.string().describe('The write key the settings were asked for.'),
        apiHost: z.string().describe('This service, as host and path with `/v1`, no scheme.'),
        protocol: z.enum(['http', 'https']),
      }),
    }),
    metrics: z.looseObject({ sampleRate: z.literal(0) }),
  })
  .describe(
    "analytics-next's source settings: the Segment.io destination pointed at this service, and nothing else to load (no other destination, plugin, middleware or metrics).",
  );

export const RudderStackSourceConfig = z
  .object({
    source: z.looseObject({
      id: z.string(),
      name: z.string(),
      enabled: z.literal(true),
      config: z.looseObject({}).describe('Empty: no error or metrics reporting.'),
      destinations: z.array(z.never()).max(0),
    }),
  })
  .describe("RudderStack JS v3's source configuration: enabled, no device-mode destinations.");

const browserErrors = {
  '401': response('Unauthorized'),
  '403': response('OriginNotAllowed'),
  '500': response('InternalError'),
};

/** The write key sits in the URL: the SDKs send these without a body, before any event. */
const writeKeyInUrl = [{ writeKey: [] }, {}] as const;

export const browserOperations: Record<string, OperationSpec> = {
  'GET /v1/projects/{writeKey}/settings': {
    operationId: 'getSegmentBrowserSettings',
    summary: "analytics-next's settings for a write key",
    description:
      'What `@segment/analytics-next` loads from `<cdnURL>/v1/projects/<writeKey>/settings` before it sends: the Segment.io destination with `apiHost` this service (the configured public URL, else the host the request was sent to) plus `/v1`. Cacheable for 5 minutes. An unknown key is a 404; a page origin the key does not list a 403.',
    tags: ['ingestion'],
    security: writeKeyInUrl,
    responses: {
      '200': { description: 'The settings.', content: json(SegmentSettings) },
      '400': response('BadRequest'),
      '404': response('NotFound'),
      ...browserErrors,
    },
  },
  'GET /sourceConfig': {
    operationId: 'getRudderStackSourceConfig',
    summary: "RudderStack JS v3's source configuration",
    description:
      'What `@rudderstack/analytics-js` loads from `<configUrl>/sourceConfig/?writeKey=…` (also with a trailing slash) before it sends: an enabled source without device-mode destinations, so every event goes to the data plane URL, this service. Authenticated by the write key as basic user or in the query. Cacheable for 5 minutes.',
    tags: ['ingestion'],
    security: writeKeyInUrl,
    parameters: [parameter('writeKeyQuery')],
    responses: {
      '200': { description: 'The source configuration.', content: json(RudderStackSourceConfig) },
      ...browserErrors,
    },
  },
};
