/**
 * Hostile and malformed traffic against the real local runtime, generated from tables
 * (cases × endpoints). Every such request must get a 4xx JSON answer naming the error (and the
 * field at fault, where there is one), never a 5xx; valid events travelling in the same batch as
 * invalid ones must still be stored; and the service must keep working afterwards.
 */
import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { ingestionPaths } from '#shared/contract/routes';
import { basicAuth, getProfile, keys, useLocalService } from '../support/local-service';

const service = useLocalService();

// ---------------------------------------------------------------------------------------------
// Plumbing.

const INGEST_PATHS = ingestionPaths;
type IngestPath = (typeof INGEST_PATHS)[number];
const SINGLE_PATHS = INGEST_PATHS.filter((p) => p !== '/v1/batch');

/** Shoppers: valid events go to MIXED; invalid ones name INVALID or UNAUTHORISED, which must never get a profile. */
const MIXED = 'hostile-mixed';
const INVALID = 'hostile-invalid';
const UNAUTHORISED = 'hostile-unauthorised';
const DEFECTS = 'hostile-defects';

interface Answer {
  readonly status: number;
  readonly headers: Headers;
  readonly body: Record<string, unknown>;
}

/** Every answer to a generated request, to check at the end that none was a 5xx. */
const answered: { label: string; status: number }[] = [];

const send = async (
  method: string,
  path: string,
  init: { headers?: Record<string, string>; body?: string | Uint8Array; record?: boolean } = {},
): Promise<Answer> => {
  const res = await fetch(`${service.url}${path}`, {
    method,
    headers: init.headers ?? {},
    ...(init.body !== undefined ? { body: init.body } : {}),
  });
  const text = await res.text();
  let body: Record<string, unknown>;
  try {
    body = JSON.parse(text) as Record<string, unknown>;
  } catch {
    body = { notJson: text };
  }
  if (init.record !== false) answered.push({ label: `${method} ${path}`, status: res.status });
  return { status: res.status, headers: res.headers, body };
};

const jsonHeaders = (key: string | null = keys.writeKey): Record<string, string> => ({
  'content-type': 'application/json',
  ...(key === null ? {} : { authorization: basicAuth(key) }),
});

/** A 4xx JSON error answer: status, `error` code, a message and, when given, the field at fault. */
const expectError = (answer: Answer, status: number, error: string, field?: string | null) => {
  expect(answer.status, JSON.stringify(answer.body)).toBe(status);
  expect(answer.headers.get('content-type')).toMatch(/^application\/json/);
  expect(answer.body.error).toBe(error);
  expect(typeof answer.body.message).toBe('string');
  if (field === null) expect(answer.body).not.toHaveProperty('field');
  else if (field !== undefined) expect(answer.body.field).toBe(field);
};

/** JSON text with `raw('1e999')` markers turned into bare JSON tokens (JSON.stringify cannot write them). */
const raw = (token: string) => `@@raw(${token})@@`;
const toJson = (value: unknown): string => JSON.stringify(value).replace(/"@@raw\((.*?)\)@@"/g, '$1');

/** A symbol value makes JSON.stringify leave the key out: a way to delete a field from a base message. */
const OMIT = Symbol('omit');

let sequence = 0;
const uid = (prefix: string) => `${prefix}-${++sequence}`;
const nowIso = () => new Date().toISOString();

let validPagesSent = 0;
/** A valid page view for MIXED; the count is checked against the profile at the end. */
const validPage = (userId = MIXED) => {
  if (userId === MIXED) validPagesSent += 1;
  return {
    type: 'page',
    userId,
    messageId: uid('page'),
    timestamp: nowIso(),
    name: 'Home',
    properties: { path: '/' },
  };
};

type SingleType = 'track' | 'identify' | 'page' | 'screen' | 'group' | 'alias';

/** A valid message of each type (for the single-message endpoints and for auth cases). */
const validMessage = (type: SingleType, userId: string): Record<string, unknown> => {
  const base = { type, userId, messageId: uid(type), timestamp: nowIso() };
  switch (type) {
    case 'track':
      return {
        ...base,
        event: 'Product Viewed',
        properties: { product_id: 'p-1', category: 'Hats', price: 5 },
      };
    case 'identify':
      return { ...base, traits: { email: 'shopper@example.com' } };
    case 'page':
    case 'screen':
      return { ...base, name: 'Home' };
    case 'group':
      return { ...base, groupId: 'g-1' };
    case 'alias':
      return { ...base, previousId: 'previous' };
  }
};

const typeOfPath = (path: IngestPath): SingleType => path.slice('/v1/'.length) as SingleType;

/** A valid request body for the endpoint, for `userId`. */
const validBody = (
  path: IngestPath,
  userId: string,
  extra: Record<string, unknown> = {},
): Record<string, unknown> =>
  path === '/v1/batch'
    ? { batch: [validMessage('page', userId)], ...extra }
    : { ...validMessage(typeOfPath(path), userId), ...extra };

const cross = <A, B>(as: readonly A[], bs: readonly B[]): [A, B][] =>
  as.flatMap((a) => bs.map((b): [A, B] => [a, b]));

// ---------------------------------------------------------------------------------------------
// 1. Bodies that are not a JSON object.

const BAD_BODIES: { label: string; body: string | Uint8Array; contentType?: string }[] = [
  { label: 'plain text', body: 'hello, service' },
  { label: 'truncated JSON', body: '{"batch":[{"type":"track","event":"Order Comp' },
  { label: 'a JSON array', body: '[{"type":"page","userId":"u"}]' },
  { label: 'an empty JSON array', body: '[]' },
  { label: 'a JSON string', body: '"batch"' },
  { label: 'a JSON number', body: '42' },
  { label: 'JSON null', body: 'null' },
  { label: 'JSON true', body: 'true' },
  { label: 'an empty body', body: '' },
  { label: 'only whitespace', body: ' \n\t ' },
  { label: 'a NaN literal', body: '{"batch":NaN}' },
  { label: 'an Infinity literal', body: '{"batch":[],"revenue":Infinity}' },
  { label: 'single-quoted keys', body: "{'batch':[]}" },
  { label: 'a trailing comma', body: '{"batch":[],}' },
  { label: 'a comment', body: '{"batch":[] /* no */}' },
  { label: 'two JSON documents', body: '{"batch":[]}{"batch":[]}' },
  { label: 'invalid UTF-8 bytes', body: new Uint8Array([0xff, 0xfe, 0x7b, 0x7d]) },
  {
    label: 'binary garbage as octet-stream',
    body: new Uint8Array([0, 1, 2, 3, 250, 251]),
    contentType: 'application/octet-stream',
  },
  {
    label: 'form-urlencoded fields',
    body: 'batch=1&writeKey=x',
    contentType: 'application/x-www-form-urlencoded',
  },
];

