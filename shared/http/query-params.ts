import { badRequest } from './errors';

/** An optional whole-number query parameter within [min, max]; the 400 names it. */
export const intParam = (
  query: Readonly<Record<string, string | undefined>>,
  field: string,
  min: number,
  max: number,
): number | undefined => {
  const raw = query[field];
  if (raw === undefined) return undefined;
  if (!/^\d{1,7}$/.test(raw) || Number(raw) < min || Number(raw) > max)
    throw badRequest(`${field} must be a whole number from ${min} to ${max}`, field);
  return Number(raw);
};
