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
  preflightByRouteKey,
  type Route,
  type RouteKey,
  routeByKey,
} from '#shared/contract/routes';
import type { Logger } from '#shared/kernel/ports/logger';
import type { ApiKeys } from './api-keys';
import { basicAuthUser, bearerToken, keyMatchesAny } from './auth';
import { type BrowserOrigins, browserOrigins } from './browser-origins';
import { correlationIdOf } from './correlation';
import {
  badRequest,
  type HttpError,
  methodNotAllowed,
  notFound,
  originNotAllowed,
  unauthorized,
} from './errors';
import { pathParam } from './path-params';
import { decodeJsonBody } from './request-body';
import { errorResponse, type HttpResponse, noContent, withCors } from './responses';

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
  /** The browser keys and their origins, for a function with write routes (default: none). */
  readonly browser?: BrowserOrigins;
}

const WRITE_KEY_NEEDED = 'a valid write key is required (HTTP basic auth user, or writeKey)';
const UNKNOWN_PROJECT = 'no project has this write key';
const READ_KEY_NEEDED = 'a valid read key is required (Authorization: Bearer <read key>)';
const ADMIN_KEY_NEEDED = 'the admin key is required (Authorization: Bearer <admin key>)';

/** What the key check needs of a request besides its key: where a write key may sit, and its Origin. */
interface KeyContext {
  readonly headers: Readonly<Record<string, string | undefined>>;
  readonly rawParams: Readonly<Record<string, string | undefined>>;
  readonly query: Readonly<Record<string, string | undefined>>;
  readonly keys: ApiKeys;
  readonly browser: BrowserOrigins;
  readonly logger: Logger;
}

/**
 * The write key a request presents before its body is read: basic auth (the SDKs' events), else
 * the path (analytics-next's settings, a resource named by the key: unknown is a 404), else the
 * query (RudderStack's sourceConfig and beacon).
 */
const presentedWriteKey = (context: KeyContext): { key: string; unknown: () => HttpError } | undefined => {
  const unknownKey = () => unauthorized(WRITE_KEY_NEEDED);
  const headerKey = basicAuthUser(context.headers);
  if (headerKey !== undefined) return { key: headerKey, unknown: unknownKey };
  if (context.rawParams.writeKey !== undefined)
    return { key: pathParam(context.rawParams, 'writeKey'), unknown: () => notFound(UNKNOWN_PROJECT) };
  const queryKey = context.query.writeKey;
  return queryKey === undefined ? undefined : { key: queryKey, unknown: unknownKey };
};

/** A write key and the request's Origin: a browser key only from its origins, the server key from none. */
const admitWriteKey = (
  given: string | undefined,
  writeKeys: readonly string[],
  unknown: () => HttpError,
  context: KeyContext,
): void => {
  const allowed = given === undefined ? undefined : context.browser.allowedFor(given, writeKeys);
  if (!allowed) throw unknown();
  const origin = context.headers.origin;
  if (origin !== undefined && !allowed.includes(origin)) {
    context.logger.info('origin refused', { origin });
    throw originNotAllowed(origin);
  }
};

/**
 * Checks the key the route takes, before any body is decoded: no work for unauthenticated
 * callers. A write key may instead come as `writeKey` in the JSON body (Segment and RudderStack
 * clients may send it there, which is why API Gateway cannot check keys): without a key in the
 * header, path or query, the check that remains is returned, to run on the decoded body.
 */
const checkKey = async (
  auth: Route['auth'],
  context: KeyContext,
): Promise<((body: unknown) => void) | undefined> => {
  if (auth === 'none') return undefined;
  const { headers, keys } = context;
  if (auth === 'write') {
    const writeKeys = await keys.accepted('write');
    const presented = presentedWriteKey(context);
    if (presented !== undefined) {
      admitWriteKey(presented.key, writeKeys, presented.unknown, context);
      return undefined;
    }
    return (body) => {
      const bodyKey = (body as { writeKey?: unknown } | undefined)?.writeKey;
      admitWriteKey(
        typeof bodyKey === 'string' ? bodyKey : undefined,
        writeKeys,
        () => unauthorized(WRITE_KEY_NEEDED),
        context,
      );
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

/**
 * CORS preflight. On a browser-facing path it is answered for the origins of the key the URL
 * names (settings, sourceConfig), else for every shop origin: the SDKs' preflights carry no key.
 * Elsewhere (read and admin routes) any origin may ask, as the answers say.
 */
const preflight = async (event: APIGatewayProxyEventV2, context: KeyContext): Promise<HttpResponse> => {
  if (!preflightByRouteKey(event.routeKey)?.browser) return noContent();
  const origin = context.headers.origin;
  // A preflight carries no Authorization: the key, if any, is the one in the path or query.
  const presented = presentedWriteKey(context);
  const allowed =
    presented === undefined
      ? undefined
      : (context.browser.allowedFor(presented.key, await context.keys.accepted('write')) ?? []);
  const cors = context.browser.corsHeaders(origin, allowed);
  if (origin !== undefined && !cors['access-control-allow-origin'])
    return withCors(errorResponse(originNotAllowed(origin), context.logger), cors);
  return withCors(noContent(), cors);
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
  const browser = options.browser ?? browserOrigins({});
  return async (event: APIGatewayProxyEventV2): Promise<HttpResponse> => {
    const logger = options.logger.child({ correlationId: correlationIdOf(event), route: event.routeKey });
    const headers = event.headers ?? {};
    const context: KeyContext = {
      headers,
      rawParams: event.pathParameters ?? {},
      query: event.queryStringParameters ?? {},
      keys: options.keys,
      browser,
      logger,
    };
    const target = served.get(event.routeKey);
    // Browser-facing answers, errors included, carry CORS headers for the shop's origin only.
    const answer = (response: HttpResponse) =>
      target?.route.auth === 'write' ? withCors(response, browser.corsHeaders(headers.origin)) : response;
    try {
      if (event.requestContext?.http?.method === 'OPTIONS') return await preflight(event, context);
      if (!target) throw unrouted(event.rawPath, options.fn);
      const checkBodyKey = await checkKey(target.route.auth, context);
      const params = Object.fromEntries(
        target.paramNames.map((name) => [name, pathParam(context.rawParams, name)]),
      );
      const body = target.handler.jsonBody ? decodeBody(event, target.handler.jsonBody) : undefined;
      checkBodyKey?.(body);
      return answer(await target.handler.handle({ params, query: context.query, headers, body, logger }));
    } catch (error) {
      return answer(errorResponse(options.mapError ? options.mapError(error) : error, logger));
    }
  };
};
