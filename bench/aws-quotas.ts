/**
 * The AWS limits a retrain runs into as it grows (documented defaults; the adjustable ones are
 * marked), besides those the stack sets itself (function memory and timeout, map concurrency,
 * state machine timeout), which the bench reads from the synthesised template.
 */
export const QUOTAS = {
  /** Lambda allocates CPU in proportion to memory: one vCPU at 1,769 MB (Node runs JS on one thread). */
  lambdaMbPerVcpu: 1769,
  lambdaMaxMemoryMb: 10_240,
  /** Concurrent executions per account and region (adjustable), shared with every other function. */
  lambdaAccountConcurrency: 1_000,
  /** On-demand table throughput, per table (adjustable). */
  dynamoTableReadUnitsPerSecond: 40_000,
  dynamoTableWriteUnitsPerSecond: 40_000,
  /** A Scan page holds at most 1 MB of items. */
  dynamoScanPageBytes: 1024 * 1024,
  /** Request rates per S3 prefix. */
  s3PutsPerSecondPerPrefix: 3_500,
  s3GetsPerSecondPerPrefix: 5_500,
  /** Child executions a Distributed Map runs at once. */
  distributedMapMaxConcurrency: 10_000,
} as const;

export const QUOTA_SOURCES = [
  'https://docs.aws.amazon.com/lambda/latest/dg/configuration-memory.html',
  'https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html',
  'https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ServiceQuotas.html',
  'https://docs.aws.amazon.com/AmazonS3/latest/userguide/optimizing-performance.html',
  'https://docs.aws.amazon.com/step-functions/latest/dg/service-quotas.html',
] as const;
