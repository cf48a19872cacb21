/** The operations of the read-api and admin functions: profiles, segments, policies, models, this document. */
import { MarketingPolicyInput } from './common-schemas';
import { header, parameter, response } from './components';
import { SegmentLift } from './lift-schemas';
import { SegmentHistory, SegmentLookup } from './lookup-schemas';
import { ModelHistory, OpenApiDocumentSchema, SegmentModel } from './models-schemas';
import { EraseResult, Profile } from './profile-schemas';
import {
  SegmentCatalogue,
  SegmentMembersCsv,
  SegmentMembersPage,
  SegmentPolicyDefault,
  SegmentPolicyOverride,
  SegmentProfile,
  SegmentsOverTime,
} from './segments-schemas';
import { json, type OperationSpec, type ResponseSpec } from './spec';
import type { Reference, SecurityRequirement } from './types';

const policyExample = {
  action: 'reward',
  channel: 'email',
  coupon: null,
  message: 'Early access and loyalty rewards; ask for reviews.',
  priority: 3,
};

const catalogueExample = {
  modelVersion: 'm-20260630T030000Z',
  asOf: '2026-06-30T03:00:00.000Z',
  currency: 'USD',
  totals: {
    shoppers: 300,
    buyers: 260,
    prospects: 40,
    revenueBasis: { measure: 'spend in the last 365 days', sampledBuyers: 260, sampledRevenue: 184210.5 },
  },
  segments: [
    {
      id: 'seg-1',
      name: 'Champions',
      description: '12 orders in the last year, last order 9 days ago, about $170 an order.',
      size: 41,
      share: 0.1367,
      centroid: { recencyDays: 8.86, frequency365: 11.7, monetary365: 1989.4 },
      rules: ['spent in the last year ≥ $250 and last order < 100 days ago'],
      policy: policyExample,
      policySource: 'default',
      policyVersion: null,
      policyFlag: null,
      forecast: { pAlive: 0.97, expectedOrders: 5.1, predictedValue: 3814.2 },
      revenueShare: 0.4412,
      typical: { recencyDays: 7, orders365: 12, spend365: 1960.5, averageOrderValue: 168.2 },
    },
    {
      id: 'prospects',
      name: 'Prospects',
      description: 'Shoppers with activity but no order yet (a rule, not a cluster).',
      size: 40,
      share: 0.1333,
      centroid: {},
      rules: ['no order yet'],
      policy: { ...policyExample, action: 'first_purchase', coupon: { kind: 'percent', value: 10 } },
      policySource: 'default',
      policyVersion: null,
      policyFlag: null,
      forecast: null,
      revenueShare: 0,
      typical: null,
    },
  ],
};

const overTimeExample = {
  current: 'm-20260630T030000Z',
  models: [
    {
      version: 'm-20260629T030000Z',
      sequence: 1,
      trainedAt: '2026-06-29T03:00:12.000Z',
      asOf: '2026-06-29T03:00:00.000Z',
      sizes: 'population',
      shoppers: 296,
      segments: [
        { id: 'seg-1', name: 'Champions', size: 39, share: 0.1318 },
        { id: 'seg-2', name: 'At risk', size: 60, share: 0.2027 },
        { id: 'prospects', name: 'Prospects', size: 41, share: 0.1385 },
      ],
    },
    {
      version: 'm-20260630T030000Z',
      sequence: 2,
      trainedAt: '2026-06-30T03:00:11.000Z',
      asOf: '2026-06-30T03:00:00.000Z',
      sizes: 'population',
      shoppers: 300,
      segments: [
        { id: 'seg-1', name: 'Champions', size: 41, share: 0.1367 },
        { id: 'seg-2', name: 'At risk', size: 58, share: 0.1933 },
        { id: 'prospects', name: 'Prospects', size: 40, share: 0.1333 },
      ],
    },
  ],
  migration: {
    from: 'm-20260629T030000Z',
    to: 'm-20260630T030000Z',
    basis: 'training sample',
    shoppers: 99,
    ari: 0.91,
    cells: [
      { from: 'seg-1', to: 'seg-1', shoppers: 38 },
      { from: 'seg-2', to: 'seg-1', shoppers: 3 },
      { from: 'seg-2', to: 'seg-2', shoppers: 58 },
    ],
  },
};

