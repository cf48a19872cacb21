/**
 * Turns a Node HTTP request into the API Gateway HTTP API (payload v2) event that Lambda
 * receives, calls the same handler function, and writes its result back. Like API Gateway, it
 * matches the request against the route table (shared/contract/routes.ts) and says which route it matched
 * in `routeKey` and `pathParameters` (still URL-encoded): the handlers never match again.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { type FunctionName, matchRoute, preflightRouteKey, routeKeyOf } from '#shared/contract/routes';

export type LambdaHttpHandler = (event: APIGatewayProxyEventV2) => Promise<APIGatewayProxyStructuredResultV2>;

/** API Gateway's own payload limit. */
const MAX_REQUEST_BYTES = 10 * 1024 * 1024;

const TEXT_TYPES = /^(application\/(json|.*\+json|x-www-form-urlencoded|xml)|text\/)/i;

const readBody = (req: IncomingMessage): Promise<Buffer | 'too-large'> =>
  new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_REQUEST_BYTES) chunks.push(chunk);
    });
    req.on('end', () => resolve(size > MAX_REQUEST_BYTES ? 'too-large' : Buffer.concat(chunks)));
    req.on('error', reject);
  });

const sendJson = (res: ServerResponse, status: number, body: unknown) => {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
  res.end(JSON.stringify(body));
};

export const toLambdaEvent = (
  req: IncomingMessage,
  body: Buffer,
  routeKey: string,
  pathParameters: Readonly<Record<string, string>>,
): APIGatewayProxyEventV2 => {
  const url = new URL(req.url ?? '/', 'http://localhost');
  // API Gateway tells the function how the client connected; here that is plain HTTP, unless a
  // proxy in front (a test's, a developer's tunnel) said otherwise.
  const headers: Record<string, string> = { 'x-forwarded-proto': 'http' };
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers[name.toLowerCase()] = Array.isArray(value) ? value.join(',') : value;
  }
  const query: Record<string, string> = {};
  for (const [name, value] of url.searchParams)
    query[name] = name in query ? `${query[name]},${value}` : value;
  // API Gateway base64-encodes bodies that are not text, and compressed bodies are not.
  const binary =
    body.length > 0 && (!TEXT_TYPES.test(headers['content-type'] ?? '') || !!headers['content-encoding']);
  const now = new Date();
  return {
    version: '2.0',
    routeKey,
    rawPath: url.pathname,
    rawQueryString: url.search.slice(1),
    headers,
    ...(url.search ? { queryStringParameters: query } : {}),
    ...(Object.keys(pathParameters).length > 0 ? { pathParameters } : {}),
    requestContext: {
      accountId: 'local',
      apiId: 'local',
      domainName: headers.host ?? 'localhost',
      domainPrefix: 'localhost',
      http: {
        method: req.method ?? 'GET',
        path: url.pathname,
        protocol: `HTTP/${req.httpVersion}`,
        sourceIp: req.socket.remoteAddress ?? '127.0.0.1',
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: randomUUID(),
      routeKey,
      stage: '$default',
      time: now.toISOString(),
      timeEpoch: now.getTime(),
    },
    ...(body.length > 0 ? { body: binary ? body.toString('base64') : body.toString('utf8') } : {}),
    isBase64Encoded: binary,
  };
};

/** A Node request listener that dispatches to the Lambda handlers by the shared route table. */
export const lambdaHttpBridge =
  (handlers: Record<FunctionName, LambdaHttpHandler>) =>
  async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    try {
      const body = await readBody(req);
      if (body === 'too-large')
        return sendJson(res, 413, { error: 'payload_too_large', message: 'request larger than 10 MB' });
      const method = req.method ?? 'GET';
      const path = new URL(req.url ?? '/', 'http://localhost').pathname;
      // Matched once, here, as API Gateway matches in the stack; the handler dispatches by route key.
      const match = matchRoute(method, path);
      // Preflight goes to its OPTIONS route, as in the stack; wrong methods go, as `$default`, to
      // the function owning the path, which answers them.
      const fn = match.route?.fn ?? match.pathOwner;
      if (!fn) return sendJson(res, 404, { error: 'not_found', message: `no route for ${method} ${path}` });
      const routeKey = match.route
        ? routeKeyOf(match.route)
        : match.preflight
          ? preflightRouteKey(match.preflight.path)
          : '$default';
      const result = await handlers[fn](toLambdaEvent(req, body, routeKey, match.params));
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(result.headers ?? {})) headers[name] = String(value);
      res.writeHead(result.statusCode ?? 200, headers);
      res.end(
        result.body === undefined
          ? undefined
          : Buffer.from(result.body, result.isBase64Encoded ? 'base64' : 'utf8'),
      );
    } catch (error) {
      if (!res.headersSent)
        sendJson(res, 500, {
          error: 'internal',
          message: error instanceof Error ? error.message : 'internal error',
        });
      else res.end();
    }
  };
