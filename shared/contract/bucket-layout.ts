/**
 * The data bucket's layout: every prefix and key the code writes and reads, and so every prefix
 * the stack grants on or expires (infra/retrain.ts, infra/segmentation-stack.ts, infra/storage.ts).
 *
 *   snapshots/dt=YYYY-MM-DD/run=<runId>/part-<worker>-<seq>.jsonl.gz   one profile a line
 *   snapshots/dt=YYYY-MM-DD/run=<runId>/_manifest.json                 written last
 *   models/<version>/model.json              written first, complete
 *   models/<version>/recommendations.json    what each segment's shoppers buy (before promotion)
 *   models/<version>/population/<part>.json  shoppers per segment in one snapshot part, written by
 *                                            that part's reassignment (a re-run overwrites it)
 *   models/current.json                      then switched: one PutObject, atomic
 *   runs/<runId>.json                        what each retrain did, promoted or not
 *   config/policies/<segment id>.json        an operator's marketing policy for one segment
 *
 * Snapshot data parts sit under Hive-style partitions that Athena reads as they are; the manifest
 * starts with `_`, which Athena and Hive skip as data, and a run without one is incomplete and
 * never read.
 */

/** The top-level prefixes: each is one kind of object, with its own grants and lifetime. */
export const BUCKET_PREFIXES = {
  /** Copies of every profile: they expire (the stack's `snapshotRetentionDays`). */
  snapshots: 'snapshots/',
  models: 'models/',
  runs: 'runs/',
  policies: 'config/policies/',
} as const;

export type BucketPrefix = (typeof BUCKET_PREFIXES)[keyof typeof BUCKET_PREFIXES];

export const SNAPSHOT_ROOT = BUCKET_PREFIXES.snapshots;
export const MANIFEST_NAME = '_manifest.json';

export const snapshotPrefix = (dt: string, runId: string): string => `${SNAPSHOT_ROOT}dt=${dt}/run=${runId}/`;

export const partKey = (prefix: string, worker: number, seq: number): string =>
  `${prefix}part-${String(worker).padStart(3, '0')}-${String(seq).padStart(5, '0')}.jsonl.gz`;

/** The current-model pointer. */
export const CURRENT_MODEL_KEY = `${BUCKET_PREFIXES.models}current.json`;
export const modelKey = (version: string): string => `${BUCKET_PREFIXES.models}${version}/model.json`;
export const recommendationsKey = (version: string): string =>
  `${BUCKET_PREFIXES.models}${version}/recommendations.json`;
export const populationPrefix = (version: string): string =>
  `${BUCKET_PREFIXES.models}${version}/population/`;
/** One object per snapshot part, named by the part's file name (unique within a snapshot). */
export const populationKey = (version: string, partKey: string): string =>
  `${populationPrefix(version)}${(partKey.split('/').at(-1) ?? partKey).replace(/\.jsonl\.gz$/, '')}.json`;

export const runKey = (runId: string): string => `${BUCKET_PREFIXES.runs}${runId}.json`;

export const policyKey = (segmentId: string): string =>
  `${BUCKET_PREFIXES.policies}${encodeURIComponent(segmentId)}.json`;
