/**
 * A segment's marketing policy (function `read-api`, admin key):
 *   PUT /v1/segments/{segmentId}/policy      replace it with a complete policy
 *   DELETE /v1/segments/{segmentId}/policy   go back to the default for the segment's name
 */

import type { PolicyOverrides } from '#shared/activation/usecases/policies/policy-overrides';
import { resetSegmentPolicy, setSegmentPolicy } from '#shared/activation/usecases/policies/segment-policy';
import type { Clock } from '#shared/kernel/ports/clock';
import type { CurrentModel } from '#shared/segmentation/usecases/models/current-model';
import type { RouteHandlers } from '../edge';
import { parseMarketingPolicy } from '../policy-schema';
import { json } from '../responses';

/** Policy bodies are small: a message of 500 characters fits many times over. */
const MAX_POLICY_BODY = 16 * 1024;

export interface PolicyRouteDeps {
  readonly ports: { readonly clock: Clock };
  readonly currentModel: CurrentModel;
  readonly policies: PolicyOverrides;
}

export const policyRoutes = (deps: PolicyRouteDeps): RouteHandlers<{ group: 'policies' }> => {
  const ports = { model: deps.currentModel, overrides: deps.policies, clock: deps.ports.clock };
  return {
    'PUT /v1/segments/{segmentId}/policy': {
      jsonBody: { maxBytes: MAX_POLICY_BODY },
      handle: async ({ params, body }) =>
        json(200, await setSegmentPolicy(params.segmentId, parseMarketingPolicy(body), ports)),
    },
    'DELETE /v1/segments/{segmentId}/policy': {
      handle: async ({ params }) => json(200, await resetSegmentPolicy(params.segmentId, ports)),
    },
  };
};
