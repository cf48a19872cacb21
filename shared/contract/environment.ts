/**
 * Every environment variable a function reads, by one name: the stack sets them
 * (infra/segmentation-stack.ts, infra/retrain.ts, infra/api-key-secrets.ts), the functions read
 * them in one place (shared/adapters/runtime-config.ts), and the local runtime and the tests set
 * the same names. docs/configuration.md describes the settings among them; the retrain's limits
 * have their defaults and bounds in shared/contract/retrain-limits.ts.
 */
export const ENV = {
  // Physical names of the stack's resources (shared/contract/tables.ts, the event bus).
  profilesTable: 'PROFILES_TABLE',
  eventsTable: 'EVENTS_TABLE',
  assignmentsTable: 'ASSIGNMENTS_TABLE',
  dataBucket: 'DATA_BUCKET',
  /** Where "Segment Changed" events go: the read API, rescore and reassignment publish. */
  eventBusName: 'EVENT_BUS_NAME',

  // API keys (shared/contract/key-roles.ts): plain values locally, Secrets Manager ARNs in the stack.
  writeKey: 'WRITE_KEY',
  readKey: 'READ_KEY',
  adminKey: 'ADMIN_KEY',
  writeKeySecretArn: 'WRITE_KEY_SECRET_ARN',
  readKeySecretArn: 'READ_KEY_SECRET_ARN',
  adminKeySecretArn: 'ADMIN_KEY_SECRET_ARN',
  /** Browser write keys and the origins each may send from (shared/contract/browser-keys.ts): not secrets. */
  browserKeys: 'BROWSER_KEYS',
  /**
   * The service's public base URL, which the browser SDKs' settings point them at (the ingest
   * function); unset, it is taken from the request's Host / X-Forwarded-Host.
   */
  publicApiUrl: 'PUBLIC_API_URL',

  // Settings.
  eventRetentionDays: 'EVENT_RETENTION_DAYS',
  defaultCurrency: 'DEFAULT_CURRENCY',
  maxFutureHours: 'MAX_FUTURE_HOURS',
  /** Parallel Scan segments of a snapshot, at least (plan function). */
  snapshotWorkers: 'SNAPSHOT_WORKERS',
  /** Profiles one snapshot segment worker scans, about: the plan cuts the table into segments of this size. */
  snapshotRowsPerSegment: 'SNAPSHOT_ROWS_PER_SEGMENT',
  /** Parallel Scan segments of a snapshot, at most (plan function). */
  snapshotMaxSegments: 'SNAPSHOT_MAX_SEGMENTS',
  /** Rows per snapshot part, the unit of the reassignment fan-out (snapshot function). */
  snapshotRowsPerPart: 'SNAPSHOT_ROWS_PER_PART',
  /** Rows of the training sample every segment worker builds its share of (snapshot, train and drift functions). */
  maxTrainingRows: 'MAX_TRAINING_ROWS',
  /** Shoppers of the backtest sample, beside the training sample (snapshot, train and drift functions). */
  backtestSample: 'BACKTEST_SAMPLE',
  /**
   * Items each Distributed Map runs at once: the local runner's; in the stack the state machines'
   * MaxConcurrency, which no function reads.
   */
  mapConcurrency: 'MAP_CONCURRENCY',
  clvTimeUnit: 'CLV_TIME_UNIT',
  clvCalibrationDays: 'CLV_CALIBRATION_DAYS',
  clvClusterFeatures: 'CLV_CLUSTER_FEATURES',
  /** Pins the clock (an ISO date). */
  now: 'NOW',
  logLevel: 'LOG_LEVEL',

  // Where the SDK goes: emulators locally and in tests; unset in Lambda (AWS_REGION is the runtime's).
  dynamodbEndpoint: 'DYNAMODB_ENDPOINT',
  s3Endpoint: 'S3_ENDPOINT',
  eventBridgeEndpoint: 'EVENTBRIDGE_ENDPOINT',
  awsRegion: 'AWS_REGION',
} as const;

export type EnvVarName = (typeof ENV)[keyof typeof ENV];
