import type { Node } from 'constructs';

/** API keys the functions compare requests against (plain env vars until they move to Secrets Manager). */
export interface ApiKeys {
  readonly write: string;
  readonly read: string;
  readonly admin: string;
}

export interface SegmentationConfig {
  /** 'prod' protects stateful resources from deletion; anything else is disposable. */
  readonly stage: string;
  readonly keys: ApiKeys;
  /** How long raw events (and so the dedupe record) live before DynamoDB TTL removes them. */
  readonly eventRetentionDays: number;
  /** EventBridge Scheduler expression (`rate(...)` or `cron(...)`, UTC) that starts the retrain state machine. */
  readonly retrainSchedule: string;
}

export const DEFAULT_STAGE = 'dev';
export const DEFAULT_EVENT_RETENTION_DAYS = 400;
/** Daily at 03:00 UTC, when shop traffic (and so profile churn during the snapshot) is lowest. */
export const DEFAULT_RETRAIN_SCHEDULE = 'cron(0 3 * * ? *)';

export const isProd = (config: SegmentationConfig): boolean => config.stage === 'prod';

// `cdk -c key=value` always yields strings, while tests and cdk.json may pass real types.
const contextString = (node: Node, key: string): string | undefined => {
  const value: unknown = node.tryGetContext(key);
  return value === undefined || value === null ? undefined : String(value);
};

const parseRetentionDays = (raw: string | number): number => {
  const days = Number(raw);
  if (!Number.isInteger(days) || days < 1) {
    throw new Error(`eventRetentionDays must be a positive integer, got '${raw}'`);
  }
  return days;
};

const parseSchedule = (raw: string): string => {
  const expression = raw.trim();
  if (!/^(rate|cron)\(.+\)$/.test(expression)) {
    throw new Error(`retrainSchedule must be a rate(...) or cron(...) expression, got '${raw}'`);
  }
  return expression;
};

/**
 * Settings come from explicit overrides first (tests, other apps), then CDK context.
 * Keys may be missing outside prod so that an offline `cdk synth` works; the stack warns about it.
 */
export const resolveConfig = (
  node: Node,
  overrides: Partial<SegmentationConfig> = {},
): SegmentationConfig => {
  const stage = overrides.stage ?? contextString(node, 'stage') ?? DEFAULT_STAGE;
  if (!/^[a-z0-9-]+$/.test(stage)) {
    throw new Error(`stage must be lowercase letters, digits and dashes, got '${stage}'`);
  }
  const keys: ApiKeys = overrides.keys ?? {
    write: contextString(node, 'writeKey') ?? '',
    read: contextString(node, 'readKey') ?? '',
    admin: contextString(node, 'adminKey') ?? '',
  };
  if (stage === 'prod' && (!keys.write || !keys.read || !keys.admin)) {
    throw new Error('prod needs the writeKey, readKey and adminKey context values');
  }
  const eventRetentionDays = parseRetentionDays(
    overrides.eventRetentionDays ?? contextString(node, 'eventRetentionDays') ?? DEFAULT_EVENT_RETENTION_DAYS,
  );
  const retrainSchedule = parseSchedule(
    overrides.retrainSchedule ?? contextString(node, 'retrainSchedule') ?? DEFAULT_RETRAIN_SCHEDULE,
  );
  return { stage, keys, eventRetentionDays, retrainSchedule };
};
