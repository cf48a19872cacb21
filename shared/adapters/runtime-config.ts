import * as z from 'zod';

// Customer value models (shared/domain/clv): time unit, calibration window in days (absent: all
// history), and whether their forecasts are clustered too. Also read by the local server.
const clvEnvSchema = z.object({
  CLV_TIME_UNIT: z.enum(['day', 'week']).default('day'),
  CLV_CALIBRATION_DAYS: z.coerce.number().int().min(30).max(3650).optional(),
  CLV_CLUSTER_FEATURES: z.enum(['true', 'false', '1', '0']).default('true'),
});

/** Environment of every function (and of the local runtime, which sets the same variables). */
const envSchema = z.object({
  ...clvEnvSchema.shape,
  // Names match profilesTable.envVar / eventsTable.envVar in shared/tables.ts.
  PROFILES_TABLE: z.string().min(1),
  EVENTS_TABLE: z.string().min(1),
  ASSIGNMENTS_TABLE: z.string().min(1).optional(),
  DATA_BUCKET: z.string().min(1).optional(),
  // Only the request-path functions need keys; each handler refuses to start without its own.
  WRITE_KEY: z.string().min(1).optional(),
  READ_KEY: z.string().min(1).optional(),
  ADMIN_KEY: z.string().min(1).optional(),
  // In the stack the keys live in Secrets Manager; these name the secrets (ARNs).
  WRITE_KEY_SECRET_ARN: z.string().min(1).optional(),
  READ_KEY_SECRET_ARN: z.string().min(1).optional(),
  ADMIN_KEY_SECRET_ARN: z.string().min(1).optional(),
  EVENT_RETENTION_DAYS: z.coerce.number().int().min(1).default(400),
  DEFAULT_CURRENCY: z
    .string()
    .regex(/^[A-Z]{3}$/)
    .default('USD'),
  MAX_FUTURE_HOURS: z.coerce.number().positive().default(24),
  NOW: z.string().optional(),
  LOG_LEVEL: z.string().optional(),
  DYNAMODB_ENDPOINT: z.string().optional(),
  S3_ENDPOINT: z.string().optional(),
  AWS_REGION: z.string().optional(),
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
  readonly endpoints: { dynamodb?: string; s3?: string; region?: string };
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
  unit: e.CLV_TIME_UNIT,
  calibrationDays: e.CLV_CALIBRATION_DAYS ?? null,
  clusterFeatures: e.CLV_CLUSTER_FEATURES === 'true' || e.CLV_CLUSTER_FEATURES === '1',
});

/** The CLV settings alone, for the local server (which builds the rest of its config itself). */
export const clvSettingsFromEnv = (env: NodeJS.ProcessEnv = process.env): RuntimeConfig['clv'] =>
  clvSettings(parseEnv(clvEnvSchema, env));

export const runtimeConfigFromEnv = (env: NodeJS.ProcessEnv = process.env): RuntimeConfig => {
  const e = parseEnv(envSchema, env);
  return {
    profilesTable: e.PROFILES_TABLE,
    eventsTable: e.EVENTS_TABLE,
    assignmentsTable: e.ASSIGNMENTS_TABLE,
    dataBucket: e.DATA_BUCKET,
    writeKey: e.WRITE_KEY,
    readKey: e.READ_KEY,
    adminKey: e.ADMIN_KEY,
    keySecrets: {
      ...(e.WRITE_KEY_SECRET_ARN ? { write: e.WRITE_KEY_SECRET_ARN } : {}),
      ...(e.READ_KEY_SECRET_ARN ? { read: e.READ_KEY_SECRET_ARN } : {}),
      ...(e.ADMIN_KEY_SECRET_ARN ? { admin: e.ADMIN_KEY_SECRET_ARN } : {}),
    },
    eventRetentionDays: e.EVENT_RETENTION_DAYS,
    defaultCurrency: e.DEFAULT_CURRENCY,
    maxFutureMs: e.MAX_FUTURE_HOURS * 3_600_000,
    now: e.NOW,
    clv: clvSettings(e),
    logLevel: e.LOG_LEVEL,
    endpoints: {
      ...(e.DYNAMODB_ENDPOINT ? { dynamodb: e.DYNAMODB_ENDPOINT } : {}),
      ...(e.S3_ENDPOINT ? { s3: e.S3_ENDPOINT } : {}),
      ...(e.AWS_REGION ? { region: e.AWS_REGION } : {}),
    },
  };
};

/** The key a handler authenticates with; a missing one is a deployment error, not an open door. */
export const requiredKey = (value: string | undefined, name: string): string => {
  if (!value) throw new Error(`${name} is not configured`);
  return value;
};
