import type { Node } from 'constructs';
import { type BrowserKeys, parseBrowserKeys } from '#shared/contract/browser-keys';
import { RETRAIN_LIMIT_NAMES, RETRAIN_LIMITS, type RetrainLimits } from '#shared/contract/retrain-limits';

export interface SegmentationConfig {
  /** 'prod' protects stateful resources from deletion; anything else is disposable. */
  readonly stage: string;
  /** How long raw events (and so the dedupe record) live before DynamoDB TTL removes them. */
  readonly eventRetentionDays: number;
  /** EventBridge Scheduler expression (`rate(...)` or `cron(...)`, UTC) that starts the retrain state machine. */
  readonly retrainSchedule: string;
  /**
   * EventBridge Scheduler expression that starts the drift check: a snapshot compared with the
   * current model, and a retrain (trigger "drift") when the population has moved.
   */
  readonly driftCheckSchedule: string;
  /** Snapshots (whole-profile copies, personal data included) are deleted this many days after they are written. */
  readonly snapshotRetentionDays: number;
  /** Alarm when no model has been promoted for this many days (1–7). */
  readonly modelMaxAgeDays: number;
  /** Where alarms are e-mailed (optional: the SNS topic exists either way). */
  readonly alarmEmail?: string;
  /** Customer value models: time unit of the fit and calibration window in days (absent: all history). */
  readonly clvTimeUnit: 'day' | 'week';
  readonly clvCalibrationDays?: number;
  /** Cluster on the customer value forecasts too. */
  readonly clvClusterFeatures: boolean;
  /**
   * Write keys for shops' pages, each with the origins it may send from (context `browserKeys`, a
   * JSON object: shared/contract/browser-keys.ts). Not secrets: they are in every page.
   */
  readonly browserKeys: BrowserKeys;
  /**
   * The URL browsers reach the API at (context `publicApiUrl`, e.g. a custom domain), which the
   * browser SDK settings point them at; default: the API's own endpoint.
   */
  readonly publicApiUrl?: string;
  /** HTTP API steady-state requests per second and burst, for all routes together. */
  readonly throttle: { readonly rateLimit: number; readonly burstLimit: number };
  /**
   * The retrain's limits, each from its own context key; their defaults and bounds are in
   * shared/contract/retrain-limits.ts, how to choose them for a table size in the README.
   * - `snapshotMinSegments`: parallel Scan segments of a snapshot, at least (SNAPSHOT_WORKERS);
   * - `snapshotRowsPerSegment`: profiles one segment worker scans, about, within its 15 minutes:
   *   the plan cuts the table into ceil(rows / this) segments…
   * - `snapshotMaxSegments`: …but never into more than this many;
   * - `snapshotRowsPerPart`: rows per snapshot part, which is one item of the index and
   *   reassignment maps and is held in memory by the functions that read it;
   * - `maxTrainingRows`: the training sample (about 0.5 KB each) the segment workers build their
   *   shares of and the train and drift functions hold;
   * - `backtestSample`: the backtest sample kept beside it (0: no backtest);
   * - `mapConcurrency`: the MaxConcurrency of the three Distributed Maps (segments, index parts,
   *   reassignment), so the Lambdas running at once and the snapshot's read rate.
   */
  readonly retrainLimits: RetrainLimits;
}

/** resolveConfig's overrides: any setting, and any of the retrain's limits on its own. */
export type SegmentationConfigOverrides = Partial<Omit<SegmentationConfig, 'retrainLimits'>> & {
  readonly retrainLimits?: Partial<RetrainLimits>;
};

export const DEFAULT_STAGE = 'dev';
export const DEFAULT_EVENT_RETENTION_DAYS = 400;
/** Daily at 03:00 UTC, when shop traffic (and so profile churn during the snapshot) is lowest. */
export const DEFAULT_RETRAIN_SCHEDULE = 'cron(0 3 * * ? *)';
/**
 * Four checks a day: a shift (a campaign, a season) retrains within hours rather than at the next
 * daily run, for the cost of a profiles Scan per check (docs/cost.md).
 */
export const DEFAULT_DRIFT_CHECK_SCHEDULE = 'rate(6 hours)';
/** A week of snapshots is enough to compare drift and investigate a bad run. */
export const DEFAULT_SNAPSHOT_RETENTION_DAYS = 7;
export const DEFAULT_MODEL_MAX_AGE_DAYS = 3;
export const DEFAULT_THROTTLE = { rateLimit: 1000, burstLimit: 2000 } as const;

export const isProd = (config: SegmentationConfig): boolean => config.stage === 'prod';

// `cdk -c key=value` always yields strings, while tests and cdk.json may pass real types.
const contextString = (node: Node, key: string): string | undefined => {
  const value: unknown = node.tryGetContext(key);
  return value === undefined || value === null ? undefined : String(value);
};

const parseInteger = (name: string, raw: string | number, min: number, max: number): number => {
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new Error(`${name} must be an integer from ${min} to ${max}, got '${raw}'`);
  }
  return value;
};

const parseRetentionDays = (raw: string | number): number =>
  parseInteger('eventRetentionDays', raw, 1, 36_500);