describe('bodies that are not a JSON object: 400 on every ingest endpoint', () => {
  it.each(cross(BAD_BODIES, INGEST_PATHS).map(([c, path]) => ({ ...c, path })))(
    '$label → POST $path',
    async (c) => {
      const answer = await send('POST', c.path, {
        headers: { ...jsonHeaders(), ...(c.contentType ? { 'content-type': c.contentType } : {}) },
        body: c.body,
      });
      expectError(answer, 400, 'bad_request', 'body');
    },
  );
});

describe('/v1/batch without a batch array: 400 naming `batch`', () => {
  const cases: { label: string; body: string }[] = [
    { label: 'no batch at all', body: '{}' },
    { label: 'batch an object', body: '{"batch":{"0":{"type":"page"}}}' },
    { label: 'batch a string', body: '{"batch":"[]"}' },
    { label: 'batch null', body: '{"batch":null}' },
    { label: 'batch a number', body: '{"batch":3}' },
    { label: 'batch a boolean', body: '{"batch":true}' },
    { label: 'Batch with a capital B', body: '{"Batch":[]}' },
    {
      label: 'batch only behind __proto__',
      body: `{"__proto__":{"batch":[${toJson(validMessage('page', INVALID))}]}}`,
    },
    { label: 'batch only behind constructor.prototype', body: '{"constructor":{"prototype":{"batch":[]}}}' },
  ];
  it.each(cases)('$label', async (c) => {
    expectError(
      await send('POST', '/v1/batch', { headers: jsonHeaders(), body: c.body }),
      400,
      'bad_request',
      'batch',
    );
  });
});

// ---------------------------------------------------------------------------------------------
// 2. Credentials.

const AUTH_CASES: {
  label: string;
  headers: Record<string, string>;
  extra?: Record<string, unknown>;
  rawPrefix?: string;
}[] = [
  { label: 'no credentials at all', headers: jsonHeaders(null) },
  { label: 'a wrong write key', headers: jsonHeaders('not-the-key') },
  { label: 'an empty write key', headers: jsonHeaders('') },
  { label: 'the read key', headers: jsonHeaders(keys.readKey) },
  { label: 'the admin key', headers: jsonHeaders(keys.adminKey) },
  { label: 'the write key in upper case', headers: jsonHeaders(keys.writeKey.toUpperCase()) },
  { label: 'the write key with a trailing space', headers: jsonHeaders(`${keys.writeKey} `) },
  {
    label: 'the write key as a Bearer token',
    headers: { ...jsonHeaders(null), authorization: `Bearer ${keys.writeKey}` },
  },
  {
    label: 'malformed basic credentials',
    headers: { ...jsonHeaders(null), authorization: 'Basic %%%not-base64%%%' },
  },
  { label: 'a wrong writeKey in the body', headers: jsonHeaders(null), extra: { writeKey: 'not-the-key' } },
  { label: 'an empty writeKey in the body', headers: jsonHeaders(null), extra: { writeKey: '' } },
  {
    label: 'a writeKey in the body that is an array',
    headers: jsonHeaders(null),
    extra: { writeKey: [keys.writeKey] },
  },
  {
    label: 'a writeKey in the body that is an object',
    headers: jsonHeaders(null),
    extra: { writeKey: { key: keys.writeKey } },
  },
  {
    label: 'a wrong basic key with the right writeKey in the body (the header wins)',
    headers: jsonHeaders('not-the-key'),
    extra: { writeKey: keys.writeKey },
  },
  {
    label: 'the right writeKey only behind __proto__',
    headers: jsonHeaders(null),
    rawPrefix: `"__proto__":{"writeKey":"${keys.writeKey}"},`,
  },
];

describe('writes without a valid write key: 401 on every ingest endpoint', () => {
  it.each(cross(AUTH_CASES, INGEST_PATHS).map(([c, path]) => ({ ...c, path })))(
    '$label → POST $path',
    async (c) => {
      const json = toJson(validBody(c.path, UNAUTHORISED, c.extra));
      const body = c.rawPrefix ? `{${c.rawPrefix}${json.slice(1)}` : json;
      const answer = await send('POST', c.path, { headers: c.headers, body });
      expectError(answer, 401, 'unauthorized', null);
      expect(answer.headers.get('www-authenticate')).toMatch(/^Basic /);
    },
  );
});

describe('reads with the admin key: allowed (an operator can read what they administer)', () => {
  it('answers the profile read, not 401', async () => {
    const answer = await send('GET', `/v1/users/${MIXED}/profile`, {
      headers: { authorization: `Bearer ${keys.adminKey}` },
    });
    expect([200, 404]).toContain(answer.status);
    if (answer.status === 200) expect(answer.body).toMatchObject({ shopperId: MIXED });
    else expect(answer.body).toMatchObject({ error: 'not_found' });
  });
});

describe('reads without a valid read key: 401', () => {
  const cases: { label: string; headers: Record<string, string> }[] = [
    { label: 'no credentials', headers: {} },
    { label: 'the write key as Bearer', headers: { authorization: `Bearer ${keys.writeKey}` } },
    { label: 'a wrong Bearer token', headers: { authorization: 'Bearer nope' } },
    { label: 'Bearer without a token', headers: { authorization: 'Bearer ' } },
    { label: 'the read key with a second word', headers: { authorization: `Bearer ${keys.readKey} extra` } },
    { label: 'the read key as basic auth', headers: { authorization: basicAuth(keys.readKey) } },
    {
      label: 'the read key in upper case',
      headers: { authorization: `Bearer ${keys.readKey.toUpperCase()}` },
    },
    { label: 'the read key without a scheme', headers: { authorization: keys.readKey } },
  ];
  it.each(cases)('$label', async (c) => {
    expectError(
      await send('GET', `/v1/users/${MIXED}/profile`, { headers: c.headers }),
      401,
      'unauthorized',
      null,
    );
  });
});

// ---------------------------------------------------------------------------------------------
// 3. Routes and methods.

describe('wrong methods: 405', () => {
  const ingest = cross(['GET', 'PUT', 'DELETE', 'PATCH'], INGEST_PATHS).map(([method, path]) => ({
    method,
    path,
  }));
  const read = ['POST', 'PUT', 'DELETE', 'PATCH'].map((method) => ({
    method,
    path: `/v1/users/${MIXED}/profile`,
  }));
  // The erase route (admin function) is DELETE only.
  const admin = ['GET', 'POST', 'PUT', 'PATCH'].map((method) => ({ method, path: '/v1/users/u-1' }));
  it.each([...ingest, ...read, ...admin])('$method $path', async (c) => {
    const answer = await send(c.method, c.path, {
      headers: jsonHeaders(),
      ...(c.method === 'GET' ? {} : { body: toJson({ batch: [] }) }),
    });
    expectError(answer, 405, 'method_not_allowed', null);
  });
});

