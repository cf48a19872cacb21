/**
 * The OpenAPI 3.1 description of the whole HTTP API, served at GET /openapi.json, generated from
 * the zod schemas the handlers validate with and the answers' schemas beside them.
 * test/integration/openapi.test.ts validates live answers against it, so it cannot drift from the code.
 *
 * Paths come from the route table (shared/contract/routes.ts): every route needs an operation in
 * ingest-operations.ts or read-operations.ts, and every operation a route, declaring the key the
 * route table says the route takes. Schemas are plain JSON Schema 2020-12 (the document's
 * `jsonSchemaDialect`), so any 2020-12 validator can check requests and answers against them.
 * Answers are closed objects (`additionalProperties: false`) where the code builds them field by
 * field; maps whose keys vary and Segment's own payloads stay open.
 */
import type * as z from 'zod';
import { pathParameterNames, type Route, routeKeyOf, routes } from '#shared/contract/routes';
import { browserOperations, RudderStackSourceConfig, SegmentSettings } from './browser-operations';
import * as common from './common-schemas';
import { headers, parameters, responses } from './components';
import { convertSchemas, type Io } from './generate';
import { ingestOperations } from './ingest-operations';
import * as ingest from './ingest-schemas';
import * as lift from './lift-schemas';
import * as lookup from './lookup-schemas';
import * as models from './models-schemas';
import * as profile from './profile-schemas';
import { readOperations } from './read-operations';
import * as segments from './segments-schemas';
import {
  type OperationSpec,
  type Resolve,
  renderHeader,
  renderOperation,
  renderParameter,
  renderResponse,
} from './spec';
import type { OpenApiDocument, PathItem, SecurityRequirement } from './types';

/** What clients send, converted as zod input types. */
const requestComponents: Record<string, z.ZodType> = {
  Identifier: ingest.Identifier,
  IsoTimestamp: ingest.IsoTimestamp,
  MessageFields: ingest.MessageFields,
  Product: ingest.Product,
  TrackProperties: ingest.TrackProperties,
  IdentifyTraits: ingest.IdentifyTraits,
  TrackFields: ingest.TrackFields,
  IdentifyFields: ingest.IdentifyFields,
  PageFields: ingest.PageFields,
  ScreenFields: ingest.ScreenFields,
  GroupFields: ingest.GroupFields,
  AliasFields: ingest.AliasFields,
  BatchMessage: ingest.BatchMessage,
  WriteKeyInBody: ingest.WriteKeyInBody,
  BatchRequest: ingest.BatchRequest,
  CouponInput: common.Coupon,
  MarketingPolicyInput: common.MarketingPolicyInput,
};