const profileExample = {
  segmentId: 'seg-1',
  name: 'Champions',
  description: '12 orders in the last year, last order 9 days ago, about $170 an order.',
  modelVersion: 'm-20260630T030000Z',
  asOf: '2026-06-30T03:00:00.000Z',
  currency: 'USD',
  size: 41,
  share: 0.1367,
  revenueShare: 0.4412,
  sampled: { segment: 41, population: 260 },
  features: [
    {
      feature: 'frequency365',
      label: 'orders in the last year',
      segment: { median: 12, mean: 11.7 },
      population: { median: 3, mean: 4.1 },
      ratio: 2.854,
      z: 2.112,
    },
  ],
  rules: [
    {
      rule: 'spent in the last year ≥ $250 and last order < 100 days ago',
      precision: 0.93,
      coverage: 0.88,
    },
  ],
  rulesAgreement: 0.91,
  forecast: { pAlive: 0.97, expectedOrders: 5.1, predictedValue: 3814.2 },
  predictedValue: {
    currency: 'USD',
    months: 12,
    sampled: 41,
    median: 3500,
    mean: 3814.2,
    buckets: [
      { from: 1000, to: 2000, share: 0.2195, shoppers: 9 },
      { from: 2000, to: 3000, share: 0.2439, shoppers: 10 },
      { from: 3000, to: 4000, share: 0.2927, shoppers: 12 },
      { from: 4000, to: 5000, share: 0.2195, shoppers: 9 },
      { from: 5000, to: null, share: 0.0244, shoppers: 1 },
    ],
  },
  topProducts: [{ productId: 'sku-022', category: 'Home & Kitchen', buyers: 30, share: 0.7317 }],
  policy: policyExample,
  policySource: 'default',
};

const readSecurity: readonly SecurityRequirement[] = [{ readKey: [] }, { adminKey: [] }];
const adminSecurity: readonly SecurityRequirement[] = [{ adminKey: [] }];

const readErrors = (options: { notFound?: boolean; noModel?: boolean; badRequest?: boolean } = {}) => ({
  ...(options.badRequest === false ? {} : { '400': response('BadRequest') }),
  '401': response('Unauthorized'),
  ...(options.notFound === false ? {} : { '404': response('NotFound') }),
  '500': response('InternalError'),
  '503': response(options.noModel ? 'NoModel' : 'Throttled'),
});

const readOperation = (
  operationId: string,
  summary: string,
  description: string,
  tag: string,
  ok: ResponseSpec,
  errors: Record<string, Reference>,
  extraParameters: readonly Reference[] = [],
): OperationSpec => ({
  operationId,
  summary,
  description: `${description} Needs \`Authorization: Bearer <read key>\` (the admin key also works).`,
  tags: [tag],
  security: readSecurity,
  parameters: [...extraParameters, parameter('correlationId')],
  responses: { '200': ok, ...errors },
});

const policyErrors = {
  '400': response('BadRequest'),
  '401': response('Unauthorized'),
  '404': response('NotFound'),
  '500': response('InternalError'),
  '503': response('NoModel'),
};