describe('unknown routes: 404', () => {
  const paths = [
    '/',
    '/v1',
    '/v1/',
    '/v1/batches',
    '/v2/batch',
    '/v1/batch/extra',
    '/V1/BATCH',
    '/v1/track.json',
    '/v1/users',
    '/v1/users//profile',
    '/v1/users/u-1/profile/extra',
    '/v1/users/u-1/profile.json',
    '/favicon.ico',
    '/v1/__proto__',
    '/v1/constructor',
  ];
  it.each(cross(['GET', 'POST'], paths).map(([method, path]) => ({ method, path })))(
    '$method $path',
    async (c) => {
      const answer = await send(c.method, c.path, {
        headers: {
          ...jsonHeaders(),
          ...(c.method === 'GET' ? { authorization: `Bearer ${keys.readKey}` } : {}),
        },
        ...(c.method === 'GET' ? {} : { body: toJson({ batch: [] }) }),
      });
      expectError(answer, 404, 'not_found', null);
    },
  );
});

describe('profile route with a bad userId: 400 naming `userId`', () => {
  const ids = [
    '%E0%A4%A',
    '%',
    '%ZZ',
    '%C0%AF',
    '%ED%A0%80',
    '%FF',
    `${'u'.repeat(257)}`,
    '%00abc',
    'a%1Fb',
    'a%7Fb',
    '%0A',
  ];
  it.each(ids)('/v1/users/%s/profile', async (id) => {
    const answer = await send('GET', `/v1/users/${id}/profile`, {
      headers: { authorization: `Bearer ${keys.readKey}` },
    });
    expectError(answer, 400, 'bad_request', 'userId');
  });

  it('a well-formed userId of 256 characters that has no profile is 404', async () => {
    const answer = await send('GET', `/v1/users/${'u'.repeat(256)}/profile`, {
      headers: { authorization: `Bearer ${keys.readKey}` },
    });
    expectError(answer, 404, 'not_found', null);
  });
});

// ---------------------------------------------------------------------------------------------
// 4. Encodings and sizes.

const bomb = Buffer.from(`{"batch":[${' '.repeat(2_000_000)}]}`);
const ENCODING_CASES: {
  label: string;
  encoding: string;
  body: Uint8Array;
  status: number;
  error: string;
  field?: string;
}[] = [
  {
    label: 'a gzip bomb (2 KB inflating to 2 MB)',
    encoding: 'gzip',
    body: gzipSync(bomb),
    status: 413,
    error: 'payload_too_large',
  },
  {
    label: 'a deflate bomb',
    encoding: 'deflate',
    body: deflateSync(bomb),
    status: 413,
    error: 'payload_too_large',
  },
  {
    label: 'a brotli bomb',
    encoding: 'br',
    body: brotliCompressSync(bomb),
    status: 413,
    error: 'payload_too_large',
  },
  {
    label: 'corrupt gzip bytes',
    encoding: 'gzip',
    body: Buffer.from([0x1f, 0x8b, 0x08, 0, 0, 0, 0, 0, 0, 3, 0xde, 0xad, 0xbe, 0xef]),
    status: 400,
    error: 'bad_request',
    field: 'body',
  },
  {
    label: 'plain JSON labelled gzip',
    encoding: 'gzip',
    body: Buffer.from('{"batch":[]}'),
    status: 400,
    error: 'bad_request',
    field: 'body',
  },
  {
    label: 'truncated gzip',
    encoding: 'gzip',
    body: gzipSync(Buffer.from(toJson({ batch: [] }).repeat(50))).subarray(0, 20),
    status: 400,
    error: 'bad_request',
    field: 'body',
  },
  {
    label: 'gzip of text that is not JSON',
    encoding: 'gzip',
    body: gzipSync(Buffer.from('not json at all')),
    status: 400,
    error: 'bad_request',
    field: 'body',
  },
  {
    label: 'corrupt deflate bytes',
    encoding: 'deflate',
    body: Buffer.from('garbage!!'),
    status: 400,
    error: 'bad_request',
    field: 'body',
  },
  {
    label: 'corrupt brotli bytes',
    encoding: 'br',
    body: Buffer.from('garbage!!'),
    status: 400,
    error: 'bad_request',
    field: 'body',
  },
  {
    label: 'Content-Encoding compress',
    encoding: 'compress',
    body: Buffer.from('{}'),
    status: 415,
    error: 'unsupported_encoding',
  },
  {
    label: 'Content-Encoding zstd',
    encoding: 'zstd',
    body: Buffer.from('{}'),
    status: 415,
    error: 'unsupported_encoding',
  },
  {
    label: 'Content-Encoding base64',
    encoding: 'base64',
    body: Buffer.from('e30='),
    status: 415,
    error: 'unsupported_encoding',
  },
  {
    label: 'stacked encodings "gzip, br"',
    encoding: 'gzip, br',
    body: brotliCompressSync(gzipSync(Buffer.from('{}'))),
    status: 415,
    error: 'unsupported_encoding',
  },
];

describe('bad and hostile Content-Encodings, on every ingest endpoint', () => {
  it.each(cross(ENCODING_CASES, INGEST_PATHS).map(([c, path]) => ({ ...c, path })))(
    '$label → POST $path',
    async (c) => {
      const answer = await send('POST', c.path, {
        headers: { ...jsonHeaders(), 'content-encoding': c.encoding },
        body: c.body,
      });
      expectError(answer, c.status, c.error, c.field);
    },
  );
});

