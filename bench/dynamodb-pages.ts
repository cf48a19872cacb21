/**
 * A Scan segment as the wire delivers it: profiles as DynamoDB items (as DynamoDbProfileStore
 * writes them), marshalled to DynamoDB JSON and cut into pages of at most 1 MB of item data, one
 * page a line in a file. Reading it back (JSON.parse, unmarshall, fromItem) is the decoding a
 * segment worker does per page on top of what the generated scan hands over parsed; the SDK's own
 * deserialiser adds a little more, so this is a lower bound. Also the item sizes DynamoDB bills by.
 */
import { createReadStream } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { fromItem } from '#shared/adapters/dynamodb-profile-store';
import type { Profile } from '#shared/ingestion/domain/profile';
import type { ProfileScanner } from '#shared/segmentation/ports/profile-scanner';

/** DynamoDB returns at most 1 MB of items per Scan page. */
const PAGE_BYTES = 1024 * 1024;

/** The profile item as DynamoDbProfileStore writes it (its toItem is private): a fresh item, nothing pending. */
const itemOf = (profile: Profile): Record<string, unknown> => ({
  ...profile,
  pk: profile.shopperId,
  v: 1,
  pending: [],
  ...(profile.segment ? { segmentId: profile.segment.id } : {}),
});

const utf8 = (s: string) => Buffer.byteLength(s, 'utf8');

/** DynamoDB's item size rules: names and strings in UTF-8, numbers ~1 byte per 2 digits + 1, 3 bytes + 1 per element for lists and maps. */
export const dynamoBytes = (value: unknown): number => {
  if (value === null || typeof value === 'boolean') return 1;
  if (typeof value === 'string') return utf8(value);
  if (typeof value === 'number') {
    const digits = String(Math.abs(value)).replace('.', '').replace(/^0+/, '').replace(/0+$/, '').length;
    return Math.ceil(Math.max(1, digits) / 2) + 1;
  }
  if (Array.isArray(value)) return 3 + value.reduce((n: number, v) => n + 1 + dynamoBytes(v), 0);
  if (typeof value === 'object') {
    let bytes = 3;
    for (const [name, v] of Object.entries(value as Record<string, unknown>))
      if (v !== undefined) bytes += 1 + utf8(name) + dynamoBytes(v);
    return bytes;
  }
  return 0;
};

/** What an item's size is at the top level (no map overhead). */
const itemBytes = (item: Record<string, unknown>): number => dynamoBytes(item) - 3 - Object.keys(item).length;

export interface ScanPagesFile {
  readonly path: string;
  readonly rows: number;
  readonly pages: number;
  /** Mean item size in bytes, as DynamoDB counts it. */
  readonly meanItemBytes: number;
  /** Mean write units of the reassignment's stamp (an UpdateItem bills the larger of before and after, per KB). */
  readonly stampWriteUnits: number;
}

/** A stamp as the assignment store writes it onto the profile item. */
const STAMP = {
  segment: {
    id: 'seg-10',
    name: 'Potential loyalists',
    since: '2026-06-30T00:00:00.000Z',
    modelVersion: 'm-20260630T000000-bench',
    modelSequence: 1,
  },
  segmentId: 'seg-10',
};
const STAMP_BYTES = itemBytes(STAMP);

export const writeScanPages = async (path: string, profiles: Iterable<Profile>): Promise<ScanPagesFile> => {
  const lines: string[] = [];
  let page: Record<string, unknown>[] = [];
  let pageBytes = 0;
  let rows = 0;
  let bytes = 0;
  let units = 0;
  const flush = () => {
    if (page.length === 0) return;
    lines.push(JSON.stringify({ Items: page, Count: page.length, ScannedCount: page.length }));
    page = [];
    pageBytes = 0;
  };
  for (const profile of profiles) {
    const item = itemOf(profile);
    const size = itemBytes(item);
    if (pageBytes + size > PAGE_BYTES) flush();
    page.push(marshall(item, { removeUndefinedValues: true }));
    pageBytes += size;
    rows += 1;
    bytes += size;
    units += Math.ceil((size + STAMP_BYTES) / 1024);
  }
  flush();
  await writeFile(path, `${lines.join('\n')}\n`);
  return { path, rows, pages: lines.length, meanItemBytes: bytes / rows, stampWriteUnits: units / rows };
};

/**
 * Reads the pages file as a Scan segment, timing what stands for the Scan's answer: reading the
 * next page (from a local file here, from the network in Lambda) and decoding it.
 */
export const scanPagesScanner = (path: string): { scanner: ProfileScanner; decode: { ms: number } } => {
  const decode = { ms: 0 };
  const scanner: ProfileScanner = {
    async *scan() {
      const lines = createInterface({ input: createReadStream(path), crlfDelay: Number.POSITIVE_INFINITY })[
        Symbol.asyncIterator
      ]();
      for (;;) {
        const t0 = performance.now();
        const next = await lines.next();
        if (next.done) break;
        if (next.value.length === 0) continue;
        const body = JSON.parse(next.value) as { Items: Parameters<typeof unmarshall>[0][] };
        const page = body.Items.map((item) => fromItem(unmarshall(item)).profile);
        decode.ms += performance.now() - t0;
        yield page;
      }
    },
    approximateCount: async () => 0,
  };
  return { scanner, decode };
};
