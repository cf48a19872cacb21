/**
 * Turns zod schemas into the JSON Schema 2020-12 of the OpenAPI document.
 *
 * Named schemas go into `components.schemas` through a zod registry: `z.toJSONSchema(registry,
 * { uri })` writes every other use of a registered schema as a `$ref` to its component. Requests
 * are converted as zod's input type (what a client may send: defaults optional, transforms'
 * inputs) and answers as its output type (what the service sends), in two registries, so one zod
 * schema may appear as two components (`Coupon` and `CouponInput`). Schemas used once, in place
 * (a parameter, a request body made of two components), are converted in the same pass and
 * written inline.
 *
 * A few rewrites make the output read like a hand-written document without changing what it
 * accepts: `$schema`/`$id` are dropped from components; an `allOf` of references plus one inline
 * object (zod's intersection) keeps the object's keywords at the top level; empty
 * `additionalProperties: {}` and `propertyNames: { type: 'string' }` are dropped; answers leave out
 * the ±2^53−1 bounds zod gives every integer.
 */
import * as z from 'zod';
import type { JsonSchema, JsonSchemaObject } from './types';

export type Io = 'input' | 'output';

const COMPONENT_PREFIX = '#/components/schemas/';
const INLINE = '__inline';
const SAFE_BOUNDS = new Set([Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER]);
const HOISTABLE = new Set(['type', 'properties', 'required', 'additionalProperties']);

type Node = Record<string, unknown>;
const isNode = (value: unknown): value is Node =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** `allOf: [{$ref}, {type: object, properties…}]` → `{type: object, properties…, allOf: [{$ref}]}`: the same constraint. */
const hoistAllOf = (node: Node): void => {
  const allOf = node.allOf;
  if (!Array.isArray(allOf)) return;
  const inline = allOf.filter((member) => !(isNode(member) && '$ref' in member));
  const [only] = inline;
  if (inline.length !== 1 || !isNode(only)) return;
  const keys = Object.keys(only);
  if (!keys.every((key) => HOISTABLE.has(key) && !(key in node))) return;
  Object.assign(node, only);
  const refs = allOf.filter((member) => member !== only);
  if (refs.length > 0) node.allOf = refs;
  else delete node.allOf;
};

const tidy = (value: unknown, io: Io): unknown => {
  if (Array.isArray(value)) return value.map((item) => tidy(item, io));
  if (!isNode(value)) return value;
  const node: Node = {};
  for (const [key, child] of Object.entries(value)) node[key] = tidy(child, io);
  hoistAllOf(node);
  if (isNode(node.additionalProperties) && Object.keys(node.additionalProperties).length === 0)
    delete node.additionalProperties;
  const names = node.propertyNames;
  if (isNode(names) && Object.keys(names).length === 1 && names.type === 'string') delete node.propertyNames;
  if (io === 'output' && node.type === 'integer')
    for (const bound of ['minimum', 'maximum'])
      if (SAFE_BOUNDS.has(node[bound] as number)) delete node[bound];
  return node;
};

export interface Converted {
  /** `components.schemas` entries. */
  readonly components: Readonly<Record<string, JsonSchema>>;
  /** A schema used in place: a `$ref` when it is a component, else its JSON Schema. */
  readonly inline: (schema: z.ZodType) => JsonSchema;
}

/** Converts named components and the schemas used in place, all in one zod pass. */
export const convertSchemas = (
  named: Readonly<Record<string, z.ZodType>>,
  used: Iterable<z.ZodType>,
  io: Io,
): Converted => {
  const registry = z.registry<{ id: string }>();
  for (const [id, schema] of Object.entries(named)) {
    if (registry.has(schema)) throw new Error(`schema ${id} is registered twice`);
    registry.add(schema, { id });
  }
  const inlineIds = new Map<z.ZodType, string>();
  for (const schema of used)
    if (!registry.has(schema) && !inlineIds.has(schema)) {
      const id = `${INLINE}${inlineIds.size}`;
      inlineIds.set(schema, id);
      registry.add(schema, { id });
    }

  const { schemas } = z.toJSONSchema(registry, {
    target: 'draft-2020-12',
    io,
    unrepresentable: 'throw',
    cycles: 'throw',
    uri: (id) => `${COMPONENT_PREFIX}${id}`,
  });
  const out: Record<string, JsonSchema> = {};
  for (const [id, converted] of Object.entries(schemas)) {
    if (id === '__shared')
      throw new Error('a schema outside the registry was extracted: give it a component name');
    const { $schema: _schema, $id: _id, ...body } = JSON.parse(JSON.stringify(converted)) as Node;
    out[id] = tidy(body, io) as JsonSchema;
  }
  if (JSON.stringify(out).includes(`${COMPONENT_PREFIX}${INLINE}`))
    throw new Error('a schema used in place is nested in another schema: give it a component name');

  const components = Object.fromEntries(Object.keys(named).map((id) => [id, out[id] as JsonSchema]));
  return {
    components,
    inline: (schema) => {
      const id = registry.get(schema)?.id;
      if (!id) throw new Error('schema not converted: list it where it is used');
      return (inlineIds.has(schema) ? out[id] : { $ref: `${COMPONENT_PREFIX}${id}` }) as JsonSchemaObject;
    },
  };
};