describe('size limits', () => {
  it('a 600 KB plain batch is 413', async () => {
    const body = toJson({
      batch: [{ ...validMessage('page', INVALID), properties: { pad: 'x'.repeat(600_000) } }],
    });
    expectError(await send('POST', '/v1/batch', { headers: jsonHeaders(), body }), 413, 'payload_too_large');
  });

  it('an 11 MB request (past the API gateway limit) is 413', async () => {
    const body = `{"batch":[],"pad":"${'x'.repeat(11 * 1024 * 1024)}"}`;
    expectError(await send('POST', '/v1/batch', { headers: jsonHeaders(), body }), 413, 'payload_too_large');
  });

  it('a gzip body that inflates past 500 KB of real events (2,000 of them) is 413', async () => {
    const events = Array.from({ length: 2000 }, () => ({
      ...validMessage('page', INVALID),
      properties: { pad: 'x'.repeat(200) },
    }));
    const json = Buffer.from(toJson({ batch: events }));
    expect(json.length).toBeGreaterThan(500 * 1024);
    const answer = await send('POST', '/v1/batch', {
      headers: { ...jsonHeaders(), 'content-encoding': 'gzip' },
      body: gzipSync(json),
    });
    expectError(answer, 413, 'payload_too_large', null);
  });

  it.each(SINGLE_PATHS)('a single 40 KB event on %s is 413', async (path) => {
    const body = toJson({ ...validBody(path, INVALID), properties: { pad: 'x'.repeat(40_000) } });
    expectError(await send('POST', path, { headers: jsonHeaders(), body }), 413, 'payload_too_large');
  });

  it('2,501 events in one batch are 413 naming `batch`', async () => {
    const body = toJson({ batch: Array.from({ length: 2501 }, () => ({})) });
    expectError(
      await send('POST', '/v1/batch', { headers: jsonHeaders(), body }),
      413,
      'payload_too_large',
      'batch',
    );
  });

  it('2,500 empty events are within the count limit: 400 with each one rejected by index', async () => {
    const answer = await send('POST', '/v1/batch', {
      headers: jsonHeaders(),
      body: toJson({ batch: Array.from({ length: 2500 }, () => ({})) }),
    });
    expect(answer.status).toBe(400);
    expect(answer.body).toMatchObject({ success: false, accepted: 0 });
    const rejected = answer.body.rejected as { index: number; field: string; reason: string }[];
    expect(rejected.map((r) => r.index)).toEqual(Array.from({ length: 2500 }, (_, i) => i));
    expect(rejected.every((r) => r.field === 'type' && r.reason.length > 0)).toBe(true);
  });

  it('a 33 KB event inside a batch is rejected by index; its neighbours are stored', async () => {
    const big = { ...validMessage('page', INVALID), properties: { pad: 'x'.repeat(33_000) } };
    const answer = await send('POST', '/v1/batch', {
      headers: jsonHeaders(),
      body: toJson({ batch: [validPage(), big, validPage()] }),
    });
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ success: true, accepted: 2, duplicates: 0 });
    expect(answer.body.rejected).toEqual([
      { index: 1, field: '(event)', reason: expect.stringMatching(/larger than 32768 bytes/) },
    ]);
  });
});

// ---------------------------------------------------------------------------------------------
// 5. Invalid events: each alone on its single-message endpoint (400 naming the field) and in a
//    batch between two valid events (200, rejected by index, the neighbours stored).

type Message = Record<string | symbol, unknown>;
const order = (props: Message = {}, top: Message = {}): Message => ({
  type: 'track',
  event: 'Order Completed',
  userId: INVALID,
  messageId: uid('order-msg'),
  timestamp: nowIso(),
  properties: {
    order_id: uid('order'),
    revenue: 10,
    currency: 'USD',
    products: [{ product_id: 'p-1', category: 'Hats', price: 10, quantity: 1 }],
    ...props,
  },
  ...top,
});
const withLine = (patch: Message): Message =>
  order({ products: [{ product_id: 'p-1', category: 'Hats', price: 10, quantity: 1, ...patch }] });
const identify = (top: Message): Message => ({ ...validMessage('identify', INVALID), ...top });

interface InvalidCase {
  readonly label: string;
  readonly field: string;
  readonly make: () => Message;
  /** Type errors only make sense in a batch: the single endpoints impose their type. */
  readonly batchOnly?: boolean;
}

