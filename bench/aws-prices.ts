/**
 * AWS list prices, us-east-1, that the scale projection charges (arm64 Lambda, S3 Standard,
 * DynamoDB on-demand, Step Functions Standard). Free tiers are left out: a retrain is priced as if
 * the account had used them up. DynamoDB's on-demand prices are those after its 1 November 2024
 * cut (half the earlier $1.25 / $0.25 per million).
 */
export const PRICES_AS_OF =
  'AWS list prices, us-east-1, as published in 2025 (DynamoDB on-demand after its 1 Nov 2024 cut)';
export const PRICE_SOURCES = [
  'https://aws.amazon.com/dynamodb/pricing/on-demand/',
  'https://aws.amazon.com/lambda/pricing/',
  'https://aws.amazon.com/s3/pricing/',
  'https://aws.amazon.com/step-functions/pricing/',
] as const;

export const PRICES = {
  /** $ per write request unit (on-demand). */
  dynamoWriteUnit: 0.625 / 1e6,
  /** $ per read request unit (on-demand; an eventually consistent read of up to 4 KB is half a unit). */
  dynamoReadUnit: 0.125 / 1e6,
  /** $ per GB-second, arm64, first 7.5 billion GB-s a month. */
  lambdaGbSecond: 0.0000133334,
  lambdaRequest: 0.2 / 1e6,
  /** $ per PUT, COPY, POST or LIST request, S3 Standard. */
  s3Put: 0.005 / 1000,
  /** $ per GET request, S3 Standard. */
  s3Get: 0.0004 / 1000,
  /** $ per GB-month, S3 Standard, first 50 TB. */
  s3GbMonth: 0.023,
  /** $ per state transition, Step Functions Standard (a Distributed Map's child execution start is one). */
  stateTransition: 0.025 / 1000,
} as const;
