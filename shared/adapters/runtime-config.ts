import * as z from 'zod';
import { type BrowserKeys, parseBrowserKeys } from '#shared/contract/browser-keys';
import { ENV } from '#shared/contract/environment';
import { RETRAIN_LIMIT_NAMES, RETRAIN_LIMITS, type RetrainLimitName } from '#shared/contract/retrain-limits';
import type { RetrainSettings } from '#shared/segmentation/usecases/run-retrain/retrain-settings';

// Customer value models (shared/customer-value/domain): time unit, calibration window in days (absent: all
// history), and whether their forecasts are clustered too. Also read by the local server.
const clvEnvSchema = z.object({
  [ENV.clvTimeUnit]: z.enum(['day', 'week']).default('day'),
  [ENV.clvCalibrationDays]: z.coerce.number().int().min(30).max(3650).optional(),
  [ENV.clvClusterFeatures]: z.enum(['true', 'false', '1', '0']).default('true'),
});

/** A retrain limit's variable: its bounds and default (shared/contract/retrain-limits.ts). */
const limitSchema = (name: RetrainLimitName) => {
  const limit = RETRAIN_LIMITS[name];
  return z.coerce.number().int().min(limit.min).max(limit.max).default(limit.default);
};

// Every job function parses all of them (defaults for those the stack does not set), so the
// settings a handler is given are always whole.
const retrainEnvSchema = z.object({
  [ENV.snapshotWorkers]: limitSchema('snapshotWorkers'),
  [ENV.snapshotRowsPerSegment]: limitSchema('rowsPerSegment'),
  [ENV.snapshotMaxSegments]: limitSchema('maxSegments'),
  [ENV.snapshotRowsPerPart]: limitSchema('rowsPerPart'),
  [ENV.maxTrainingRows]: limitSchema('maxTrainingRows'),
  [ENV.backtestSample]: limitSchema('backtestSample'),
  [ENV.mapConcurrency]: limitSchema('mapConcurrency'),
});

/**
 * Environment of every function (and of the local runtime, which sets the same variables): the
 * one reader of the names in shared/contract/environment.ts, which the stack sets.
 */
const envSchema = z.object({
  ...clvEnvSchema.shape,
  ...retrainEnvSchema.shape,
  [ENV.profilesTable]: z.string().min(1),
  [ENV.eventsTable]: z.string().min(1),
  [ENV.assignmentsTable]: z.string().min(1).optional(),
  [ENV.dataBucket]: z.string().min(1).optional(),
  [ENV.eventBusName]: z.string().min(1).optional(),
  // Only the request-path functions need keys; each handler refuses to start without its own.
  [ENV.writeKey]: z.string().min(1).optional(),
  [ENV.readKey]: z.string().min(1).optional(),
  [ENV.adminKey]: z.string().min(1).optional(),
  // In the stack the keys live in Secrets Manager; these name the secrets (ARNs).
  [ENV.writeKeySecretArn]: z.string().min(1).optional(),
  [ENV.readKeySecretArn]: z.string().min(1).optional(),
  [ENV.adminKeySecretArn]: z.string().min(1).optional(),
  [ENV.browserKeys]: z
    .string()
    .optional()
    .transform((raw, ctx) => {
      try {
        return parseBrowserKeys(raw);
      } catch (error) {
        ctx.addIssue({ code: 'custom', message: (error as Error).message });
        return z.NEVER;
      }
    }),
  [ENV.publicApiUrl]: z.url({ protocol: /^https?$/ }).optional(),
  [ENV.eventRetentionDays]: z.coerce.number().int().min(1).default(400),
  [ENV.defaultCurrency]: z
    .string()
    .regex(/^[A-Z]{3}$/)
    .default('USD'),
  [ENV.maxFutureHours]: z.coerce.number().positive().default(24),
  [ENV.now]: z.string().optional(),
  [ENV.logLevel]: z.string().optional(),
  [ENV.dynamodbEndpoint]: z.string().optional(),
  [ENV.s3Endpoint]: z.string().optional(),
  [ENV.eventBridgeEndpoint]: z.string().optional(),
  [ENV.awsRegion]: z.string().optional(),
});

export interface RuntimeConfig {
  readonly profilesTable: string;
  readonly eventsTable: string;
  readonly assignmentsTable: string | undefined;
  readonly dataBucket: string | undefined;
  readonly writeKey: string | undefined;
  readonly readKey: string | undefined;
  readonly adminKey: string | undefined;
  readonly keySecrets: { readonly write?: string; readonly read?: string; readonly admin?: string };
  /** Write keys for shops' pages, each limited to its origins (none: no browser key). */
  readonly browserKeys: BrowserKeys;
  /** Where browsers reach the service (the SDK settings point there); unset: from the request's host. */
  readonly publicApiUrl: string | undefined;
  readonly eventRetentionDays: number;
  readonly defaultCurrency: string;
  readonly maxFutureMs: number;
  readonly now: string | undefined;
  readonly clv: {
    readonly unit: 'day' | 'week';
    readonly calibrationDays: number | null;
    /** Cluster on P(alive), expected orders and predicted value too. */
    readonly clusterFeatures: boolean;
  };
  readonly logLevel: string | undefined;
  readonly endpoints: { dynamodb?: string; s3?: string; eventbridge?: string; region?: string };
}