const DAY = 86_400_000;
const INVALID_CASES: InvalidCase[] = [
  // type
  { label: 'an unknown type', field: 'type', make: () => order({}, { type: 'purchase' }), batchOnly: true },
  { label: 'no type', field: 'type', make: () => order({}, { type: OMIT }), batchOnly: true },
  { label: 'type in upper case', field: 'type', make: () => order({}, { type: 'TRACK' }), batchOnly: true },
  { label: 'type a number', field: 'type', make: () => order({}, { type: 1 }), batchOnly: true },
  {
    label: 'type "constructor"',
    field: 'type',
    make: () => order({}, { type: 'constructor' }),
    batchOnly: true,
  },
  // userId / anonymousId
  { label: 'userId an object', field: 'userId', make: () => order({}, { userId: { id: INVALID } }) },
  { label: 'userId an array', field: 'userId', make: () => order({}, { userId: [INVALID] }) },
  { label: 'userId a boolean', field: 'userId', make: () => order({}, { userId: true }) },
  { label: 'userId empty', field: 'userId', make: () => order({}, { userId: '' }) },
  { label: 'userId blank', field: 'userId', make: () => order({}, { userId: '   ' }) },
  { label: 'userId of 300 characters', field: 'userId', make: () => order({}, { userId: 'u'.repeat(300) }) },
  { label: 'userId with a NUL', field: 'userId', make: () => order({}, { userId: `${INVALID}\u0000x` }) },
  {
    label: 'userId with an ANSI escape',
    field: 'userId',
    make: () => order({}, { userId: `\u001b[31m${INVALID}` }),
  },
  { label: 'userId with DEL', field: 'userId', make: () => order({}, { userId: `${INVALID}\u007fx` }) },
  {
    label: 'userId with a newline inside',
    field: 'userId',
    make: () => order({}, { userId: 'hostile\ninvalid' }),
  },
  { label: 'userId a fraction', field: 'userId', make: () => order({}, { userId: 1.5 }) },
  { label: 'userId negative', field: 'userId', make: () => order({}, { userId: -7 }) },
  { label: 'userId 1e300', field: 'userId', make: () => order({}, { userId: 1e300 }) },
  { label: 'neither userId nor anonymousId', field: 'userId', make: () => order({}, { userId: OMIT }) },
  {
    label: 'userId and anonymousId null',
    field: 'userId',
    make: () => order({}, { userId: null, anonymousId: null }),
  },
  {
    label: 'anonymousId an object',
    field: 'anonymousId',
    make: () => order({}, { userId: OMIT, anonymousId: {} }),
  },
  {
    label: 'anonymousId with a control character',
    field: 'anonymousId',
    make: () => order({}, { userId: OMIT, anonymousId: 'a\u0001' }),
  },
  // messageId
  { label: 'messageId empty', field: 'messageId', make: () => order({}, { messageId: '' }) },
  { label: 'messageId an object', field: 'messageId', make: () => order({}, { messageId: { id: 1 } }) },
  {
    label: 'messageId of 201 characters',
    field: 'messageId',
    make: () => order({}, { messageId: 'm'.repeat(201) }),
  },
  {
    label: 'messageId with a control character',
    field: 'messageId',
    make: () => order({}, { messageId: 'm\u0002' }),
  },
  // event
  { label: 'track without event', field: 'event', make: () => order({}, { event: OMIT }) },
  { label: 'event empty', field: 'event', make: () => order({}, { event: '' }) },
  { label: 'event a number', field: 'event', make: () => order({}, { event: 5 }) },
  { label: 'event of 201 characters', field: 'event', make: () => order({}, { event: 'e'.repeat(201) }) },
  // timestamps
  { label: 'no timestamp', field: 'timestamp', make: () => order({}, { timestamp: OMIT }) },
  { label: 'timestamp "yesterday"', field: 'timestamp', make: () => order({}, { timestamp: 'yesterday' }) },
  { label: 'timestamp empty', field: 'timestamp', make: () => order({}, { timestamp: '' }) },
  {
    label: 'timestamp in epoch milliseconds',
    field: 'timestamp',
    make: () => order({}, { timestamp: Date.now() }),
  },
  { label: 'timestamp an object', field: 'timestamp', make: () => order({}, { timestamp: {} }) },
  {
    label: 'timestamp month 13',
    field: 'timestamp',
    make: () => order({}, { timestamp: '2024-13-01T00:00:00Z' }),
  },
  {
    label: 'timestamp hour 25',
    field: 'timestamp',
    make: () => order({}, { timestamp: '2024-01-01T25:00:00Z' }),
  },
  {
    label: 'timestamp offset +25:00',
    field: 'timestamp',
    make: () => order({}, { timestamp: '2024-01-01T10:00:00+25:00' }),
  },
  {
    label: 'timestamp of 65 characters',
    field: 'timestamp',
    make: () => order({}, { timestamp: `2024-01-01T00:00:00.${'0'.repeat(44)}Z` }),
  },
  {
    label: 'timestamp before 1970',
    field: 'timestamp',
    make: () => order({}, { timestamp: '1969-12-31T23:59:59Z' }),
  },
  {
    label: 'timestamp in year 0',
    field: 'timestamp',
    make: () => order({}, { timestamp: '0000-01-01T00:00:00Z' }),
  },
  {
    label: 'timestamp in 2100',
    field: 'timestamp',
    make: () => order({}, { timestamp: '2100-01-01T00:00:00Z' }),
  },
  {
    label: 'timestamp two days ahead',
    field: 'timestamp',
    make: () => order({}, { timestamp: new Date(Date.now() + 2 * DAY).toISOString() }),
  },
  {
    label: 'only an invalid originalTimestamp',
    field: 'originalTimestamp',
    make: () => order({}, { timestamp: OMIT, originalTimestamp: 'soon' }),
  },
  // objects
  { label: 'properties a string', field: 'properties', make: () => order({}, { properties: 'revenue=10' }) },
  {
    label: 'properties an array',
    field: 'properties',
    make: () => order({}, { properties: [{ revenue: 10 }] }),
  },
  { label: 'context a number', field: 'context', make: () => order({}, { context: 5 }) },
  { label: 'identify with traits a string', field: 'traits', make: () => identify({ traits: 'vip' }) },
  {
    label: 'identify with traits an array',
    field: 'traits',
    make: () => identify({ traits: [{ email: 'a@b.c' }] }),
  },
  // money
  {
    label: 'revenue 1e999 (parses to Infinity)',
    field: 'properties.revenue',
    make: () => order({ revenue: raw('1e999') }),
  },
  { label: 'revenue -1e999', field: 'properties.revenue', make: () => order({ revenue: raw('-1e999') }) },
  { label: 'revenue 1e308', field: 'properties.revenue', make: () => order({ revenue: 1e308 }) },
  { label: 'revenue negative', field: 'properties.revenue', make: () => order({ revenue: -5 }) },
  { label: 'revenue "abc"', field: 'properties.revenue', make: () => order({ revenue: 'abc' }) },
  { label: 'revenue ""', field: 'properties.revenue', make: () => order({ revenue: '' }) },
  { label: 'revenue "1e5"', field: 'properties.revenue', make: () => order({ revenue: '1e5' }) },
  { label: 'revenue a boolean', field: 'properties.revenue', make: () => order({ revenue: true }) },
  { label: 'revenue an object', field: 'properties.revenue', make: () => order({ revenue: { amount: 10 } }) },
  {
    label: 'total "abc" (no revenue)',
    field: 'properties.total',
    make: () => order({ revenue: OMIT, total: 'abc' }),
  },
  {
    label: 'value negative (no revenue)',
    field: 'properties.value',
    make: () => order({ revenue: OMIT, value: -1 }),
  },
  { label: 'discount negative', field: 'properties.discount', make: () => order({ discount: -3 }) },
  { label: 'discount 1e999', field: 'properties.discount', make: () => order({ discount: raw('1e999') }) },
  {
    label: 'price 1e999',
    field: 'properties.products.0.price',
    make: () => withLine({ price: raw('1e999') }),
  },
  { label: 'price 1e308', field: 'properties.products.0.price', make: () => withLine({ price: 1e308 }) },
  { label: 'price negative', field: 'properties.products.0.price', make: () => withLine({ price: -0.01 }) },
  { label: 'price "abc"', field: 'properties.products.0.price', make: () => withLine({ price: 'abc' }) },
  { label: 'quantity 1.5', field: 'properties.products.0.quantity', make: () => withLine({ quantity: 1.5 }) },
  {
    label: 'quantity negative',
    field: 'properties.products.0.quantity',
    make: () => withLine({ quantity: -1 }),
  },
  {
    label: 'quantity 1e999',
    field: 'properties.products.0.quantity',
    make: () => withLine({ quantity: raw('1e999') }),
  },
  {
    label: 'quantity 1e308',
    field: 'properties.products.0.quantity',
    make: () => withLine({ quantity: 1e308 }),
  },
  {
    label: 'quantity "two"',
    field: 'properties.products.0.quantity',
    make: () => withLine({ quantity: 'two' }),
  },
  {
    label: 'quantity "1.5"',
    field: 'properties.products.0.quantity',
    make: () => withLine({ quantity: '1.5' }),
  },
  {
    label: 'quantity 1000001',
    field: 'properties.products.0.quantity',
    make: () => withLine({ quantity: 1_000_001 }),
  },
  {
    label: 'quantity a boolean',
    field: 'properties.products.0.quantity',
    make: () => withLine({ quantity: true }),
  },
  {
    label: 'a bad second product line',
    field: 'properties.products.1.quantity',
    make: () =>
      order({
        products: [
          { product_id: 'p-1', quantity: 1 },
          { product_id: 'p-2', quantity: -2 },
        ],
      }),
  },
  // products
  {
    label: 'products an object',
    field: 'properties.products',
    make: () => order({ products: { 0: { product_id: 'p' } } }),
  },
  { label: 'products a string', field: 'properties.products', make: () => order({ products: 'p-1,p-2' }) },
  {
    // More lines than the detail bound are accepted, but every line is still validated.
    label: 'a bad line 251 of 260',
    field: 'properties.products.250.quantity',
    make: () =>
      order({
        products: Array.from({ length: 260 }, (_, i) => ({
          product_id: `p${i}`,
          quantity: i === 250 ? -1 : 1,
        })),
      }),
  },
  { label: 'a product null', field: 'properties.products.0', make: () => order({ products: [null] }) },
  { label: 'a product a number', field: 'properties.products.0', make: () => order({ products: [5] }) },
  {
    label: 'a product an array',
    field: 'properties.products.0',
    make: () => order({ products: [['p-1', 1]] }),
  },
  {
    label: 'product_id an object',
    field: 'properties.products.0.product_id',
    make: () => withLine({ product_id: { id: 1 } }),
  },
  {
    label: 'category an object',
    field: 'properties.products.0.category',
    make: () => withLine({ category: { name: 'Hats' } }),
  },
  {
    label: 'category of 201 characters',
    field: 'properties.products.0.category',
    make: () => withLine({ category: 'c'.repeat(201) }),
  },
  {
    label: 'Product Viewed with price "abc"',
    field: 'properties.price',
    make: () => order({}, { event: 'Product Viewed', properties: { product_id: 'p-1', price: 'abc' } }),
  },
  {
    label: 'Product Added with product_id an array',
    field: 'properties.product_id',
    make: () => order({}, { event: 'Product Added', properties: { product_id: ['p-1'] } }),
  },
  // currency, ids
  { label: 'currency of two letters', field: 'properties.currency', make: () => order({ currency: 'US' }) },
  {
    label: 'currency of four letters',
    field: 'properties.currency',
    make: () => order({ currency: 'USDX' }),
  },
  { label: 'currency with a symbol', field: 'properties.currency', make: () => order({ currency: 'US$' }) },
  {
    label: 'currency a number (ISO numeric 840)',
    field: 'properties.currency',
    make: () => order({ currency: 840 }),
  },
  { label: 'currency empty', field: 'properties.currency', make: () => order({ currency: '' }) },
  { label: 'order_id an object', field: 'properties.order_id', make: () => order({ order_id: { id: 1 } }) },
  {
    label: 'order_id of 201 characters',
    field: 'properties.order_id',
    make: () => order({ order_id: 'o'.repeat(201) }),
  },
  { label: 'coupon an object', field: 'properties.coupon', make: () => order({ coupon: { code: 'TEN' } }) },
];

