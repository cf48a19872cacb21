import type { Node } from 'constructs';

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
  /** HTTP API steady-state requests per second and burst, for all routes together. */
  readonly throttle: { readonly rateLimit: number; readonly burstLimit: number };
}

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
  overrides: Partial<SegmentationConfig> = {},
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
  const setting = (name: keyof SegmentationConfig & string, fallback: number, min: number, max: number) =>
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
  };
};