/**
 * What a function reads from its environment: the runtime configuration and the retrain jobs'
 * settings (the retrain's limits; defaults: DEFAULT_RETRAIN_SETTINGS).
 */
export interface EnvironmentConfig extends RuntimeConfig, RetrainSettings {
  /** The bus "Segment Changed" events go to (the read API, rescore, reassignment). */
  readonly eventBusName: string | undefined;
}

const parseEnv = <S extends z.ZodType>(schema: S, env: NodeJS.ProcessEnv): z.infer<S> => {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    // The bound a value breaks, e.g. "BACKTEST_SAMPLE (Too big: expected number to be <=1000000)".
    const names = parsed.error.issues.map((i) => `${i.path.join('.')} (${i.message})`).join(', ');
    throw new Error(`invalid or missing environment variables: ${names}`);
  }
  return parsed.data;
};

const clvSettings = (e: z.infer<typeof clvEnvSchema>): RuntimeConfig['clv'] => ({
  unit: e[ENV.clvTimeUnit],
  calibrationDays: e[ENV.clvCalibrationDays] ?? null,
  clusterFeatures: e[ENV.clvClusterFeatures] === 'true' || e[ENV.clvClusterFeatures] === '1',
});

const retrainSettings = (e: z.infer<typeof retrainEnvSchema>): RetrainSettings => ({
  snapshotWorkers: e[ENV.snapshotWorkers],
  rowsPerSegment: e[ENV.snapshotRowsPerSegment],
  maxSegments: e[ENV.snapshotMaxSegments],
  rowsPerPart: e[ENV.snapshotRowsPerPart],
  maxTrainingRows: e[ENV.maxTrainingRows],
  backtestSample: e[ENV.backtestSample],
  mapConcurrency: e[ENV.mapConcurrency],
});

/**
 * The retrain limits set in this environment, and only those: for the local server and
 * `npm run retrain`, whose service has defaults of its own (local/local-service.ts).
 */
export const retrainSettingsFromEnv = (env: NodeJS.ProcessEnv = process.env): Partial<RetrainSettings> => {
  const given = RETRAIN_LIMIT_NAMES.filter((name) => env[RETRAIN_LIMITS[name].env] !== undefined);
  const all = retrainSettings(parseEnv(retrainEnvSchema, env));
  return Object.fromEntries(given.map((name) => [name, all[name]]));
};

/** The CLV settings alone, for the local server (which builds the rest of its config itself). */
export const clvSettingsFromEnv = (env: NodeJS.ProcessEnv = process.env): RuntimeConfig['clv'] =>
  clvSettings(parseEnv(clvEnvSchema, env));

export const runtimeConfigFromEnv = (env: NodeJS.ProcessEnv = process.env): EnvironmentConfig => {
  const e = parseEnv(envSchema, env);
  return {
    profilesTable: e[ENV.profilesTable],
    eventsTable: e[ENV.eventsTable],
    assignmentsTable: e[ENV.assignmentsTable],
    dataBucket: e[ENV.dataBucket],
    eventBusName: e[ENV.eventBusName],
    writeKey: e[ENV.writeKey],
    readKey: e[ENV.readKey],
    adminKey: e[ENV.adminKey],
    keySecrets: {
      ...(e[ENV.writeKeySecretArn] ? { write: e[ENV.writeKeySecretArn] } : {}),
      ...(e[ENV.readKeySecretArn] ? { read: e[ENV.readKeySecretArn] } : {}),
      ...(e[ENV.adminKeySecretArn] ? { admin: e[ENV.adminKeySecretArn] } : {}),
    },
    browserKeys: e[ENV.browserKeys],
    publicApiUrl: e[ENV.publicApiUrl],
    eventRetentionDays: e[ENV.eventRetentionDays],
    defaultCurrency: e[ENV.defaultCurrency],
    maxFutureMs: e[ENV.maxFutureHours] * 3_600_000,
    ...retrainSettings(e),
    now: e[ENV.now],
    clv: clvSettings(e),
    logLevel: e[ENV.logLevel],
    endpoints: {
      ...(e[ENV.dynamodbEndpoint] ? { dynamodb: e[ENV.dynamodbEndpoint] } : {}),
      ...(e[ENV.s3Endpoint] ? { s3: e[ENV.s3Endpoint] } : {}),
      ...(e[ENV.eventBridgeEndpoint] ? { eventbridge: e[ENV.eventBridgeEndpoint] } : {}),
      ...(e[ENV.awsRegion] ? { region: e[ENV.awsRegion] } : {}),
    },
  };
};

/** The key a handler authenticates with; a missing one is a deployment error, not an open door. */
export const requiredKey = (value: string | undefined, name: string): string => {
  if (!value) throw new Error(`${name} is not configured`);
  return value;
};