/** The single-message endpoint for a message, and the message as a client would post it there. */
const singleRequest = (message: Message): { path: IngestPath; body: string } => {
  const type = message.type as SingleType;
  return { path: `/v1/${type}` as IngestPath, body: toJson({ ...message, type: OMIT }) };
};

type Rejected = { index: number; field: string; reason: string };

describe('invalid events alone on their single-message endpoint: 400 naming the field', () => {
  it.each(INVALID_CASES.filter((c) => !c.batchOnly))('$label → $field', async (c) => {
    const { path, body } = singleRequest(c.make());
    const answer = await send('POST', path, { headers: jsonHeaders(), body });
    expectError(answer, 400, 'invalid_event', c.field);
    expect(answer.body.message).toMatch(new RegExp(`^${c.field.replaceAll('.', '\\.')} `));
  });
});

describe('invalid events between two valid ones in a batch: rejected by index, the valid ones stored', () => {
  it.each(INVALID_CASES)('$label → $field', async (c) => {
    const batch = `[${toJson(validPage())},${toJson(c.make())},${toJson(validPage())}]`;
    const answer = await send('POST', '/v1/batch', { headers: jsonHeaders(), body: `{"batch":${batch}}` });
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    expect(answer.body).toMatchObject({ success: true, accepted: 2, duplicates: 0 });
    expect(answer.body.rejected).toEqual([{ index: 1, field: c.field, reason: expect.any(String) }]);
  });

  it('all of them in one batch, interleaved with valid events: exactly the invalid indexes are rejected', async () => {
    const parts: string[] = [];
    const expected: { index: number; field: string }[] = [];
    for (const c of INVALID_CASES) {
      parts.push(toJson(validPage()));
      expected.push({ index: parts.length, field: c.field });
      parts.push(toJson(c.make()));
    }
    parts.push(toJson(validPage()));
    const answer = await send('POST', '/v1/batch', {
      headers: jsonHeaders(),
      body: `{"batch":[${parts.join(',')}]}`,
    });
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ success: true, accepted: INVALID_CASES.length + 1, duplicates: 0 });
    const rejected = answer.body.rejected as Rejected[];
    expect(rejected.map(({ index, field }) => ({ index, field }))).toEqual(expected);
    for (const r of rejected) expect(r.reason.length).toBeGreaterThan(0);
  });

  it('batch elements that are not objects are rejected by index as `(event)`', async () => {
    const answer = await send('POST', '/v1/batch', {
      headers: jsonHeaders(),
      body: `{"batch":[${toJson(validPage())},null,5,"page",[],true,${toJson(validPage())}]}`,
    });
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ success: true, accepted: 2 });
    expect((answer.body.rejected as Rejected[]).map(({ index, field }) => ({ index, field }))).toEqual(
      [1, 2, 3, 4, 5].map((index) => ({ index, field: '(event)' })),
    );
  });

  it('a batch of only invalid events is 400, every one listed', async () => {
    const answer = await send('POST', '/v1/batch', {
      headers: jsonHeaders(),
      body: `{"batch":[${toJson(order({ revenue: -1 }))},${toJson(order({}, { userId: OMIT }))}]}`,
    });
    expect(answer.status).toBe(400);
    expect(answer.body).toMatchObject({ success: false, accepted: 0 });
    expect((answer.body.rejected as Rejected[]).map(({ index, field }) => ({ index, field }))).toEqual([
      { index: 0, field: 'properties.revenue' },
      { index: 1, field: 'userId' },
    ]);
  });
});

// ---------------------------------------------------------------------------------------------
// 6. Prototype keys.

