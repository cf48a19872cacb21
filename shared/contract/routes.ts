/**
 * Every HTTP route: the function that serves it, the route group (the module under
 * shared/http/routes/ that handles it) and the key it takes. The CDK stack builds its API routes
 * from this table, the local bridge dispatches with it, the HTTP edge (shared/http/edge.ts) checks
 * keys by it and /openapi.json describes it, so none of them can drift apart.
 */

import { KEY_ROLES, type KeyRole } from './key-roles';
import { MESSAGE_TYPES, type MessageType } from './message-types';

/** The HTTP functions. */
export const FUNCTION_NAMES = ['ingest', 'readApi', 'admin'] as const;
export type FunctionName = (typeof FUNCTION_NAMES)[number];

export type RouteGroup =
  | 'ingestion'
  | 'browser-settings'
  | 'profiles'
  | 'segment-lookup'
  | 'catalogue'
  | 'policies'
  | 'models'
  | 'api-description'
  | 'erasure';

export interface Route {
  readonly method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** API Gateway path template. */
  readonly path: string;
  readonly fn: FunctionName;
  readonly group: RouteGroup;
  /** The key the route takes (`read` routes take the admin key too), or `none` for a public route. */
  readonly auth: KeyRole | 'none';
}

/** `POST /v1/batch`, and one `POST /v1/<type>` per message type. */
export const ingestionPaths = ['/v1/batch' as const, ...MESSAGE_TYPES.map((type) => `/v1/${type}` as const)];

/**
 * Segment's browser SDK (analytics-next) posts each message to `<apiHost>/<first letter of its
 * type>`, and a batch to `<apiHost>/b`; with `apiHost` = this service + `/v1` these are its paths.
 */
export const SEGMENT_SHORT_TYPES = {
  t: 'track',
  i: 'identify',
  p: 'page',
  s: 'screen',
  g: 'group',
  a: 'alias',
} as const satisfies Record<string, MessageType>;
export const segmentBrowserPaths = [
  '/v1/b' as const,
  ...(Object.keys(SEGMENT_SHORT_TYPES) as (keyof typeof SEGMENT_SHORT_TYPES)[]).map(
    (letter) => `/v1/${letter}` as const,
  ),
];

/** RudderStack's browser SDK sends its beacon batches here, the write key in the query. */
export const BEACON_PATH = '/beacon/v1/batch' as const;

const table = [
  ...[...ingestionPaths, ...segmentBrowserPaths, BEACON_PATH].map(
    (path) => ({ method: 'POST', path, fn: 'ingest', group: 'ingestion', auth: 'write' }) as const,
  ),
  // What the browser SDKs load before they send: the write key is in the path or the query.
  {
    method: 'GET',
    path: '/v1/projects/{writeKey}/settings',
    fn: 'ingest',
    group: 'browser-settings',
    auth: 'write',
  },
  { method: 'GET', path: '/sourceConfig', fn: 'ingest', group: 'browser-settings', auth: 'write' },
  { method: 'GET', path: '/v1/users/{userId}/profile', fn: 'readApi', group: 'profiles', auth: 'read' },
  { method: 'GET', path: '/v1/users/{userId}/segment', fn: 'readApi', group: 'segment-lookup', auth: 'read' },
  { method: 'GET', path: '/v1/users/{userId}/history', fn: 'readApi', group: 'segment-lookup', auth: 'read' },
  { method: 'GET', path: '/v1/segments', fn: 'readApi', group: 'catalogue', auth: 'read' },
  // Its own static path (not /v1/segments/{segmentId}…), so no segment id can shadow it.
  { method: 'GET', path: '/v1/segments-over-time', fn: 'readApi', group: 'catalogue', auth: 'read' },
  { method: 'GET', path: '/v1/segments/{segmentId}/lift', fn: 'readApi', group: 'catalogue', auth: 'read' },
  { method: 'PUT', path: '/v1/segments/{segmentId}/policy', fn: 'readApi', group: 'policies', auth: 'admin' },
  {
    method: 'DELETE',
    path: '/v1/segments/{segmentId}/policy',
    fn: 'readApi',
    group: 'policies',
    auth: 'admin',
  },
  {
    method: 'GET',
    path: '/v1/segments/{segmentId}/members',
    fn: 'readApi',
    group: 'catalogue',
    auth: 'read',
  },
  {
    method: 'GET',
    path: '/v1/segments/{segmentId}/profile',
    fn: 'readApi',
    group: 'catalogue',
    auth: 'read',
  },
  { method: 'GET', path: '/v1/models', fn: 'readApi', group: 'models', auth: 'read' },
  { method: 'GET', path: '/v1/models/{version}', fn: 'readApi', group: 'models', auth: 'read' },
  // The API description is public: tools fetch it before they have a key.
  { method: 'GET', path: '/openapi.json', fn: 'readApi', group: 'api-description', auth: 'none' },
  { method: 'DELETE', path: '/v1/users/{userId}', fn: 'admin', group: 'erasure', auth: 'admin' },
] as const satisfies readonly Route[];

