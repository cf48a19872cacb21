/**
 * The Lambda bundles of a synthesised cloud assembly, and a way to import one in a fresh Node
 * process the way the Lambda runtime does. Shared by test/infra/bundles.test.ts (correctness,
 * sizes) and scripts/bundle-report.ts (sizes and init times, printed, never asserted).
 */
import { execFile } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, isAbsolute, join } from 'node:path';

/** The size target of the issue: each bundle at most 300 KB minified (KB = 1024 bytes, as elsewhere in the README). */
export const MAX_BUNDLE_BYTES = 300 * 1024;
/** The module init target of the issue, in milliseconds. Printed by the report, never asserted by tests. */
export const MAX_INIT_MS = 150;

/**
 * Packages the Lambda Node.js runtime itself provides (/var/runtime/node_modules). NodejsFunction
 * leaves `@aws-sdk/*` out of Node 18+ bundles by default (and `@smithy/*` with a feature flag), so
 * a bundle may import these and nothing else that is not a Node built-in.
 */
export const RUNTIME_PROVIDED_SCOPES = ['@aws-sdk', '@smithy'] as const;

interface CdkInternalRule {
  readonly name: string;
  readonly logicalId: RegExp;
  readonly handler: RegExp;
  readonly runtime: RegExp;
}

/**
 * Lambda functions that aws-cdk-lib adds on its own behalf. Their code is prebuilt and shipped
 * inside aws-cdk-lib (not built from functions/ by our esbuild), they are shared singletons per
 * stack, and their size and init are not ours to tune, so the bundle checks skip them. Each is
 * recognised by the logical id CDK gives the singleton together with its handler and runtime,
 * so one of our own functions cannot be skipped by accident.
 */
export const CDK_INTERNAL_FUNCTIONS: readonly CdkInternalRule[] = [
  {
    // CustomResourceProvider singletons, e.g. the bucket's autoDeleteObjects handler
    // (logical id CustomS3AutoDeleteObjectsCustomResourceProviderHandler<hash>).
    name: 'CDK custom resource provider',
    logicalId: /^Custom[A-Za-z0-9]+CustomResourceProviderHandler[0-9A-F]{8}$/,
    handler: /^(index|__entrypoint__)\.handler$/,
    runtime: /^nodejs/,
  },
  {
    // The log-retention singleton of `logRetention` props (LogRetention<uuid><hash>).
    name: 'CDK log retention',
    logicalId: /^LogRetention[0-9a-f]{32}[0-9A-F]{8}$/,
    handler: /^index\.handler$/,
    runtime: /^nodejs/,
  },
  {
    // The AwsCustomResource singleton (AWS<uuid><hash>).
    name: 'CDK AwsCustomResource provider',
    logicalId: /^AWS679f53fac002430cb0da5b7982bd2287[0-9A-F]{8}$/,
    handler: /^index\.handler$/,
    runtime: /^nodejs/,
  },
  {
    // The s3-deployment BucketDeployment singleton that copies the dashboard into its bucket
    // (CustomCDKBucketDeployment<uuid><memory>MiB<hash>), a Python function.
    name: 'CDK BucketDeployment handler',
    logicalId: /^CustomCDKBucketDeployment[0-9A-F]{32}(\d+MiB)?[0-9A-F]{8}$/,
    handler: /^index\.handler$/,
    runtime: /^python3/,
  },
];

export interface TemplateFunction {
  readonly stack: string;
  readonly logicalId: string;
  readonly props: Record<string, unknown>;
}

export interface LambdaBundle {
  readonly stack: string;
  readonly logicalId: string;
  readonly description: string;
  readonly handler: string;
  readonly runtime: string;
  /** The asset directory in the cloud assembly (undefined when the code is not a file asset). */
  readonly assetDir: string | undefined;
  /** Handler module file name inside the asset directory, e.g. index.mjs (undefined when absent). */
  readonly moduleFile: string | undefined;
  readonly exportName: string;
  /** The function's Environment with CloudFormation references replaced by dummy strings. */
  readonly environment: Record<string, string>;
}

export interface AssemblyFunctions {
  readonly all: readonly TemplateFunction[];
  readonly internal: readonly (TemplateFunction & { readonly rule: string })[];
  readonly bundles: readonly LambdaBundle[];
}

type Manifest = { artifacts?: Record<string, { type: string; properties?: Record<string, unknown> }> };
type AssetManifest = {
  files?: Record<string, { source: { path?: string }; destinations: Record<string, { objectKey: string }> }>;
};

const readJson = <T>(file: string): T => JSON.parse(readFileSync(file, 'utf8')) as T;

/** Which CDK-internal rule a function matches, if any. */
export const cdkInternalRule = (logicalId: string, props: Record<string, unknown>): string | undefined =>
  CDK_INTERNAL_FUNCTIONS.find(
    (rule) =>
      rule.logicalId.test(logicalId) &&
      rule.handler.test(String(props.Handler)) &&
      rule.runtime.test(String(props.Runtime)),
  )?.name;