describe('__proto__, constructor and prototype keys are data, never prototypes', () => {
  const PROTO_USER = 'hostile-proto-keys';

  it('keys at every level of an otherwise valid order change nothing but are accepted', async () => {
    const message = `{"__proto__":{"userId":"someone-else","polluted":true},"constructor":{"prototype":{"polluted":true}},"prototype":{"polluted":true},
      "type":"track","event":"Order Completed","userId":"${PROTO_USER}","messageId":"${uid('proto')}","timestamp":"${nowIso()}",
      "context":{"__proto__":{"polluted":true},"traits":{"__proto__":{"email":"x@y.z"}}},
      "properties":{"__proto__":{"revenue":999,"polluted":true},"constructor":{"prototype":{"polluted":true}},"prototype":{"x":1},
        "order_id":"proto-order-1","revenue":12.5,"currency":"USD",
        "products":[{"__proto__":{"quantity":50,"polluted":true},"constructor":{"prototype":{"polluted":true}},"product_id":"p-1","category":"Hats","price":12.5,"quantity":1}]}}`;
    const answer = await send('POST', '/v1/batch', {
      headers: jsonHeaders(),
      body: `{"__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}},"batch":[${message}]}`,
    });
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    expect(answer.body).toMatchObject({ success: true, accepted: 1, rejected: [] });
    const { status, body } = await getProfile(service.url, PROTO_USER);
    expect(status).toBe(200);
    expect(body).toMatchObject({ shopperId: PROTO_USER, orders: 1, revenue: 12.5, units: 1 });
    expect((await getProfile(service.url, 'someone-else')).status).toBe(404);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.hasOwn(Object.prototype, 'polluted')).toBe(false);
  });

  it('categories named __proto__, constructor, prototype, toString and hasOwnProperty are kept as names', async () => {
    const names = ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty'];
    const userId = 'hostile-proto-categories';
    const batch = names.map((category, i) => ({
      type: 'track',
      event: 'Order Completed',
      userId,
      messageId: uid('cat'),
      timestamp: nowIso(),
      properties: {
        order_id: `cat-order-${i}`,
        revenue: 2,
        products: [{ product_id: category, category, price: 2, quantity: 1 }],
      },
    }));
    const answer = await send('POST', '/v1/batch', { headers: jsonHeaders(), body: toJson({ batch }) });
    expect(answer.body).toMatchObject({ success: true, accepted: names.length, rejected: [] });
    const { body } = await getProfile(service.url, userId);
    expect(body).toMatchObject({ orders: names.length, revenue: 2 * names.length });
    const categories = body.categories as { name: string; orders: number; units: number }[];
    expect(categories.map((c) => c.name).sort()).toEqual([...names].sort());
    for (const c of categories) expect(c).toMatchObject({ orders: 1, units: 1, revenue: 2 });
    expect([...(body.purchasedProducts as string[])].sort()).toEqual([...names].sort());
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it.each(['__proto__', 'constructor', 'prototype', 'toString', 'valueOf'])(
    'userId %s is an ordinary shopper',
    async (userId) => {
      const page = { type: 'page', userId, messageId: uid('proto-user'), timestamp: nowIso(), name: 'Home' };
      const answer = await send('POST', '/v1/batch', {
        headers: jsonHeaders(),
        body: toJson({ batch: [page, { ...page, messageId: uid('p') }] }),
      });
      expect(answer.body).toMatchObject({ success: true, accepted: 2 });
      const { status, body } = await getProfile(service.url, userId);
      expect(status).toBe(200);
      expect(body).toMatchObject({ shopperId: userId, pageViews: 2 });
    },
  );

  it('a userId only behind __proto__ on /v1/identify is missing, not inherited', async () => {
    const body = `{"__proto__":{"userId":"${INVALID}"},"messageId":"${uid('id')}","timestamp":"${nowIso()}","traits":{"email":"a@b.c"}}`;
    expectError(
      await send('POST', '/v1/identify', { headers: jsonHeaders(), body }),
      400,
      'invalid_event',
      'userId',
    );
  });
});

// ---------------------------------------------------------------------------------------------
// 7. Found defects: each asserts the behaviour the service should have. Their answers are not
//    recorded for the final "never a 5xx" check, so that each defect fails in one place only.

describe('inputs that currently break the service (see the report)', () => {
  const deep = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`;

  it('an event nested 10,000 arrays deep in a batch is answered 200 with the valid neighbour stored, not 5xx', async () => {
    const nested = { ...validMessage('track', DEFECTS), properties: { nested: raw(deep(10_000)) } };
    const valid = {
      type: 'page',
      userId: DEFECTS,
      messageId: 'defect-deep-neighbour',
      timestamp: nowIso(),
      name: 'Home',
    };
    const answer = await send('POST', '/v1/batch', {
      headers: jsonHeaders(),
      body: `{"batch":[${toJson(valid)},${toJson(nested)}]}`,
      record: false,
    });
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    expect(answer.body.accepted).toBeGreaterThanOrEqual(1);
    const { body } = await getProfile(service.url, DEFECTS);
    expect(body.pageViews).toBe(1);
  });

  it('the same 10,000-deep event alone on /v1/track gets a 4xx or 200, not 5xx', async () => {
    const nested = {
      ...validMessage('track', DEFECTS),
      type: OMIT,
      properties: { nested: raw(deep(10_000)) },
    };
    const answer = await send('POST', '/v1/track', {
      headers: jsonHeaders(),
      body: toJson(nested),
      record: false,
    });
    expect(answer.status, JSON.stringify(answer.body)).toBeLessThan(500);
  });

  it('messageIds and order ids holding lone UTF-16 surrogates do not fail the whole batch', async () => {
    const userId = 'hostile-surrogates';
    const valid = {
      type: 'page',
      userId,
      messageId: 'surrogate-neighbour',
      timestamp: nowIso(),
      name: 'Home',
    };
    const lone = (messageId: string, orderId: string) => ({
      type: 'track',
      event: 'Order Completed',
      userId,
      messageId,
      timestamp: nowIso(),
      properties: { order_id: orderId, revenue: 1 },
    });
    // Distinct strings in JavaScript, but not valid Unicode: stored as UTF-8 they collide.
    const batch = [valid, lone('sur-\ud800', 'o-\ud800'), lone('sur-\udbff', 'o-\udbff')];
    const answer = await send('POST', '/v1/batch', {
      headers: jsonHeaders(),
      body: JSON.stringify({ batch }),
      record: false,
    });
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    const { status, body } = await getProfile(service.url, userId);
    expect(status).toBe(200);
    expect(body.pageViews).toBe(1);
  });

  it('timestamps on impossible calendar days (Feb 30, Feb 29 of 2023, Apr 31) are rejected, not moved', async () => {
    const at = (timestamp: string) => ({ ...validMessage('page', DEFECTS), timestamp });
    const batch = [
      validMessage('page', DEFECTS),
      at('2024-02-30T10:00:00Z'),
      at('2023-02-29T00:00:00Z'),
      at('2024-04-31T12:00:00Z'),
    ];
    const answer = await send('POST', '/v1/batch', {
      headers: jsonHeaders(),
      body: toJson({ batch }),
      record: false,
    });
    expect(answer.status).toBe(200);
    expect((answer.body.rejected as Rejected[]).map(({ index, field }) => ({ index, field }))).toEqual([
      { index: 1, field: 'timestamp' },
      { index: 2, field: 'timestamp' },
      { index: 3, field: 'timestamp' },
    ]);
  });
});

// ---------------------------------------------------------------------------------------------
// 8. Positive controls and the state afterwards.

describe('accepted variants (controls: the limits above are not over-eager)', () => {
  const variants: { label: string; headers: Record<string, string>; body: () => string | Uint8Array }[] = [
    {
      label: 'basic auth with a lower-case scheme',
      headers: { authorization: basicAuth().replace('Basic', 'basic') },
      body: () => toJson({ batch: [validPage()] }),
    },
    {
      label: 'writeKey in the body only',
      headers: jsonHeaders(null),
      body: () => toJson({ writeKey: keys.writeKey, batch: [validPage()] }),
    },
    {
      label: 'Content-Encoding GZIP in capitals',
      headers: { ...jsonHeaders(), 'content-encoding': 'GZIP' },
      body: () => gzipSync(toJson({ batch: [validPage()] })),
    },
    {
      label: 'Content-Encoding x-gzip',
      headers: { ...jsonHeaders(), 'content-encoding': 'x-gzip' },
      body: () => gzipSync(toJson({ batch: [validPage()] })),
    },
    {
      label: 'Content-Encoding deflate',
      headers: { ...jsonHeaders(), 'content-encoding': 'deflate' },
      body: () => deflateSync(toJson({ batch: [validPage()] })),
    },
    {
      label: 'Content-Encoding br',
      headers: { ...jsonHeaders(), 'content-encoding': 'br' },
      body: () => brotliCompressSync(toJson({ batch: [validPage()] })),
    },
    {
      label: 'Content-Encoding identity',
      headers: { ...jsonHeaders(), 'content-encoding': 'identity' },
      body: () => toJson({ batch: [validPage()] }),
    },
    {
      label: 'text/plain content type',
      headers: { ...jsonHeaders(), 'content-type': 'text/plain' },
      body: () => toJson({ batch: [validPage()] }),
    },
    {
      label: 'no content type',
      headers: { authorization: basicAuth() },
      body: () => toJson({ batch: [validPage()] }),
    },
    {
      label: 'a 400 KB batch (under the 500 KB limit)',
      headers: jsonHeaders(),
      body: () => toJson({ batch: [validPage()], pad: 'x'.repeat(400_000) }),
    },
  ];
  it.each(variants)('$label', async (v) => {
    const answer = await send('POST', '/v1/batch', { headers: v.headers, body: v.body() });
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    expect(answer.body).toMatchObject({ success: true, accepted: 1, duplicates: 0, rejected: [] });
  });

  it('an order of 250 lines (past the 200-line detail bound, under 32 KB) counts its revenue and units in full', async () => {
    const userId = 'hostile-big-order';
    const products = Array.from({ length: 250 }, (_, i) => ({
      product_id: `p${i}`,
      category: i < 200 ? 'Hats' : 'Tail',
      price: 2,
      quantity: 1 + (i % 3),
    }));
    const units = products.reduce((sum, p) => sum + p.quantity, 0);
    const keptUnits = products.slice(0, 200).reduce((sum, p) => sum + p.quantity, 0);
    const message = {
      type: 'track',
      event: 'Order Completed',
      userId,
      messageId: uid('big-order'),
      timestamp: nowIso(),
      properties: { order_id: uid('big-order'), revenue: 2 * units, currency: 'USD', products },
    };
    expect(Buffer.byteLength(toJson(message))).toBeLessThan(32 * 1024);
    const answer = await send('POST', '/v1/batch', {
      headers: jsonHeaders(),
      body: toJson({ batch: [message] }),
    });
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    expect(answer.body).toMatchObject({ success: true, accepted: 1, duplicates: 0, rejected: [] });
    const { status, body } = await getProfile(service.url, userId);
    expect(status).toBe(200);
    expect(body).toMatchObject({
      orders: 1,
      revenue: 2 * units,
      units,
      windows: { last30Days: { orders: 1, revenue: 2 * units, units } },
    });
    // Product-level detail stops at the bound: the lines past it are in no category.
    expect(body.categories).toEqual([
      { name: 'Hats', views: 0, cartAdds: 0, orders: 1, units: keptUnits, revenue: 2 * keptUnits },
    ]);
  });

  it.each(SINGLE_PATHS)('a valid message on %s is accepted', async (path) => {
    const body = toJson({ ...validBody(path, 'hostile-single-ok'), type: OMIT });
    const answer = await send('POST', path, { headers: jsonHeaders(), body });
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    expect(answer.body).toMatchObject({ success: true, accepted: 1 });
  });
});

describe('afterwards', () => {
  it('the generated requests numbered over 200 and none was answered 5xx', () => {
    expect(answered.length).toBeGreaterThan(200);
    expect(answered.filter((a) => a.status >= 500)).toEqual([]);
  });

  it('every valid event sent beside an invalid one is in the profile, once', async () => {
    const { status, body } = await getProfile(service.url, MIXED);
    expect(status).toBe(200);
    expect(body.pageViews).toBe(validPagesSent);
  });

  it('nothing from a rejected or unauthorised request was stored', async () => {
    expect((await getProfile(service.url, INVALID)).status).toBe(404);
    expect((await getProfile(service.url, UNAUTHORISED)).status).toBe(404);
  });

  it('the prototype of plain objects is untouched', () => {
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.getOwnPropertyNames(Object.prototype)).not.toContain('polluted');
  });

  it('the service still ingests and serves a fresh order', async () => {
    const userId = 'hostile-after';
    const answer = await send('POST', '/v1/track', {
      headers: jsonHeaders(),
      body: toJson({
        userId,
        event: 'Order Completed',
        messageId: uid('after'),
        timestamp: nowIso(),
        properties: {
          order_id: 'after-1',
          revenue: 42.42,
          products: [{ product_id: 'p', category: 'Hats', price: 42.42, quantity: 1 }],
        },
      }),
    });
    expect(answer.status).toBe(200);
    const { status, body } = await getProfile(service.url, userId);
    expect(status).toBe(200);
    expect(body).toMatchObject({ orders: 1, revenue: 42.42, units: 1 });
  });
});
