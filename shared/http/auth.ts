import { createHash, timingSafeEqual } from 'node:crypto';

const digest = (value: string) => createHash('sha256').update(value).digest();

/** Constant-time comparison: hashing first makes the lengths equal too. */
export const keyMatches = (given: string | undefined, expected: string): boolean =>
  given !== undefined && expected.length > 0 && timingSafeEqual(digest(given), digest(expected));

/** Whether the given key equals any accepted one; every candidate is compared, so timing says nothing. */
export const keyMatchesAny = (given: string | undefined, accepted: readonly string[]): boolean =>
  accepted.reduce((found, expected) => keyMatches(given, expected) || found, false);

const header = (headers: Record<string, string | undefined>, name: string): string | undefined =>
  headers[name] ?? headers[name.toLowerCase()];

/** The user part of HTTP basic auth (Segment sends the write key as user, empty password). */
export const basicAuthUser = (headers: Record<string, string | undefined>): string | undefined => {
  const value = header(headers, 'authorization');
  const match = value && /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(value);
  if (!match?.[1]) return undefined;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon === -1 ? decoded : decoded.slice(0, colon);
};

export const bearerToken = (headers: Record<string, string | undefined>): string | undefined => {
  const value = header(headers, 'authorization');
  const match = value && /^Bearer\s+(\S+)\s*$/i.exec(value);
  return match?.[1];
};