export const routes: readonly Route[] = table;

type TableRoute = (typeof table)[number];

/** API Gateway's route key, "GET /v1/users/{userId}/profile": what a Lambda event's `routeKey` holds. */
export type RouteKey<Where extends Partial<Route> = Route> =
  Extract<TableRoute, Where> extends infer R
    ? R extends { method: infer M extends string; path: infer P extends string }
      ? `${M} ${P}`
      : never
    : never;

export const routeKeyOf = (route: Route): string => `${route.method} ${route.path}`;

const byKey = new Map(routes.map((route) => [routeKeyOf(route), route]));

/** The route of an API Gateway route key (no path matching: API Gateway or the bridge matched). */
export const routeByKey = (routeKey: string | undefined): Route | undefined =>
  routeKey === undefined ? undefined : byKey.get(routeKey);

/** The names of a path template's parameters, in order: `{userId}` → `userId`. */
export const pathParameterNames = (path: string): string[] =>
  [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1] as string);

const templateRegex = (template: string): RegExp =>
  new RegExp(`^${template.replace(/\{(\w+)\}/g, (_m, name: string) => `(?<${name}>[^/]+)`)}/?$`);

const compiled = routes.map((route) => ({ route, regex: templateRegex(route.path) }));

export interface RouteMatch {
  /** The route taking the method, if any. */
  readonly route?: Route;
  /** Its raw (still URL-encoded) path parameters; for OPTIONS, those of the path's preflight route. */
  readonly params: Readonly<Record<string, string>>;
  /** The function serving the path under some method (CORS preflight and 405 answers), if any. */
  readonly pathOwner?: FunctionName;
  /** For OPTIONS on a known path: its preflight route (see `preflightRoutes`). */
  readonly preflight?: PreflightRoute;
}

/**
 * One `OPTIONS <path>` route per path of the table, to the function owning the path, which answers
 * CORS preflight itself: per write key and origin on the browser-facing (write) paths, for any
 * origin elsewhere. The stack adds these routes to API Gateway, which therefore has no CORS
 * configuration of its own (it would answer every preflight, and override the functions' headers).
 */
export interface PreflightRoute {
  readonly path: string;
  readonly fn: FunctionName;
  /** Whether the path takes the write key: its preflight is answered per key and origin. */
  readonly browser: boolean;
}

export const preflightRoutes: readonly PreflightRoute[] = [...new Set(routes.map((route) => route.path))].map(
  (path) => {
    const onPath = routes.filter((route) => route.path === path);
    return {
      path,
      fn: (onPath[0] as Route).fn,
      browser: onPath.some((route) => route.auth === 'write'),
    };
  },
);

export const preflightRouteKey = (path: string): string => `OPTIONS ${path}`;

const preflightByKey = new Map(preflightRoutes.map((route) => [preflightRouteKey(route.path), route]));

/** The preflight route of an API Gateway route key (`OPTIONS /v1/track`), if it is one. */
export const preflightByRouteKey = (routeKey: string | undefined): PreflightRoute | undefined =>
  routeKey === undefined ? undefined : preflightByKey.get(routeKey);

/** Matches a request against the table, once: in the stack API Gateway does it, locally the bridge. */
export const matchRoute = (method: string, path: string): RouteMatch => {
  let pathOwner: FunctionName | undefined;
  for (const { route, regex } of compiled) {
    const match = regex.exec(path);
    if (!match) continue;
    if (method === 'OPTIONS')
      return {
        params: { ...match.groups },
        pathOwner: route.fn,
        preflight: preflightByKey.get(preflightRouteKey(route.path)) as PreflightRoute,
      };
    pathOwner ??= route.fn;
    if (route.method === method) return { route, params: { ...match.groups }, pathOwner };
  }
  return { params: {}, ...(pathOwner ? { pathOwner } : {}) };
};

/** The function serving a path under some method (the edge's 405-or-404 answer to an unrouted request). */
export const functionForPath = (path: string): FunctionName | undefined =>
  compiled.find(({ regex }) => regex.test(path))?.route.fn;

/** The keys that open a route: the admin key opens the read routes too (the edge checks it so). */
export const rolesOpening = (auth: Route['auth']): readonly KeyRole[] =>
  auth === 'none' ? [] : auth === 'read' ? ['read', 'admin'] : [auth];

/**
 * The roles whose keys each HTTP function checks, from its routes: the stack grants each function
 * exactly these secrets, and no other function gets any key.
 */
export const functionKeyRoles: Readonly<Record<FunctionName, readonly KeyRole[]>> = Object.fromEntries(
  FUNCTION_NAMES.map((fn) => {
    const opening = new Set(
      routes.filter((route) => route.fn === fn).flatMap((route) => rolesOpening(route.auth)),
    );
    return [fn, KEY_ROLES.filter((role) => opening.has(role))];
  }),
) as unknown as Record<FunctionName, readonly KeyRole[]>;
