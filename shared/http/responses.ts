import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { errorFields, type Logger } from '#shared/kernel/ports/logger';
import { HttpError } from './errors';

export type HttpResponse = APIGatewayProxyStructuredResultV2 & {
  statusCode: number;
  headers: Record<string, string>;
};

export const corsHeaders: Record<string, string> = {
  'access-control-allow-origin': '*',
  'access-control-allow-methods': 'GET,POST,PUT,DELETE,OPTIONS',
  'access-control-allow-headers': 'authorization,content-type,content-encoding,x-correlation-id',
  'access-control-max-age': '600',
};

export const json = (
  statusCode: number,
  body: unknown,
  headers: Record<string, string> = {},
): HttpResponse => ({
  statusCode,
  headers: { 'content-type': 'application/json; charset=utf-8', ...corsHeaders, ...headers },
  body: JSON.stringify(body),
});

export const text = (
  statusCode: number,
  body: string,
  contentType: string,
  headers: Record<string, string> = {},
): HttpResponse => ({
  statusCode,
  headers: { 'content-type': contentType, ...corsHeaders, ...headers },
  body,
});

export const noContent = (): HttpResponse => ({ statusCode: 204, headers: { ...corsHeaders }, body: '' });

/** The answer with its CORS headers replaced: browser-facing routes answer per origin, not `*`. */
export const withCors = (response: HttpResponse, cors: Record<string, string>): HttpResponse => ({
  ...response,
  headers: {
    ...Object.fromEntries(
      Object.entries(response.headers).filter(([name]) => !name.startsWith('access-control-')),
    ),
    ...cors,
  },
});

const THROTTLE_NAMES = new Set([
  'ProvisionedThroughputExceededException',
  'ThrottlingException',
  'RequestLimitExceeded',
  'SlowDown',
  'WriteContentionError',
  'BatchIncompleteError',
]);

/** Maps any error to a JSON answer; storage trouble becomes a 5xx so clients retry. */
export const errorResponse = (error: unknown, logger: Logger): HttpResponse => {
  if (error instanceof HttpError) {
    return json(
      error.status,
      { error: error.code, message: error.message, ...(error.field ? { field: error.field } : {}) },
      error.headers,
    );
  }
  const name = error instanceof Error ? error.name : 'Unknown';
  if (THROTTLE_NAMES.has(name)) {
    logger.warn('storage throttled', { errorName: name });
    return json(
      503,
      { error: 'throttled', message: 'storage is busy; retry the same request' },
      { 'retry-after': '1' },
    );
  }
  logger.error('request failed', errorFields(error));
  return json(500, {
    error: 'internal',
    message: 'the request could not be completed; retry the same request',
  });
};
