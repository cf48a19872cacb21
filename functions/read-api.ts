/**
 * Lambda `read-api`: read endpoints for shop tools (read key as `Authorization: Bearer`).
 * GET /v1/users/{userId}/profile.
 */
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { z } from 'zod';
import { requiredKey, runtimeConfigFromEnv } from '../shared/adapters/runtime-config';
import { type ServicePorts, servicePorts } from '../shared/adapters/service-ports';
import { bearerToken, keyMatches } from '../shared/http/auth';
import { correlationIdOf } from '../shared/http/correlation';
import { badRequest, methodNotAllowed, notFound, unauthorized } from '../shared/http/errors';
import { errorResponse, type HttpResponse, json, noContent } from '../shared/http/responses';
import { ProfileNotFoundError, readProfile } from '../shared/usecases/read-profile';

export interface ReadApiDeps {
  readonly ports: ServicePorts;
  readonly readKey: string;
}

const userIdSchema = z
  .string()
  .min(1)
  .max(256)
  // biome-ignore lint/suspicious/noControlCharactersInRegex: rejecting control characters is the point
  .regex(/^[^\u0000-\u001f\u007f]+$/);

const PROFILE_ROUTE = /^\/v1\/users\/([^/]+)\/profile\/?$/;

const decodeSegment = (raw: string): string => {
  try {
    return decodeURIComponent(raw);
  } catch {
    throw badRequest('userId is not a valid URL path segment', 'userId');
  }
};

export const createReadApiHandler =
  (deps: ReadApiDeps) =>
  async (event: APIGatewayProxyEventV2): Promise<HttpResponse> => {
    const logger = deps.ports.logger.child({ correlationId: correlationIdOf(event), route: event.routeKey });
    try {
      const method = event.requestContext?.http?.method ?? 'GET';
      if (method === 'OPTIONS') return noContent();
      const match = PROFILE_ROUTE.exec(event.rawPath);
      if (!match?.[1]) throw notFound(`no route for ${event.rawPath}`);
      if (method !== 'GET') throw methodNotAllowed();
      if (!keyMatches(bearerToken(event.headers ?? {}), deps.readKey))
        throw unauthorized('a valid read key is required (Authorization: Bearer <read key>)');
      const userId = userIdSchema.safeParse(decodeSegment(match[1]));
      if (!userId.success) throw badRequest('userId must be 1 to 256 printable characters', 'userId');
      try {
        const profile = await readProfile(userId.data, deps.ports);
        return json(200, profile);
      } catch (error) {
        if (error instanceof ProfileNotFoundError) throw notFound(error.message);
        throw error;
      }
    } catch (error) {
      return errorResponse(error, logger);
    }
  };

let cached: ReturnType<typeof createReadApiHandler> | undefined;

export const handler = (event: APIGatewayProxyEventV2): Promise<HttpResponse> => {
  if (!cached) {
    const config = runtimeConfigFromEnv();
    cached = createReadApiHandler({
      ports: servicePorts(config, 'read-api'),
      readKey: requiredKey(config.readKey, 'READ_KEY'),
    });
  }
  return cached(event);
};