/** Each limit from its override, else its context key, else its default; within its bounds. */
const resolveRetrainLimits = (node: Node, overrides: Partial<RetrainLimits> = {}): RetrainLimits => {
  const limits = Object.fromEntries(
    RETRAIN_LIMIT_NAMES.map((name) => {
      const { context, default: fallback, min, max } = RETRAIN_LIMITS[name];
      return [
        name,
        parseInteger(context, overrides[name] ?? contextString(node, context) ?? fallback, min, max),
      ];
    }),
  ) as unknown as RetrainLimits;
  // The plan would quietly cap the minimum at the maximum: say so at synth instead.
  if (limits.snapshotWorkers > limits.maxSegments) {
    const [min, max] = [RETRAIN_LIMITS.snapshotWorkers.context, RETRAIN_LIMITS.maxSegments.context];
    throw new Error(`${min} (${limits.snapshotWorkers}) must not exceed ${max} (${limits.maxSegments})`);
  }
  return limits;
};

const parseSchedule = (name: string, raw: string): string => {
  const expression = raw.trim();
  if (!/^(rate|cron)\(.+\)$/.test(expression)) {
    throw new Error(`${name} must be a rate(...) or cron(...) expression, got '${raw}'`);
  }
  return expression;
};

/**
 * Settings come from explicit overrides first (tests, other apps), then CDK context.
 * API keys are not settings: the stack generates them in Secrets Manager (infra/api-key-secrets.ts).
 */
export const resolveConfig = (
  node: Node,
  overrides: SegmentationConfigOverrides = {},
): SegmentationConfig => {
  const stage = overrides.stage ?? contextString(node, 'stage') ?? DEFAULT_STAGE;
  if (!/^[a-z0-9-]+$/.test(stage)) {
    throw new Error(`stage must be lowercase letters, digits and dashes, got '${stage}'`);
  }
  const eventRetentionDays = parseRetentionDays(
    overrides.eventRetentionDays ?? contextString(node, 'eventRetentionDays') ?? DEFAULT_EVENT_RETENTION_DAYS,
  );
  const retrainSchedule = parseSchedule(
    'retrainSchedule',
    overrides.retrainSchedule ?? contextString(node, 'retrainSchedule') ?? DEFAULT_RETRAIN_SCHEDULE,
  );
  const driftCheckSchedule = parseSchedule(
    'driftCheckSchedule',
    overrides.driftCheckSchedule ?? contextString(node, 'driftCheckSchedule') ?? DEFAULT_DRIFT_CHECK_SCHEDULE,
  );
  const setting = (
    name: keyof SegmentationConfigOverrides & string,
    fallback: number,
    min: number,
    max: number,
  ) =>
    parseInteger(
      name,
      (overrides[name] as number | undefined) ?? contextString(node, name) ?? fallback,
      min,
      max,
    );
  const alarmEmail = overrides.alarmEmail ?? contextString(node, 'alarmEmail');
  if (alarmEmail !== undefined && !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(alarmEmail)) {
    throw new Error(`alarmEmail must be an e-mail address, got '${alarmEmail}'`);
  }
  const rawBrowserKeys: unknown = overrides.browserKeys ?? node.tryGetContext('browserKeys');
  // cdk.json may hold the object itself; `-c browserKeys='{…}'` gives its JSON text.
  const browserKeys = parseBrowserKeys(
    rawBrowserKeys === undefined || typeof rawBrowserKeys === 'string'
      ? rawBrowserKeys
      : JSON.stringify(rawBrowserKeys),
  );
  const publicApiUrl = overrides.publicApiUrl ?? contextString(node, 'publicApiUrl');
  if (publicApiUrl !== undefined && !/^https?:\/\/[^/\s?#]+(\/[^\s?#]*)?$/.test(publicApiUrl))
    throw new Error(`publicApiUrl must be an http(s) URL without query or fragment, got '${publicApiUrl}'`);
  const clvTimeUnit = overrides.clvTimeUnit ?? contextString(node, 'clvTimeUnit') ?? 'day';
  if (clvTimeUnit !== 'day' && clvTimeUnit !== 'week')
    throw new Error(`clvTimeUnit must be 'day' or 'week', got '${clvTimeUnit}'`);
  const rawCalibration = overrides.clvCalibrationDays ?? contextString(node, 'clvCalibrationDays');
  const clvCalibrationDays =
    rawCalibration === undefined ? undefined : parseInteger('clvCalibrationDays', rawCalibration, 30, 3650);
  const rawClusterFeatures =
    overrides.clvClusterFeatures ?? contextString(node, 'clvClusterFeatures') ?? 'true';
  if (!['true', 'false'].includes(String(rawClusterFeatures)))
    throw new Error(`clvClusterFeatures must be true or false, got '${rawClusterFeatures}'`);
  return {
    stage,
    eventRetentionDays,
    clvTimeUnit,
    clvClusterFeatures: String(rawClusterFeatures) === 'true',
    ...(clvCalibrationDays === undefined ? {} : { clvCalibrationDays }),
    retrainSchedule,
    driftCheckSchedule,
    snapshotRetentionDays: setting('snapshotRetentionDays', DEFAULT_SNAPSHOT_RETENTION_DAYS, 1, 3650),
    modelMaxAgeDays: setting('modelMaxAgeDays', DEFAULT_MODEL_MAX_AGE_DAYS, 1, 7),
    ...(alarmEmail ? { alarmEmail } : {}),
    browserKeys,
    ...(publicApiUrl ? { publicApiUrl } : {}),
    throttle: overrides.throttle ?? {
      rateLimit: parseInteger(
        'apiRateLimit',
        contextString(node, 'apiRateLimit') ?? DEFAULT_THROTTLE.rateLimit,
        1,
        100_000,
      ),
      burstLimit: parseInteger(
        'apiBurstLimit',
        contextString(node, 'apiBurstLimit') ?? DEFAULT_THROTTLE.burstLimit,
        1,
        100_000,
      ),
    },
    retrainLimits: resolveRetrainLimits(node, overrides.retrainLimits),
  };
};
