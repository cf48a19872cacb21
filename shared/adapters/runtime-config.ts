import * as z from 'zod';
import { ENV } from '#shared/contract/environment';
import {
  DEFAULT_RETRAIN_SETTINGS,
  type RetrainSettings,
} from '#shared/segmentation/usecases/run-retrain/retrain-settings';

// Customer value models (shared/customer-value/domain): time unit, calibration window in days (absent: all
// history), and whether their forecasts are clustered too. Also read by the local server.
const clvEnvSchema = z.object({
  [ENV.clvTimeUnit]: z.enum(['day', 'week']).default('day'),
  [ENV.clvCalibrationDays]: z.coerce.number().int().min(30).max(3650).optional(),
  [ENV.clvClusterFeatures]: z.enum(['true', 'false', '1', '0']).default('true'),
});

/**
 * Environment of every function (and of the local runtime, which sets the same variables): the
 * one reader of the names in shared/contract/environment.ts, which the stack sets.
 */
const envSchema = z.object({
  ...clvEnvSchema.shape,
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
  [ENV.eventRetentionDays]: z.coerce.number().int().min(1).default(400),
  [ENV.defaultCurrency]: z
    .string()
    .regex(/^[A-Z]{3}$/)
    .default('USD'),
  [ENV.maxFutureHours]: z.coerce.number().positive().default(24),
  [ENV.snapshotWorkers]: z.coerce.number().int().min(1).default(DEFAULT_RETRAIN_SETTINGS.snapshotWorkers),
  [ENV.snapshotRowsPerPart]: z.coerce.number().int().min(1).default(DEFAULT_RETRAIN_SETTINGS.rowsPerPart),
  [ENV.snapshotRowsPerSegment]: z.coerce
    .number()
    .int()
    .min(1)
    .default(DEFAULT_RETRAIN_SETTINGS.rowsPerSegment),
  [ENV.snapshotMaxSegments]: z.coerce.number().int().min(1).default(DEFAULT_RETRAIN_SETTINGS.maxSegments),
  [ENV.maxTrainingRows]: z.coerce.number().int().min(1).default(DEFAULT_RETRAIN_SETTINGS.maxTrainingRows),
  BACKTEST_SAMPLE: z.coerce.number().int().min(0).default(DEFAULT_RETRAIN_SETTINGS.backtestSample),
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
 * settings (snapshot segments, rows per part, training rows; defaults: DEFAULT_RETRAIN_SETTINGS).
 */
export interface EnvironmentConfig extends RuntimeConfig, RetrainSettings {
  /** The bus "Segment Changed" events go to (the read API, rescore, reassignment). */
  readonly eventBusName: string | undefined;
}

const parseEnv = <S extends z.ZodType>(schema: S, env: NodeJS.ProcessEnv): z.infer<S> => {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const names = parsed.error.issues.map((i) => i.path.join('.')).join(', ');
    throw new Error(`invalid or missing environment variables: ${names}`);
  }
  return parsed.data;
};

const clvSettings = (e: z.infer<typeof clvEnvSchema>): RuntimeConfig['clv'] => ({
  unit: e[ENV.clvTimeUnit],
  calibrationDays: e[ENV.clvCalibrationDays] ?? null,
  clusterFeatures: e[ENV.clvClusterFeatures] === 'true' || e[ENV.clvClusterFeatures] === '1',
});

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
    eventRetentionDays: e[ENV.eventRetentionDays],
    defaultCurrency: e[ENV.defaultCurrency],
    maxFutureMs: e[ENV.maxFutureHours] * 3_600_000,
    snapshotWorkers: e[ENV.snapshotWorkers],
    rowsPerPart: e[ENV.snapshotRowsPerPart],
    rowsPerSegment: e[ENV.snapshotRowsPerSegment],
    maxSegments: e[ENV.snapshotMaxSegments],
    maxTrainingRows: e[ENV.maxTrainingRows],
    backtestSample: e.BACKTEST_SAMPLE,
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
