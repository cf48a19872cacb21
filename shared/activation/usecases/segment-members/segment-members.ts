/**
 * Use case: the shoppers currently in a segment, a page at a time, for exports to e-mail and ad tools.
 * Input: segment id, page size, and the cursor of the previous page. Output: the page and the next
 * cursor (null on the last page). Membership is the stamp written at reassignment and re-scoring.
 * Errors: NoModelError (503), SegmentNotFoundError (404), InvalidCursorError (400).
 */
import type { AssignmentStore, SegmentMember } from '#shared/segmentation/ports/assignment-store';
import type { CurrentModel } from '#shared/segmentation/usecases/models/current-model';
import { currentSegmentName } from '../policies/segment-policy';

export class InvalidCursorError extends Error {
  override readonly name = 'InvalidCursorError';
}

export interface MembersPage {
  readonly segmentId: string;
  readonly segmentName: string;
  readonly modelVersion: string;
  readonly members: readonly SegmentMember[];
  readonly nextCursor: string | null;
}

// The cursor names its segment, so a cursor from one segment's export cannot page through another.
const encodeCursor = (segmentId: string, after: string): string =>
  Buffer.from(JSON.stringify({ s: segmentId, a: after }), 'utf8').toString('base64url');

const decodeCursor = (segmentId: string, cursor: string): string => {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw new InvalidCursorError('cursor is not one this API returned');
  }
  const { s, a } = (parsed ?? {}) as { s?: unknown; a?: unknown };
  if (typeof s !== 'string' || typeof a !== 'string' || a.length === 0)
    throw new InvalidCursorError('cursor is not one this API returned');
  if (s !== segmentId) throw new InvalidCursorError(`cursor belongs to segment "${s}", not "${segmentId}"`);
  return a;
};

export const listSegmentMembers = async (
  segmentId: string,
  page: { readonly limit: number; readonly cursor?: string },
  ports: { readonly model: CurrentModel; readonly assignments: AssignmentStore },
): Promise<MembersPage> => {
  const after = page.cursor === undefined ? undefined : decodeCursor(segmentId, page.cursor);
  const segmentName = await currentSegmentName(ports.model, segmentId);
  const model = await ports.model.get();
  const { members, last } = await ports.assignments.members(segmentId, page.limit, after);
  return {
    segmentId,
    segmentName,
    modelVersion: model?.version ?? '',
    members,
    nextCursor: last === undefined ? null : encodeCursor(segmentId, last),
  };
};