/** Dummy values for references, so module-scope code that reads the environment finds a string. */
export const dummyEnvironment = (variables: unknown): Record<string, string> =>
  Object.fromEntries(
    Object.entries((variables ?? {}) as Record<string, unknown>).map(([name, value]) => [
      name,
      typeof value === 'string' ? value : `dummy-${name.toLowerCase().replaceAll('_', '-')}`,
    ]),
  );

/**
 * The file Lambda's Node runtime loads for a handler like `index.handler`: index.js, else
 * index.mjs, else index.cjs in the code directory.
 */
const handlerModule = (assetDir: string, handler: string): { moduleFile?: string; exportName: string } => {
  const dot = handler.lastIndexOf('.');
  const base = handler.slice(0, dot);
  const exportName = handler.slice(dot + 1);
  const moduleFile = ['.js', '.mjs', '.cjs']
    .map((ext) => `${base}${ext}`)
    .find((f) => existsSync(join(assetDir, f)));
  return moduleFile ? { moduleFile, exportName } : { exportName };
};

/** Every AWS::Lambda::Function of every stack in an assembly directory, with its bundle located. */
export const assemblyFunctions = (assemblyDir: string): AssemblyFunctions => {
  const manifest = readJson<Manifest>(join(assemblyDir, 'manifest.json'));
  const artifacts = Object.entries(manifest.artifacts ?? {});
  // S3 object key (e.g. `<hash>.zip`) → the asset's source directory in the assembly.
  const assetDirs = new Map<string, string>();
  for (const [, artifact] of artifacts.filter(([, a]) => a.type === 'cdk:asset-manifest')) {
    const assets = readJson<AssetManifest>(join(assemblyDir, String(artifact.properties?.file)));
    for (const asset of Object.values(assets.files ?? {})) {
      if (!asset.source.path) continue;
      const dir = isAbsolute(asset.source.path) ? asset.source.path : join(assemblyDir, asset.source.path);
      for (const destination of Object.values(asset.destinations)) assetDirs.set(destination.objectKey, dir);
    }
  }

  const all: TemplateFunction[] = [];
  for (const [stack, artifact] of artifacts.filter(([, a]) => a.type === 'aws:cloudformation:stack')) {
    const template = readJson<{
      Resources?: Record<string, { Type: string; Properties?: Record<string, unknown> }>;
    }>(join(assemblyDir, String(artifact.properties?.templateFile)));
    for (const [logicalId, resource] of Object.entries(template.Resources ?? {})) {
      if (resource.Type === 'AWS::Lambda::Function')
        all.push({ stack, logicalId, props: resource.Properties ?? {} });
    }
  }

  const internal: (TemplateFunction & { rule: string })[] = [];
  const bundles: LambdaBundle[] = [];
  for (const fn of all) {
    const rule = cdkInternalRule(fn.logicalId, fn.props);
    if (rule) {
      internal.push({ ...fn, rule });
      continue;
    }
    const handler = String(fn.props.Handler);
    const s3Key = (fn.props.Code as { S3Key?: unknown } | undefined)?.S3Key;
    const assetDir = typeof s3Key === 'string' ? assetDirs.get(s3Key) : undefined;
    const located = assetDir
      ? handlerModule(assetDir, handler)
      : { exportName: handler.split('.').pop() ?? '' };
    bundles.push({
      stack: fn.stack,
      logicalId: fn.logicalId,
      description: String(fn.props.Description ?? ''),
      handler,
      runtime: String(fn.props.Runtime),
      assetDir,
      moduleFile: located.moduleFile,
      exportName: located.exportName,
      environment: dummyEnvironment((fn.props.Environment as { Variables?: unknown } | undefined)?.Variables),
    });
  }
  return { all, internal, bundles };
};

/**
 * A directory laid out like a Lambda sandbox: each bundle is copied into its own task directory
 * (like /var/task) next to a node_modules that holds only what the runtime provides (the AWS SDK,
 * linked from this project's node_modules). A bundle that imports anything else fails to load,
 * as it would in Lambda.
 */
export const createSandbox = (projectRoot: string) => {
  const root = mkdtempSync(join(tmpdir(), 'lambda-sandbox-'));
  mkdirSync(join(root, 'node_modules'));
  for (const scope of RUNTIME_PROVIDED_SCOPES) {
    const provided = join(projectRoot, 'node_modules', scope);
    if (existsSync(provided)) symlinkSync(provided, join(root, 'node_modules', scope), 'dir');
  }
  return {
    root,
    /** Copies a bundle's asset directory into the sandbox; returns the path of its handler module. */
    place(bundle: LambdaBundle): string {
      if (!bundle.assetDir || !bundle.moduleFile)
        throw new Error(`${bundle.logicalId} has no handler module`);
      const task = join(root, 'task', bundle.logicalId);
      cpSync(bundle.assetDir, task, { recursive: true });
      return join(task, bundle.moduleFile);
    },
    /** Writes a file into the sandbox's task area (e.g. the empty module of the baseline); returns its path. */
    placeFile(name: string, source: string | Uint8Array): string {
      const file = join(root, 'task', name);
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, source);
      return file;
    },
    dispose(): void {
      rmSync(root, { recursive: true, force: true });
    },
  };
};

