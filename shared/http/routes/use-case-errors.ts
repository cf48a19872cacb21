/** The read API's named use-case errors, mapped to HTTP in one place (the edge's `mapError`). */

import { NoModelError } from '#shared/activation/usecases/lookup-segment/lookup-segment';
import { SegmentNotFoundError } from '#shared/activation/usecases/policies/segment-policy';
import { InvalidCursorError } from '#shared/activation/usecases/segment-members/segment-members';
import { ProfileNotFoundError } from '#shared/ingestion/usecases/read-profile/read-profile';
import { badRequest, HttpError, notFound } from '../errors';

export const readApiErrorAsHttp = (error: unknown): unknown => {
  if (error instanceof ProfileNotFoundError) return notFound(error.message);
  if (error instanceof SegmentNotFoundError) return notFound(error.message);
  if (error instanceof InvalidCursorError) return badRequest(error.message, 'cursor');
  if (error instanceof NoModelError) return new HttpError(503, 'no_model', error.message);
  return error;
};