/** What the service answers, converted as zod output types. */
const responseComponents: Record<string, z.ZodType> = {
  Error: common.ErrorBody,
  BadRequestError: common.BadRequestError,
  UnauthorizedError: common.UnauthorizedError,
  NotFoundError: common.NotFoundError,
  OriginNotAllowedError: common.OriginNotAllowedError,
  MethodNotAllowedError: common.MethodNotAllowedError,
  PayloadTooLargeError: common.PayloadTooLargeError,
  UnsupportedEncodingError: common.UnsupportedEncodingError,
  UnavailableError: common.UnavailableError,
  InternalError: common.InternalError,
  FeatureName: common.FeatureName,
  FeatureValues: common.FeatureValues,
  Coupon: common.Coupon,
  MarketingPolicy: common.MarketingPolicy,
  SegmentRef: common.SegmentRef,
  Rejection: ingest.Rejection,
  IngestResult: ingest.IngestResult,
  SingleIngestResult: ingest.SingleIngestResult,
  AllEventsRejected: ingest.AllEventsRejected,
  WindowFigures: profile.WindowFigures,
  CategoryAffinity: profile.CategoryAffinity,
  RecentPurchase: profile.RecentPurchase,
  PurchasedItem: profile.PurchasedItem,
  ForeignCurrencyTotals: profile.ForeignCurrencyTotals,
  SegmentStamp: profile.SegmentStamp,
  KeptTraits: profile.KeptTraits,
  Profile: profile.Profile,
  EraseResult: profile.EraseResult,
  CustomerForecast: lookup.CustomerForecast,
  SegmentForecast: lookup.SegmentForecast,
  Recommendation: lookup.Recommendation,
  FeatureExplanation: lookup.FeatureExplanation,
  SegmentLookup: lookup.SegmentLookup,
  SegmentChange: lookup.SegmentChange,
  SegmentHistory: lookup.SegmentHistory,
  PolicyFlag: segments.PolicyFlag,
  SegmentSummary: segments.SegmentSummary,
  TypicalShopper: segments.TypicalShopper,
  CatalogueTotals: segments.CatalogueTotals,
  SegmentCatalogue: segments.SegmentCatalogue,
  FeatureComparison: segments.FeatureComparison,
  SegmentRule: segments.SegmentRule,
  PredictedValueDistribution: segments.PredictedValueDistribution,
  TopProduct: segments.TopProduct,
  SegmentProfile: segments.SegmentProfile,
  TimelineModel: segments.TimelineModel,
  SegmentMigration: segments.SegmentMigration,
  SegmentsOverTime: segments.SegmentsOverTime,
  SegmentPolicyOverride: segments.SegmentPolicyOverride,
  SegmentPolicyDefault: segments.SegmentPolicyDefault,
  SegmentMember: segments.SegmentMember,
  SegmentMembersPage: segments.SegmentMembersPage,
  LiftVerdict: lift.LiftVerdict,
  LiftComparison: lift.LiftComparison,
  LiftGroup: lift.LiftGroup,
  VersionLift: lift.VersionLift,
  SegmentLift: lift.SegmentLift,
  RunPolicyCheck: models.RunPolicyCheck,
  KCandidateReport: models.KCandidateReport,
  ModelMetrics: models.ModelMetrics,
  Separation: models.Separation,
  SelectionCandidate: models.SelectionCandidate,
  BacktestSelection: models.BacktestSelection,
  SilhouetteSelection: models.SilhouetteSelection,
  StabilityReport: models.StabilityReport,
  DriftReport: models.DriftReport,
  TrainingConfig: models.TrainingConfig,
  FeatureTransform: models.FeatureTransform,
  Spread: models.Spread,
  ValueDistribution: models.ValueDistribution,
  RuleStat: models.RuleStat,
  SegmentFigures: models.SegmentFigures,
  PopulationFigures: models.PopulationFigures,
  SegmentDefinition: models.SegmentDefinition,
  SegmentModel: models.SegmentModel,
  RetrainRun: models.RetrainRun,
  ModelHistory: models.ModelHistory,
  OpenApiDocument: models.OpenApiDocumentSchema,
  SegmentSettings,
  RudderStackSourceConfig,
};

const operations: Record<string, OperationSpec> = {
  ...ingestOperations,
  ...browserOperations,
  ...readOperations,
};

/** Renders everything that holds schemas with one resolver (first to collect them, then to write them). */
const render = (resolve: Resolve) => ({
  paths: pathsFromRoutes(resolve),
  responses: Object.fromEntries(Object.entries(responses).map(([n, r]) => [n, renderResponse(r, resolve)])),
  parameters: Object.fromEntries(
    Object.entries(parameters).map(([n, p]) => [n, renderParameter(p, resolve)]),
  ),
  headers: Object.fromEntries(Object.entries(headers).map(([n, h]) => [n, renderHeader(h, resolve)])),
});

/** The security an operation declares for the key its route takes in the route table. */
const securityOf: Record<Route['auth'], readonly SecurityRequirement[]> = {
  // The write key may also come as `writeKey` in the body, the path or the query, which no
  // security scheme describes.
  write: [{ writeKey: [] }, {}],
  read: [{ readKey: [] }, { adminKey: [] }],
  admin: [{ adminKey: [] }],
  none: [],
};

const pathsFromRoutes = (resolve: Resolve): Record<string, PathItem> => {
  const known = new Set(routes.map(routeKeyOf));
  const orphan = Object.keys(operations).find((key) => !known.has(key));
  if (orphan) throw new Error(`the OpenAPI operation ${orphan} has no route in shared/contract/routes.ts`);
  const paths: Record<string, PathItem & Record<string, unknown>> = {};
  for (const route of routes) {
    const spec = operations[routeKeyOf(route)];
    if (!spec) throw new Error(`the route ${routeKeyOf(route)} has no OpenAPI operation`);
    if (JSON.stringify(spec.security) !== JSON.stringify(securityOf[route.auth]))
      throw new Error(`the OpenAPI operation ${routeKeyOf(route)} does not take the ${route.auth} key`);
    const pathParameters = pathParameterNames(route.path).map((name) => ({
      $ref: `#/components/parameters/${name}`,
    }));
    paths[route.path] ??= pathParameters.length > 0 ? { parameters: pathParameters } : {};
    (paths[route.path] as Record<string, unknown>)[route.method.toLowerCase()] = renderOperation(
      spec,
      resolve,
    );
  }
  return paths;
};