export type Sandbox = ReturnType<typeof createSandbox>;

export interface ImportResult {
  /** Milliseconds spent in `await import(module)` inside the child (Node's own startup excluded). */
  readonly ms: number;
  /** CPU time (user + system, all threads) spent in that import: less sensitive to a busy machine. */
  readonly cpuMs: number;
  readonly exportType: string;
  readonly exports: readonly string[];
  /** Network calls attempted while importing (only recorded with `denyNetwork`). */
  readonly network: readonly string[];
  /** Uncaught errors and rejections while importing (only recorded with `denyNetwork`). */
  readonly asyncErrors: readonly string[];
  readonly error?: string;
}

const RESULT_MARK = '@@import-result@@';

// The child program. With 'deny-network' it first replaces every way out (sockets, DNS, fetch) by
// a recorder that fails the call, then waits a little after the import so that module-scope
// promises get the chance to try.
const CHILD = `
const [file, exportName, mode] = process.argv.slice(1);
const network = [];
const asyncErrors = [];
if (mode === 'deny-network') {
  const net = (await import('node:net')).default;
  const dns = (await import('node:dns')).default;
  const { syncBuiltinESMExports } = await import('node:module');
  const blocked = (what) => {
    network.push(what);
    return new Error('network call while importing: ' + what);
  };
  net.Socket.prototype.connect = function (options, port) {
    const where = options && typeof options === 'object' ? (options.host ?? options.path ?? '') + ':' + (options.port ?? '') : String(options) + ':' + String(port);
    const error = blocked('connect ' + where);
    process.nextTick(() => this.destroy(error));
    return this;
  };
  for (const api of [dns, dns.promises]) {
    for (const name of ['lookup', 'resolve', 'resolve4', 'resolve6', 'resolveAny']) {
      api[name] = (host) => { throw blocked('dns.' + name + ' ' + host); };
    }
  }
  globalThis.fetch = async (input) => { throw blocked('fetch ' + String(input)); };
  syncBuiltinESMExports();
  process.on('uncaughtException', (e) => asyncErrors.push(String(e)));
  process.on('unhandledRejection', (e) => asyncErrors.push(String(e)));
}
const { pathToFileURL } = await import('node:url');
const href = pathToFileURL(file).href;
let mod;
let error;
const cpuStart = process.cpuUsage();
const start = performance.now();
try {
  mod = await import(href);
} catch (e) {
  error = e instanceof Error ? (e.stack ?? e.message) : String(e);
}
const ms = performance.now() - start;
const cpu = process.cpuUsage(cpuStart);
if (mode === 'deny-network') await new Promise((resolve) => setTimeout(resolve, 250));
const result = {
  ms,
  cpuMs: (cpu.user + cpu.system) / 1000,
  exportType: mod ? typeof mod[exportName] : 'undefined',
  exports: mod ? Object.keys(mod) : [],
  network,
  asyncErrors,
  error,
};
process.stdout.write('\\n${RESULT_MARK}' + JSON.stringify(result) + '\\n', () => process.exit(0));
`;

/**
 * Imports a module in a fresh `node` process with only the given environment (plus PATH and a
 * dummy region, as Lambda sets AWS_REGION), and reports how long the import took inside the child.
 */
export const importInFreshProcess = (
  file: string,
  exportName: string,
  environment: Record<string, string>,
  options: { denyNetwork?: boolean } = {},
): Promise<ImportResult> =>
  new Promise((resolve, reject) => {
    const env = {
      PATH: process.env.PATH ?? '',
      AWS_REGION: 'eu-west-1',
      AWS_DEFAULT_REGION: 'eu-west-1',
      LAMBDA_TASK_ROOT: dirname(file),
      TZ: 'UTC',
      ...environment,
    };
    execFile(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        CHILD,
        '--',
        file,
        exportName,
        options.denyNetwork ? 'deny-network' : 'time',
      ],
      { env, cwd: dirname(file), timeout: 60_000, maxBuffer: 16 * 1024 * 1024 },
      (failure, stdout, stderr) => {
        const line = stdout.split('\n').find((l) => l.startsWith(RESULT_MARK));
        if (!line) {
          reject(new Error(`import of ${file} printed no result (exit ${failure?.code ?? 0}):\n${stderr}`));
          return;
        }
        resolve(JSON.parse(line.slice(RESULT_MARK.length)) as ImportResult);
      },
    );
  });
