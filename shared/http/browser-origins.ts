/**
 * Browser keys and their origins at the HTTP edge: which origins a presented write key may send
 * from, and the CORS headers of the browser-facing (write) routes. The key check, not CORS, is
 * what refuses a foreign page (403, nothing stored): CORS only decides which pages may read the
 * answers, so it answers the shops' origins — those some browser key lists.
 */
import type { BrowserKeys } from '#shared/contract/browser-keys';
import { keyMatches, keyMatchesAny } from './auth';

/**
 * What the browser SDKs send cross-origin besides the CORS-safelisted headers: analytics-next
 * (Authorization since 1.84, X-Retry-Count on retries) and RudderStack JS v3's XHR queue
 * (Authorization, AnonymousId, SentAt and its retry headers).
 */
const ALLOWED_REQUEST_HEADERS = [
  'authorization',
  'content-type',
  'content-encoding',
  'x-correlation-id',
  'x-retry-count',
  'anonymousid',
  'sentat',
  'rsa-recovered',
  'rsa-retry-attempt',
  'rsa-since-last-attempt',
  'rsa-since-first-attempt',
  'rsa-retry-reason',
].join(',');

/** Chromium's ceiling for caching a preflight answer. */
const PREFLIGHT_MAX_AGE_SECONDS = '7200';

export interface BrowserOrigins {
  /**
   * The origins `given` may send from, when it is a write key: its list for a browser key, none
   * for the server-side write key (whose requests carry no Origin); undefined for no key at all.
   * Every key is compared in constant time, so the timing says nothing about which matched.
   */
  allowedFor(given: string, serverKeys: readonly string[]): readonly string[] | undefined;
  /**
   * CORS headers of a browser-facing answer to a request from `origin`: granted to the origins
   * `allowed` when given (a preflight whose URL names the key), else to every shop origin.
   */
  corsHeaders(origin: string | undefined, allowed?: readonly string[]): Record<string, string>;
}

export const browserOrigins = (keys: BrowserKeys): BrowserOrigins => {
  const entries = Object.entries(keys);
  const shopOrigins = new Set(entries.flatMap(([, origins]) => origins));
  return {
    allowedFor: (given, serverKeys) => {
      let found: readonly string[] | undefined;
      for (const [key, origins] of entries) if (keyMatches(given, key)) found = origins;
      const isServerKey = keyMatchesAny(given, serverKeys);
      return found ?? (isServerKey ? [] : undefined);
    },
    corsHeaders: (origin, allowed) => {
      // Answers differ by Origin, so no cache may serve one origin's answer to another.
      const vary = { vary: 'origin' };
      if (origin === undefined || !(allowed ? allowed.includes(origin) : shopOrigins.has(origin)))
        return vary;
      return {
        ...vary,
        'access-control-allow-origin': origin,
        'access-control-allow-methods': 'GET,POST,OPTIONS',
        'access-control-allow-headers': ALLOWED_REQUEST_HEADERS,
        'access-control-max-age': PREFLIGHT_MAX_AGE_SECONDS,
      };
    },
  };
};
