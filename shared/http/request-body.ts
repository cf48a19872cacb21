import { brotliDecompressSync, gunzipSync, inflateSync } from 'node:zlib';
import { badRequest, HttpError, payloadTooLarge, unsupportedEncoding } from './errors';

/**
 * Decodes a request body by its Content-Encoding (whatever its Content-Type says: the
 * RudderStack client labels gzip JSON as form-urlencoded) and parses it as JSON. The size
 * limit applies to the decoded body, and decompression stops past it (no zip bombs).
 */
export const decodeJsonBody = (
  body: string | undefined,
  isBase64Encoded: boolean,
  contentEncoding: string | undefined,
  maxBytes: number,
): unknown => {
  if (body === undefined || body === '')
    throw badRequest('the request body is empty; send a JSON object', 'body');
  let bytes = Buffer.from(body, isBase64Encoded ? 'base64' : 'utf8');
  const encoding = (contentEncoding ?? '').trim().toLowerCase();
  if (encoding && encoding !== 'identity') {
    const limit = { maxOutputLength: maxBytes + 1 };
    try {
      if (encoding === 'gzip' || encoding === 'x-gzip') bytes = gunzipSync(bytes, limit);
      else if (encoding === 'deflate') bytes = inflateSync(bytes, limit);
      else if (encoding === 'br') bytes = brotliDecompressSync(bytes, limit);
      else throw unsupportedEncoding(encoding);
    } catch (error) {
      if (error instanceof RangeError || (error as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE')
        throw payloadTooLarge(`the decoded body is larger than ${maxBytes} bytes`);
      if (error instanceof HttpError) throw error;
      throw badRequest(`the body could not be decoded as ${encoding}`, 'body');
    }
  }
  if (bytes.length > maxBytes) throw payloadTooLarge(`the body is larger than ${maxBytes} bytes`);
  try {
    return JSON.parse(bytes.toString('utf8'));
  } catch {
    throw badRequest('the body is not valid JSON', 'body');
  }
};
