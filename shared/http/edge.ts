/**
 * The HTTP edge, written once for the three HTTP functions: correlation id and request logger,
 * CORS preflight, dispatch by route key, 404/405, the key check the route table names, path
 * parameters, the JSON body, and the error mapping. Route groups (shared/http/routes/) only parse
 * what is theirs, call a use case and map its result.
 *
 * No path is matched here: in the stack API Gateway matched the request against the same route
 * table (shared/contract/routes.ts) and says which route in `routeKey` and `pathParameters`; locally the
 * bridge (local/lambda-http-bridge.ts) matches once and fills both the same way.
 */
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import {
  type FunctionName,
  functionForPath,
  pathParameterNames,
  type Route,
  type RouteKey,
  routeByKey,
} from '#shared/contract/routes';
import type { Logger } from '#shared/kernel/ports/logger';
import type { ApiKeys } from './api-keys';
import { basicAuthUser, bearerToken, keyMatchesAny } from './auth';
import { correlationIdOf } from './correlation';
import { badRequest, methodNotAllowed, notFound, unauthorized } from './errors';
import { pathParam } from './path-params';
import { decodeJsonBody } from './request-body';
import { errorResponse, type HttpResponse, noContent } from './responses';

export interface RouteRequest<Params = Readonly<Record<string, string>>> {
  /** The path parameters, URL-decoded and validated (a bad one is a 400 naming it). */
  readonly params: Params;
  readonly query: Readonly<Record<string, string | undefined>>;
  readonly headers: Readonly<Record<string, string | undefined>>;
  /** The decoded JSON body, for a route that declares `jsonBody`; else undefined. */
  readonly body: unknown;
  /** Logs with the request's correlation id and route key. */
  readonly logger: Logger;
}

export interface RouteHandler<Params = Readonly<Record<string, string>>> {
  /**
   * The route takes a JSON body: decoded by its Content-Encoding, at most `maxBytes` decoded, and
   * (with `object`) a JSON object, after the key check and the path parameters.
   */
  readonly jsonBody?: { readonly maxBytes: number; readonly object?: boolean };
  handle(request: RouteRequest<Params>): Promise<HttpResponse>;
}

type ParamNames<Path extends string> = Path extends `${string}{${infer Name}}${infer Rest}`
  ? Name | ParamNames<Rest>
  : never;

/** One handler for each route the `Where` filter selects in the route table, keyed by route key. */
export type RouteHandlers<Where extends Partial<Route>> = {
  readonly [Key in RouteKey<Where>]: RouteHandler<{ readonly [Name in ParamNames<Key>]: string }>;
};

export interface HttpEdgeOptions<F extends FunctionName> {
  /** The function: it must be given a handler for every route the table gives it. */
  readonly fn: F;
  readonly routes: RouteHandlers<{ fn: F }>;
  readonly keys: ApiKeys;
  /** The function's logger; each request logs through a child with its correlation id and route key. */
  readonly logger: { child(fields: Record<string, unknown>): Logger };
  /** Turns named use-case errors into HttpErrors, leaving the rest as they are. */
  readonly mapError?: (error: unknown) => unknown;
}

const WRITE_KEY_NEEDED = 'a valid write key is required (HTTP basic auth user, or writeKey)';
const READ_KEY_NEEDED = 'a valid read key is required (Authorization: Bearer <read key>)';
const ADMIN_KEY_NEEDED = 'the admin key is required (Authorization: Bearer <admin key>)';

/**
 * Checks the key the route takes, before any body is decoded: no work for unauthenticated
 * callers. A write key may instead come as `writeKey` in the JSON body (Segment and RudderStack
 * clients may send it there, which is why API Gateway cannot check keys): without a basic-auth
 * key, the check that remains is returned, to run on the decoded body.
 */
const checkKey = async (
  auth: Route['auth'],
  headers: Readonly<Record<string, string | undefined>>,
  keys: ApiKeys,
): Promise<((body: unknown) => void) | undefined> => {
  if (auth === 'none') return undefined;
  if (auth === 'write') {
    const headerKey = basicAuthUser(headers);
    const writeKeys = await keys.accepted('write');
    if (headerKey !== undefined) {
      if (!keyMatchesAny(headerKey, writeKeys)) throw unauthorized(WRITE_KEY_NEEDED);
      return undefined;
    }
    return (body) => {
      const bodyKey = (body as { writeKey?: unknown } | undefined)?.writeKey;
      if (!keyMatchesAny(typeof bodyKey === 'string' ? bodyKey : undefined, writeKeys))
        throw unauthorized(WRITE_KEY_NEEDED);
    };
  }
  const token = bearerToken(headers);
  // The admin key grants reads too; the read and write keys never grant admin routes.
  const isAdmin = keyMatchesAny(token, await keys.accepted('admin'));
  if (auth === 'admin' && !isAdmin) throw unauthorized(ADMIN_KEY_NEEDED, 'Bearer');
  if (auth === 'read' && !isAdmin && !keyMatchesAny(token, await keys.accepted('read')))
    throw unauthorized(READ_KEY_NEEDED, 'Bearer');
  return undefined;
};

const decodeBody = (event: APIGatewayProxyEventV2, spec: NonNullable<RouteHandler['jsonBody']>): unknown => {
  const body = decodeJsonBody(
    event.body,
    event.isBase64Encoded ?? false,
    event.headers?.['content-encoding'],
    spec.maxBytes,
  );
  if (spec.object && (typeof body !== 'object' || body === null || Array.isArray(body)))
    throw badRequest('the body must be a JSON object', 'body');
  return body;
};

/**
 * A request no route of this function takes: API Gateway sends none; the bridge sends a path the
 * table knows under a method it has no route for, as route key `$default`.
 */
const unrouted = (rawPath: string, fn: FunctionName) =>
  functionForPath(rawPath) === fn ? methodNotAllowed() : notFound(`no route for ${rawPath}`);

/** A Lambda handler (API Gateway HTTP API, payload v2) serving the function's routes. */
export const httpHandler = <F extends FunctionName>(options: HttpEdgeOptions<F>) => {
  const served = new Map(
    Object.entries(options.routes as Record<string, RouteHandler>).map(([routeKey, handler]) => {
      const route = routeByKey(routeKey);
      if (route?.fn !== options.fn)
        throw new Error(`${routeKey} is not a route of ${options.fn} in shared/contract/routes.ts`);
      return [routeKey, { route, handler, paramNames: pathParameterNames(route.path) }] as const;
    }),
  );
  return async (event: APIGatewayProxyEventV2): Promise<HttpResponse> => {
    const logger = options.logger.child({ correlationId: correlationIdOf(event), route: event.routeKey });
    try {
      // In the stack API Gateway answers preflight itself; locally the bridge passes it on.
      if (event.requestContext?.http?.method === 'OPTIONS') return noContent();
      const target = served.get(event.routeKey);
      if (!target) throw unrouted(event.rawPath, options.fn);
      const headers = event.headers ?? {};
      const checkBodyKey = await checkKey(target.route.auth, headers, options.keys);
      const rawParams = event.pathParameters ?? {};
      const params = Object.fromEntries(target.paramNames.map((name) => [name, pathParam(rawParams, name)]));
      const body = target.handler.jsonBody ? decodeBody(event, target.handler.jsonBody) : undefined;
      checkBodyKey?.(body);
      const query = event.queryStringParameters ?? {};
      return await target.handler.handle({ params, query, headers, body, logger });
    } catch (error) {
      return errorResponse(options.mapError ? options.mapError(error) : error, logger);
    }
  };
};