const generate = (): Pick<OpenApiDocument, 'paths' | 'components'> => {
  const used: Record<Io, Set<z.ZodType>> = { input: new Set(), output: new Set() };
  render((schema, io) => {
    used[io].add(schema);
    return {};
  });
  const requests = convertSchemas(requestComponents, used.input, 'input');
  const answers = convertSchemas(responseComponents, used.output, 'output');
  const clash = Object.keys(requests.components).find((name) => name in answers.components);
  if (clash) throw new Error(`component ${clash} is both a request and a response schema`);
  const rendered = render((schema, io) => (io === 'input' ? requests : answers).inline(schema));

  return {
    paths: rendered.paths,
    components: {
      schemas: { ...answers.components, ...requests.components },
      responses: rendered.responses,
      parameters: rendered.parameters,
      headers: rendered.headers,
      securitySchemes: {
        writeKey: {
          type: 'http',
          scheme: 'basic',
          description:
            'The write key as user name, empty password (what the Segment clients send). The key can instead be sent as `writeKey` in the JSON body, or in the path or query where an operation says so.',
        },
        readKey: { type: 'http', scheme: 'bearer', description: '`Authorization: Bearer <read key>`.' },
        adminKey: {
          type: 'http',
          scheme: 'bearer',
          description: '`Authorization: Bearer <admin key>`: grants reads too.',
        },
      },
    },
  };
};

let generated: ReturnType<typeof generate> | undefined;

/**
 * The document. Paths and components are generated on first use (about 50 ms of zod conversion),
 * so that a read-api cold start serving a lookup does not pay for a document it may never serve.
 */
export const openApiDocument: OpenApiDocument = {
  openapi: '3.1.0',
  jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
  info: {
    title: 'Customer segmentation API',
    version: '1.0.0',
    summary:
      'Segment-compatible ingestion, live shopper profiles, K-means segments and what to do about them.',
    description: [
      'Shops send Segment Tracking API messages (the official Segment and RudderStack clients work as they are); the service keeps a live profile per shopper, places shoppers in segments trained by K-means on RFM and behaviour features, and tells shop tools which segment a shopper is in, why, and what to do.',
      '',
      '**Keys.** Ingestion takes the write key (HTTP basic user with an empty password, or `writeKey` in the body). Read endpoints take `Authorization: Bearer <read key>`; the admin key also grants reads. Policy changes and erasure take `Authorization: Bearer <admin key>`. GET /openapi.json is public.',
      '',
      '**Errors.** Every error the service answers is JSON `{ error, message, field? }`; a 5xx is safe to retry with the same request. Another method on a known path answers 405 (`components.responses.MethodNotAllowed`) and an unknown path 404 (`components.responses.NotFound`) on the local server; behind API Gateway both get API Gateway\'s own 404 `{"message":"Not Found"}`, and bodies over its 10 MB payload limit are refused before they reach the service.',
      '',
      '**Browsers.** The Segment and RudderStack browser SDKs work as they are, pointed at this service by their host settings (docs/browser-tracking.md): their settings, their paths (/v1/b, /v1/t, … and /beacon/v1/batch) and their headers are served. A browser key sends only from the origins configured for it; the server-side write key from none (`403 origin_not_allowed`, nothing stored).',
      '',
      "**CORS.** The functions answer it, preflight (OPTIONS on any path) included. Ingestion and the browser settings answer the shops' origins (those some browser key lists) and vary by `Origin`; every other answer allows any origin.",
    ].join('\n'),
  },
  tags: [
    { name: 'ingestion', description: 'Segment Tracking API: behaviour in.' },
    { name: 'profiles', description: 'Live shopper profiles.' },
    { name: 'segments', description: 'Segment lookup, history, catalogue, policies and members.' },
    { name: 'models', description: 'Retrain runs and trained models.' },
    { name: 'meta', description: 'This description.' },
  ],
  get paths() {
    generated ??= generate();
    return generated.paths;
  },
  get components() {
    generated ??= generate();
    return generated.components;
  },
};
