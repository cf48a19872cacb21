/** GET /openapi.json (function `read-api`, no key): the OpenAPI 3.1 description of the whole API. */
import type { RouteHandlers } from '../edge';
import { openApiDocument } from '../openapi/document';
import { json } from '../responses';

export const apiDescriptionRoute = (): RouteHandlers<{ group: 'api-description' }> => ({
  'GET /openapi.json': { handle: async () => json(200, openApiDocument) },
});
