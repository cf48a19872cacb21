/**
 * What each operation, parameter, header and shared response says, with zod schemas where the
 * document has schemas, and how it is written out once the schemas are converted. Parameters and
 * request bodies are what clients send (zod input types); answers and their headers are what the
 * service sends (output types).
 */
import type * as z from 'zod';
import type { Io } from './generate';
import type {
  Example,
  HeaderObject,
  MediaType,
  Operation,
  ParameterObject,
  Reference,
  RequestBody,
  ResponseObject,
  SecurityRequirement,
} from './types';

export interface MediaSpec {
  readonly schema: z.ZodType;
  readonly examples?: Readonly<Record<string, Example>>;
}
export type ContentSpec = Readonly<Record<string, MediaSpec>>;

export interface ParameterSpec extends Omit<ParameterObject, 'schema'> {
  readonly schema: z.ZodType;
}
export interface HeaderSpec extends Omit<HeaderObject, 'schema'> {
  readonly schema: z.ZodType;
}
export interface ResponseSpec {
  readonly description: string;
  readonly headers?: Readonly<Record<string, HeaderSpec | Reference>>;
  readonly content?: ContentSpec;
}
export interface OperationSpec {
  readonly operationId: string;
  readonly summary: string;
  readonly description?: string;
  readonly tags: readonly string[];
  readonly security: readonly SecurityRequirement[];
  /** Operation-level parameters; path parameters come from the path template. */
  readonly parameters?: readonly Reference[];
  readonly requestBody?: { readonly required: boolean; readonly content: ContentSpec };
  readonly responses: Readonly<Record<string, ResponseSpec | Reference>>;
}

export const componentRef = (kind: 'responses' | 'parameters' | 'headers', name: string): Reference => ({
  $ref: `#/components/${kind}/${name}`,
});

/** A JSON body. */
export const json = (schema: z.ZodType, examples?: Readonly<Record<string, Example>>): ContentSpec => ({
  'application/json': { schema, ...(examples ? { examples } : {}) },
});

/** Writes a schema out: a `$ref` to its component or its JSON Schema in place. */
export type Resolve = (schema: z.ZodType, io: Io) => MediaType['schema'];

const isReference = (value: object): value is Reference => '$ref' in value;

const content = (spec: ContentSpec, io: Io, resolve: Resolve): Record<string, MediaType> =>
  Object.fromEntries(
    Object.entries(spec).map(([type, media]) => [
      type,
      { schema: resolve(media.schema, io), ...(media.examples ? { examples: media.examples } : {}) },
    ]),
  );

export const renderParameter = (spec: ParameterSpec, resolve: Resolve): ParameterObject => ({
  ...spec,
  schema: resolve(spec.schema, 'input'),
});

export const renderHeader = (spec: HeaderSpec, resolve: Resolve): HeaderObject => ({
  ...spec,
  schema: resolve(spec.schema, 'output'),
});

export const renderResponse = (spec: ResponseSpec, resolve: Resolve): ResponseObject => ({
  description: spec.description,
  ...(spec.headers
    ? {
        headers: Object.fromEntries(
          Object.entries(spec.headers).map(([name, h]) => [
            name,
            isReference(h) ? h : renderHeader(h, resolve),
          ]),
        ),
      }
    : {}),
  ...(spec.content ? { content: content(spec.content, 'output', resolve) } : {}),
});

export const renderOperation = (
  spec: OperationSpec,
  resolve: Resolve,
): Operation & { requestBody?: RequestBody } => ({
  operationId: spec.operationId,
  summary: spec.summary,
  ...(spec.description ? { description: spec.description } : {}),
  tags: spec.tags,
  security: spec.security,
  ...(spec.parameters ? { parameters: spec.parameters } : {}),
  ...(spec.requestBody
    ? {
        requestBody: {
          required: spec.requestBody.required,
          content: content(spec.requestBody.content, 'input', resolve),
        },
      }
    : {}),
  responses: Object.fromEntries(
    Object.entries(spec.responses).map(([status, r]) => [
      status,
      isReference(r) ? r : renderResponse(r, resolve),
    ]),
  ),
});