export const readOperations: Record<string, OperationSpec> = {
  'DELETE /v1/users/{userId}': {
    operationId: 'eraseShopper',
    summary: "Erase a shopper's data (right to erasure)",
    description:
      "Deletes the shopper's profile, raw events and segment history from every table; a later event starts a fresh profile. Idempotent: an unknown or already erased shopper answers 200 with zero counts. Retrain snapshots in S3 are not rewritten: they expire by the bucket's lifecycle rule (see the README). Needs `Authorization: Bearer <admin key>`; the read and write keys are refused.",
    tags: ['profiles'],
    security: adminSecurity,
    parameters: [parameter('correlationId')],
    responses: {
      '200': {
        description: 'Erased (or nothing was held).',
        content: json(EraseResult, {
          erased: {
            value: { shopperId: 'user-42', erased: { profile: true, events: 17, history: 2, linkedIds: 1 } },
          },
        }),
      },
      '400': response('BadRequest'),
      '401': response('Unauthorized'),
      '500': response('InternalError'),
      '503': response('Throttled'),
    },
  },
  'GET /v1/users/{userId}/profile': readOperation(
    'getProfile',
    "A shopper's live profile",
    'Lifetime counters and windowed figures (last 30, 90, 365 days), as of now, following the latest event.',
    'profiles',
    { description: 'The profile.', content: json(Profile) },
    readErrors(),
  ),
  'GET /v1/users/{userId}/segment': readOperation(
    'lookupSegment',
    "A shopper's segment, why, and what to do",
    "Scored from the live profile against the current model on every request. A change from the recorded segment is recorded in the history and published. With `recommendations=N`, up to N products to show the shopper are added (none they bought); with `buyAgain=N`, up to N of their own products, by the chance their next order includes each (recency, frequency, the product's re-order rate). Both lists are empty until the model's recommendation index exists.",
    'segments',
    { description: 'The segment.', content: json(SegmentLookup) },
    readErrors({ noModel: true }),
    [parameter('recommendations'), parameter('buyAgain')],
  ),
  'GET /v1/users/{userId}/history': readOperation(
    'getSegmentHistory',
    "A shopper's segment changes",
    'Every recorded segment change, oldest first (empty for a shopper never placed).',
    'segments',
    { description: 'The history.', content: json(SegmentHistory) },
    readErrors(),
  ),
  'GET /v1/segments': readOperation(
    'listSegments',
    "The current model's segments",
    "Every segment of the current model with its size and share, share of revenue, typical shopper (medians), mean predicted value, centroid, rules and marketing policy (the operator's override, else the default for its name), then the prospects; and the totals the shares are of. Sizes count every shopper; revenue shares and medians come from the training sample, stored with the model (null in models trained before them). Bounded by the number of segments.",
    'segments',
    {
      description: 'The catalogue.',
      content: json(SegmentCatalogue, { catalogue: { value: catalogueExample } }),
    },
    readErrors({ noModel: true, notFound: false, badRequest: false }),
  ),
  'GET /v1/segments-over-time': readOperation(
    'getSegmentsOverTime',
    'Segment sizes across the last models, and the last migration',
    "The last `limit` promoted models, oldest first, each segment by its stable id with its size and share (population counts once the model's reassignment has counted them, else the training estimate, as `sizes` says), and where the buyers of the previous model's segments went in the current one (the retrain's stability report, over its training sample). Reads at most `limit` models and run records, never the shoppers.",
    'segments',
    {
      description: 'The models and the migration.',
      content: json(SegmentsOverTime, { overTime: { value: overTimeExample } }),
    },
    readErrors({ noModel: true, notFound: false }),
    [parameter('timelineLimit')],
  ),
  'GET /v1/segments/{segmentId}/profile': readOperation(
    'getSegmentProfile',
    'One segment against all buyers',
    "How the segment's buyers differ from all buyers feature by feature (medians, means, ratio and z), its rules with their precision and coverage, the distribution of predicted value (histogram, median, mean), its 20 most bought products and its policy. Every figure was computed at training from the training sample and is read from the current model and its recommendation index: the answer's size does not grow with the shoppers. `prospects` answers with sizes and policy only.",
    'segments',
    { description: 'The segment.', content: json(SegmentProfile, { champions: { value: profileExample } }) },
    readErrors({ noModel: true }),
  ),
  'PUT /v1/segments/{segmentId}/policy': {
    operationId: 'setSegmentPolicy',
    summary: "Override a segment's marketing policy",
    description:
      'Replaces the policy of a segment of the current model. Segment ids are stable across retrains, so the override follows the segment. Needs `Authorization: Bearer <admin key>`.',
    tags: ['segments'],
    security: adminSecurity,
    parameters: [parameter('correlationId')],
    requestBody: {
      required: true,
      content: json(MarketingPolicyInput, {
        winBack: {
          value: {
            action: 'win_back',
            channel: 'sms',
            coupon: { kind: 'percent', value: 30 },
            message: 'We miss you: 30% off this week.',
            priority: 1,
          },
        },
      }),
    },
    responses: {
      '200': { description: 'The policy now in force.', content: json(SegmentPolicyOverride) },
      ...policyErrors,
      '413': response('PayloadTooLarge'),
      '415': response('UnsupportedEncoding'),
    },
  },
  'DELETE /v1/segments/{segmentId}/policy': {
    operationId: 'resetSegmentPolicy',
    summary: "Reset a segment's marketing policy to the default",
    description:
      'Removes the override (if any): the segment gets the default policy for its name again. Needs `Authorization: Bearer <admin key>`.',
    tags: ['segments'],
    security: adminSecurity,
    parameters: [parameter('correlationId')],
    responses: {
      '200': { description: 'The policy now in force.', content: json(SegmentPolicyDefault) },
      ...policyErrors,
    },
  },
  'GET /v1/segments/{segmentId}/lift': readOperation(
    'getSegmentLift',
    "Does the segment's policy pay?",
    "Per policy version, newest first (at most 10): the window it was in force; the shoppers first looked up under it, treatment and holdout (first exposure: recorded once, so later lookups and retrains never move a shopper between groups); conversion (an order from exposure to the window's end), orders and revenue per shopper net of refunds; the difference and relative lift with 95% intervals, p-values and a verdict. Reads at most `sampleLimit` exposed shoppers per version (a uniform sample past that). Versions without a holdout are listed without figures. See docs/lift.md for how to read it.",
    'segments',
    { description: 'The report.', content: json(SegmentLift) },
    readErrors({ noModel: true, badRequest: false }),
  ),
  'GET /v1/segments/{segmentId}/members': readOperation(
    'listSegmentMembers',
    'The shoppers in a segment, a page at a time',
    'For exports to e-mail and ad tools: the shoppers whose recorded segment this is, in shopper id order. JSON by default; with `Accept: text/csv` a CSV page (header line `shopperId,since,modelVersion`) with the next cursor in the `x-next-cursor` header.',
    'segments',
    {
      description: 'One page.',
      headers: { 'x-next-cursor': header('NextCursor'), 'Content-Disposition': header('CsvDisposition') },
      content: { ...json(SegmentMembersPage), 'text/csv': { schema: SegmentMembersCsv } },
    },
    readErrors({ noModel: true }),
    [parameter('limit'), parameter('cursor')],
  ),
  'GET /v1/models': readOperation(
    'listModels',
    'Retrain runs and the current model',
    'Every retrain run, newest first, with whether its model was promoted and why.',
    'models',
    { description: 'The runs.', content: json(ModelHistory) },
    readErrors({ notFound: false, badRequest: false }),
  ),
  'GET /v1/models/{version}': readOperation(
    'getModel',
    'One trained model',
    'A model as stored, promoted or not: transform, segments, metrics, stability, drift and lineage.',
    'models',
    { description: 'The model.', content: json(SegmentModel) },
    readErrors(),
  ),
  'GET /openapi.json': {
    operationId: 'getOpenApiDocument',
    summary: 'This API description',
    description: 'Public: tools fetch it before they have a key.',
    tags: ['meta'],
    security: [],
    responses: { '200': { description: 'This document.', content: json(OpenApiDocumentSchema) } },
  },
};
