/**
 * Retrain runs and models (function `read-api`, read key):
 *   GET /v1/models             every retrain run, promoted or rejected, and why; the current version
 *   GET /v1/models/{version}   one model, whole
 */
import { modelHistory } from '#shared/activation/usecases/catalogue/catalogue';
import type { ModelRepository } from '#shared/segmentation/usecases/models/model-repository';
import type { RouteHandlers } from '../edge';
import { notFound } from '../errors';
import { json } from '../responses';

export interface ModelRouteDeps {
  readonly models: ModelRepository;
}

export const modelRoutes = (deps: ModelRouteDeps): RouteHandlers<{ group: 'models' }> => ({
  'GET /v1/models': { handle: async () => json(200, await modelHistory(deps.models)) },
  'GET /v1/models/{version}': {
    handle: async ({ params: { version } }) => {
      const model = await deps.models.load(version);
      if (!model) throw notFound(`no model "${version}"`);
      return json(200, model);
    },
  },
});
