/**
 * The data bucket's layout: every prefix and key the code writes and reads, and so every prefix
 * the stack grants on or expires (infra/retrain.ts, infra/segmentation-stack.ts, infra/storage.ts).
 *
 *   snapshots/dt=YYYY-MM-DD/run=<runId>/_segments.json        the plan: one item per Scan segment
 *   snapshots/dt=YYYY-MM-DD/run=<runId>/part-<segment>-<seq>.jsonl.gz   one profile a line
 *   snapshots/dt=YYYY-MM-DD/run=<runId>/_segments/<segment>.json   a segment worker's parts and
 *                                                                  training summary
 *   snapshots/dt=YYYY-MM-DD/run=<runId>/_parts.json           every part: the maps' items
 *   snapshots/dt=YYYY-MM-DD/run=<runId>/_summary.json         the merged training summary
 *   snapshots/dt=YYYY-MM-DD/run=<runId>/_manifest.json        written last
 *   snapshots/_map-results/…                  what the Distributed Maps write (ResultWriter)
 *   models/<version>/model.json              written first, complete
 *   models/<version>/index-parts/<part>.json one snapshot part's recommendation counts
 *   models/<version>/recommendations.json    what each segment's shoppers buy (before promotion)
 *   models/<version>/population/<part>.json  shoppers per segment in one snapshot part, written by
 *                                            that part's reassignment (a re-run overwrites it)
 *   models/current.json                      then switched: one PutObject, atomic
 *   runs/<runId>.json                        what each retrain did, promoted or not
 *   config/policies/<segment id>.json        an operator's marketing policy for one segment
 *   config/policies/history/<segment id>/<start>_<n>_<version>.json   every version it had (append only)
 *   config/policies/flags/<segment id>.json  the last lift check's flag on the segment's policy
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

/** A snapshot run's control objects: `_` keeps them out of Athena's and Hive's data. */
export const snapshotSegmentsKey = (prefix: string): string => `${prefix}_segments.json`;
export const segmentResultPrefix = (prefix: string): string => `${prefix}_segments/`;
export const segmentResultKey = (prefix: string, segment: number): string =>
  `${segmentResultPrefix(prefix)}${String(segment).padStart(4, '0')}.json`;
export const snapshotPartsKey = (prefix: string): string => `${prefix}_parts.json`;
export const snapshotSummaryKey = (prefix: string): string => `${prefix}_summary.json`;
export const manifestKey = (prefix: string): string => `${prefix}${MANIFEST_NAME}`;
/** Where the Distributed Maps write their results (under snapshots/: they expire with them). */
export const MAP_RESULTS_PREFIX = `${SNAPSHOT_ROOT}_map-results/`;

/** The current-model pointer. */
export const CURRENT_MODEL_KEY = `${BUCKET_PREFIXES.models}current.json`;
export const modelKey = (version: string): string => `${BUCKET_PREFIXES.models}${version}/model.json`;
export const recommendationsKey = (version: string): string =>
  `${BUCKET_PREFIXES.models}${version}/recommendations.json`;
export const populationPrefix = (version: string): string =>
  `${BUCKET_PREFIXES.models}${version}/population/`;
const partName = (partKey: string): string =>
  (partKey.split('/').at(-1) ?? partKey).replace(/\.jsonl\.gz$/, '');

export const indexPartPrefix = (version: string): string =>
  `${BUCKET_PREFIXES.models}${version}/index-parts/`;
/** One snapshot part's recommendation counts for a model, named as its population object. */
export const indexPartKey = (version: string, partKey: string): string =>
  `${indexPartPrefix(version)}${partName(partKey)}.json`;

/** One object per snapshot part, named by the part's file name (unique within a snapshot). */
export const populationKey = (version: string, partKey: string): string =>
  `${populationPrefix(version)}${partName(partKey)}.json`;

export const runKey = (runId: string): string => `${BUCKET_PREFIXES.runs}${runId}.json`;

export const policyKey = (segmentId: string): string =>
  `${BUCKET_PREFIXES.policies}${encodeURIComponent(segmentId)}.json`;
/** Under the policies prefix, so the same grants cover them; not policies themselves. */
export const POLICY_HISTORY_PREFIX = `${BUCKET_PREFIXES.policies}history/`;
export const POLICY_FLAGS_PREFIX = `${BUCKET_PREFIXES.policies}flags/`;
export const policyHistoryPrefix = (segmentId: string): string =>
  `${POLICY_HISTORY_PREFIX}${encodeURIComponent(segmentId)}/`;
export const policyHistoryKey = (
  segmentId: string,
  activeFrom: string,
  sequence: number,
  version: string,
): string =>
  `${policyHistoryPrefix(segmentId)}${activeFrom}_${String(sequence).padStart(6, '0')}_${encodeURIComponent(version)}.json`;
export const policyFlagKey = (segmentId: string): string =>
  `${POLICY_FLAGS_PREFIX}${encodeURIComponent(segmentId)}.json`;
