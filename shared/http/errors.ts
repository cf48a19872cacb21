/** Errors a handler maps to an HTTP answer, all in one place (`errorResponse`). */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly field?: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export const badRequest = (message: string, field?: string) =>
  new HttpError(400, 'bad_request', message, field);
/** Ingestion takes the write key as basic auth (as Segment clients send it); the other endpoints a bearer key. */
export const unauthorized = (message = 'a valid key is required', scheme: 'Basic' | 'Bearer' = 'Basic') =>
  new HttpError(401, 'unauthorized', message, undefined, {
    'www-authenticate': `${scheme} realm="segmentation"`,
  });
/** A browser request from an origin its write key does not list; `field` says it is the Origin header. */
export const originNotAllowed = (origin: string) =>
  new HttpError(
    403,
    'origin_not_allowed',
    `the origin ${origin} is not allowed for this write key`,
    'origin',
  );
export const notFound = (message: string) => new HttpError(404, 'not_found', message);
export const methodNotAllowed = () =>
  new HttpError(405, 'method_not_allowed', 'method not allowed on this path');
export const payloadTooLarge = (message: string) => new HttpError(413, 'payload_too_large', message);
export const unsupportedEncoding = (encoding: string) =>
  new HttpError(
    415,
    'unsupported_encoding',
    `Content-Encoding "${encoding}" is not supported (use gzip, deflate, br or none)`,
  );
