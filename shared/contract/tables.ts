/**
 * One source of truth for the service's tables and bucket: the CDK stack and the local
 * runtime both build them from these definitions (the bucket's keys: ./bucket-layout.ts).
 */
import { ENV } from './environment';

export type KeyType = 'S' | 'N';

export interface TableDefinition {
  /** CDK construct id, and the suffix of the local table name. */
  readonly id: string;
  /** Environment variable through which functions receive the physical name. */
  readonly envVar: string;
  readonly partitionKey: { readonly name: string; readonly type: KeyType };
  readonly sortKey?: { readonly name: string; readonly type: KeyType };
  /** Attribute holding an epoch-seconds expiry, if items age out. */
  readonly ttlAttribute?: string;
  readonly indexes?: readonly IndexDefinition[];
}

export interface IndexDefinition {
  readonly name: string;
  readonly partitionKey: { readonly name: string; readonly type: KeyType };
  readonly sortKey?: { readonly name: string; readonly type: KeyType };
  /** Non-key attributes copied into the index. */
  readonly include: readonly string[];
}

/** Members of a segment, in shopper order: a sparse index over profiles that have a segment. */
export const bySegmentIndex: IndexDefinition = {
  name: 'bySegment',
  partitionKey: { name: 'segmentId', type: 'S' },
  sortKey: { name: 'pk', type: 'S' },
  include: ['segment'],
};

/** Live shopper profiles, one item per shopper, stamped with the shopper's current segment. */
export const profilesTable: TableDefinition = {
  id: 'Profiles',
  envVar: ENV.profilesTable,
  partitionKey: { name: 'pk', type: 'S' },
  indexes: [bySegmentIndex],
};

/**
 * Raw (normalised) events and order markers, grouped per shopper so that an erase request
 * is one Query: sk `m#<messageId>` for an event, `o#<orderId>` for a completed order.
 * Their existence is the durable dedupe record.
 */
export const eventsTable: TableDefinition = {
  id: 'Events',
  envVar: ENV.eventsTable,
  partitionKey: { name: 'pk', type: 'S' },
  sortKey: { name: 'sk', type: 'S' },
  ttlAttribute: 'expiresAt',
};

/**
 * Each shopper's history of segment changes (sk `h#<time>#<model version>#<segment>`) and policy
 * exposures (sk `x#<segment>#<policy version>`), in one partition per shopper so that reading or
 * erasing them is one Query. The current segment
 * itself is stamped on the profile item, so a lookup needs one read.
 */
/**
 * Policy exposures (the first lookup of a shopper under a holdout policy version), a sparse index
 * over the assignments table's `x#<segment>#<version>` items: `xv` is the version and one of a
 * few shards (so lookups spread their writes), `xk` a hash of the shopper id first (so a Query's
 * first rows are a uniform sample). See shared/adapters/dynamodb-exposure-store.ts.
 */
export const byExposureIndex: IndexDefinition = {
  name: 'byExposure',
  partitionKey: { name: 'xv', type: 'S' },
  sortKey: { name: 'xk', type: 'S' },
  include: ['group', 'at'],
};

export const assignmentsTable: TableDefinition = {
  id: 'Assignments',
  envVar: ENV.assignmentsTable,
  partitionKey: { name: 'pk', type: 'S' },
  sortKey: { name: 'sk', type: 'S' },
  indexes: [byExposureIndex],
};

export const tables = [profilesTable, eventsTable, assignmentsTable] as const;

/** Snapshots, models, runs and policies (./bucket-layout.ts). */
export const dataBucket = { id: 'Data', envVar: ENV.dataBucket } as const;

/** Local physical names: the stack lets CloudFormation name them. */
export const localTableName = (def: TableDefinition, prefix = 'seg'): string =>
  `${prefix}-${def.id.toLowerCase()}`;
export const localBucketName = 'seg-data';
