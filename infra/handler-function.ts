import { fileURLToPath } from 'node:url';
import type { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';

// Resolved from this file rather than the cwd, so synth and tests behave the same wherever they start.
const projectRoot = fileURLToPath(new URL('..', import.meta.url));

export interface HandlerFunctionProps {
  /** Entry file relative to the project root, e.g. 'functions/ingest.ts'. */
  readonly entry: string;
  readonly description: string;
  readonly memorySize: number;
  readonly timeout: Duration;
  readonly environment: Record<string, string>;
  readonly logRetention: logs.RetentionDays;
  readonly removalPolicy: RemovalPolicy;
}

/** A Node 24 ESM handler bundled by the local esbuild, logging JSON to its own log group. */
export const createHandlerFunction = (scope: Construct, id: string, props: HandlerFunctionProps) => {
  const logGroup = new logs.LogGroup(scope, `${id}Logs`, {
    retention: props.logRetention,
    removalPolicy: props.removalPolicy,
  });

  return new NodejsFunction(scope, id, {
    entry: `${projectRoot}${props.entry}`,
    handler: 'handler',
    projectRoot,
    depsLockFilePath: `${projectRoot}package-lock.json`,
    description: props.description,
    runtime: lambda.Runtime.NODEJS_24_X,
    architecture: lambda.Architecture.ARM_64,
    memorySize: props.memorySize,
    timeout: props.timeout,
    logGroup,
    loggingFormat: lambda.LoggingFormat.JSON,
    environment: { ...props.environment, NODE_OPTIONS: '--enable-source-maps' },
    bundling: {
      format: OutputFormat.ESM,
      minify: true,
      sourceMap: true,
      target: 'node22',
      // Prefer ESM builds of dependencies so esbuild can tree-shake them.
      mainFields: ['module', 'main'],
      // CommonJS dependencies bundled into an ESM file still call require(); give them one.
      banner: "import { createRequire } from 'module'; const require = createRequire(import.meta.url);",
    },
  });
};
