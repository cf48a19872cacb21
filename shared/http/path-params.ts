import * as z from 'zod';
import { badRequest } from './errors';

/** An id in a path (shopper, segment, model version): what the read API accepts, the 400 names it. */
export const idSchema = (field: string) =>
  z
    .string()
    .min(1, { error: `${field} must not be empty` })
    .max(256, { error: `${field} must be at most 256 characters` })
    // biome-ignore lint/suspicious/noControlCharactersInRegex: rejecting control characters is the point
    .regex(/^[^\u0000-\u001f\u007f]+$/, { error: `${field} must be printable` });

/** The URL-decoded, validated path parameter, or a 400 naming it. */
export const pathParam = (params: Readonly<Record<string, string | undefined>>, field: string): string => {
  let decoded: string;
  try {
    decoded = decodeURIComponent(params[field] ?? '');
  } catch {
    throw badRequest(`${field} is not a valid URL path segment`, field);
  }
  const parsed = idSchema(field).safeParse(decoded);
  if (!parsed.success) throw badRequest(parsed.error.issues[0]?.message ?? `${field} is invalid`, field);
  return parsed.data;
};
