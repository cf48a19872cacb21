import { z } from 'zod';

/** Environment of every function (and of the local runtime, which sets the same variables). */
const envSchema = z.object({
  // Names match profilesTable.envVar / eventsTable.envVar in shared/tables.ts.
  PROFILES_TABLE: z.string().min(1),
  EVENTS_TABLE: z.string().min(1),
  WRITE_KEY: z.string().min(1),
  READ_KEY: z.string().min(1),
  ADMIN_KEY: z.string().min(1).optional(),
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
  readonly writeKey: string;
  readonly readKey: string;
  readonly adminKey: string | undefined;
  readonly eventRetentionDays: number;
  readonly defaultCurrency: string;
  readonly maxFutureMs: number;
  readonly now: string | undefined;
  readonly logLevel: string | undefined;
  readonly endpoints: { dynamodb?: string; s3?: string; region?: string };
}

export const runtimeConfigFromEnv = (env: NodeJS.ProcessEnv = process.env): RuntimeConfig => {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const names = parsed.error.issues.map((i) => i.path.join('.')).join(', ');
    throw new Error(`invalid or missing environment variables: ${names}`);
  }
  const e = parsed.data;
  return {
    profilesTable: e.PROFILES_TABLE,
    eventsTable: e.EVENTS_TABLE,
    writeKey: e.WRITE_KEY,
    readKey: e.READ_KEY,
    adminKey: e.ADMIN_KEY,
    eventRetentionDays: e.EVENT_RETENTION_DAYS,
    defaultCurrency: e.DEFAULT_CURRENCY,
    maxFutureMs: e.MAX_FUTURE_HOURS * 3_600_000,
    now: e.NOW,
    logLevel: e.LOG_LEVEL,
    endpoints: {
      ...(e.DYNAMODB_ENDPOINT ? { dynamodb: e.DYNAMODB_ENDPOINT } : {}),
      ...(e.S3_ENDPOINT ? { s3: e.S3_ENDPOINT } : {}),
      ...(e.AWS_REGION ? { region: e.AWS_REGION } : {}),
    },
  };
};
