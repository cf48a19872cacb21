/** Segment members as RFC 4180 CSV, the format e-mail and ad tools import. */
import type { SegmentMember } from '#shared/segmentation/ports/assignment-store';

const cell = (value: string): string => (/[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value);

export const membersCsv = (members: readonly SegmentMember[]): string =>
  [
    'shopperId,since,modelVersion',
    ...members.map((m) => [m.shopperId, m.since, m.modelVersion].map(cell).join(',')),
  ]
    .map((line) => `${line}\r\n`)
    .join('');
