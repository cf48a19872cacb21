/**
 * Every HTTP route and the function that serves it: the CDK stack builds its API routes from
 * this list and the local server dispatches with it, so the two cannot drift apart.
 */
export type FunctionName = 'ingest' | 'readApi' | 'admin';

export interface Route {
  readonly method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** API Gateway path template. */
  readonly path: string;
  readonly fn: FunctionName;
}

export const ingestionPaths = [
  '/v1/batch',
  '/v1/track',
  '/v1/identify',
  '/v1/page',
  '/v1/screen',
  '/v1/group',
  '/v1/alias',
] as const;

export const routes: readonly Route[] = [
  ...ingestionPaths.map((path) => ({ method: 'POST' as const, path, fn: 'ingest' as const })),
  { method: 'GET', path: '/v1/users/{userId}/profile', fn: 'readApi' },
  { method: 'GET', path: '/v1/users/{userId}/segment', fn: 'readApi' },
  { method: 'GET', path: '/v1/users/{userId}/history', fn: 'readApi' },
  { method: 'GET', path: '/v1/segments', fn: 'readApi' },
  { method: 'PUT', path: '/v1/segments/{segmentId}/policy', fn: 'readApi' },
  { method: 'DELETE', path: '/v1/segments/{segmentId}/policy', fn: 'readApi' },
  { method: 'GET', path: '/v1/segments/{segmentId}/members', fn: 'readApi' },
  { method: 'GET', path: '/v1/models', fn: 'readApi' },
  { method: 'GET', path: '/v1/models/{version}', fn: 'readApi' },
  { method: 'GET', path: '/openapi.json', fn: 'readApi' },
  { method: 'DELETE', path: '/v1/users/{userId}', fn: 'admin' },
];

const templateRegex = (template: string): RegExp =>
  new RegExp(`^${template.replace(/\{(\w+)\}/g, (_m, name: string) => `(?<${name}>[^/]+)`)}/?$`);

const compiled = routes.map((route) => ({ route, regex: templateRegex(route.path) }));

/** The route for a path (any method), with its raw path parameters. */
export const matchRoute = (
  method: string,
  path: string,
): { route: Route; params: Record<string, string> } | { pathKnown: boolean } => {
  let pathKnown = false;
  for (const { route, regex } of compiled) {
    const match = regex.exec(path);
    if (!match) continue;
    pathKnown = true;
    if (route.method === method) return { route, params: { ...match.groups } };
  }
  return { pathKnown };
};

/** The function serving a path whatever the method (for CORS preflight and 405 answers). */
export const functionForPath = (path: string): FunctionName | undefined =>
  compiled.find(({ regex }) => regex.test(path))?.route.fn;
