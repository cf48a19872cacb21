/** The operations of the read-api and admin functions: profiles, segments, policies, models, this document. */
import { MarketingPolicyInput } from './common-schemas';
import { header, parameter, response } from './components';
import { SegmentHistory, SegmentLookup } from './lookup-schemas';
import { ModelHistory, OpenApiDocumentSchema, SegmentModel } from './models-schemas';
import { EraseResult, Profile } from './profile-schemas';
import {
  SegmentCatalogue,
  SegmentMembersCsv,
  SegmentMembersPage,
  SegmentPolicyDefault,
  SegmentPolicyOverride,
} from './segments-schemas';
import { json, type OperationSpec, type ResponseSpec } from './spec';
import type { Reference, SecurityRequirement } from './types';

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
    "Every segment of the current model with its size, centroid, rules and marketing policy (the operator's override, else the default for its name), then the prospects.",
    'segments',
    { description: 'The catalogue.', content: json(SegmentCatalogue) },
    readErrors({ noModel: true, notFound: false, badRequest: false }),
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
