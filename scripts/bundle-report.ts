/**
 * `npm run bundles`: each Lambda bundle's size and module init time, as a markdown table for the
 * docs/performance.md, against the issue's targets (≤ 300 KB minified, init ≤ 150 ms here).
 *
 *   size:  the handler module esbuild wrote at synth (index.mjs), minified; gzip for reference.
 *   init:  median of N fresh `node` processes that each `await import()` the bundle, timed inside the
 *          child around the import only (Node's own startup excluded). The bundle sits in a copy of
 *          Lambda's layout: a task directory next to a node_modules holding only what the runtime
 *          provides (@aws-sdk/*, which NodejsFunction leaves out of Node 22 bundles, linked from this
 *          project), so the SDK clients a function imports are loaded and counted, as in Lambda.
 *   baseline: the same import of an empty ES module, in the same rounds; the table prints init minus it.
 *
 * By default the stack is synthesised afresh (with bundling) into a temporary directory: cdk.out may
 * predate the current sources and holds every asset of earlier runs. `--assembly cdk.out` reads an
 * existing assembly instead (after `npm run synth`), and warns if a source file is newer than it.
 *
 * When a bundle misses a target the script investigates: it rebuilds the bundle with the bundling
 * options of infra/handler-function.ts and an esbuild metafile (checking that the rebuild is
 * byte-for-byte the same size as the real bundle), prints which packages dominate, times each SDK
 * package the bundle leaves to the runtime, and times candidate fixes built the same way.
 *
 * Options: --runs N (default 7), --assembly DIR, --keep (keep the temporary directories).
 */
import { existsSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';
import { App } from 'aws-cdk-lib';
import { type BuildOptions, build, type Metafile, type Plugin } from 'esbuild';
import { SegmentationStack } from '#infra/segmentation-stack';
import {
  assemblyFunctions,
  createSandbox,
  importInFreshProcess,
  type LambdaBundle,
  MAX_BUNDLE_BYTES,
  MAX_INIT_MS,
  RUNTIME_PROVIDED_SCOPES,
  type Sandbox,
} from './lambda-bundles';

const projectRoot = fileURLToPath(new URL('..', import.meta.url));

const { values: args } = parseArgs({
  options: {
    runs: { type: 'string', default: '7' },
    assembly: { type: 'string' },
    keep: { type: 'boolean', default: false },
  },
});
const RUNS = Number(args.runs);
if (!Number.isInteger(RUNS) || RUNS < 1)
  throw new Error(`--runs must be a positive integer, got ${args.runs}`);

const kb = (bytes: number): string => (bytes / 1024).toFixed(1);
const ms = (value: number): string => value.toFixed(1);
const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
};
const log = (line = ''): void => {
  process.stdout.write(`${line}\n`);
};

// ---------------------------------------------------------------------------------------------
// The assembly

const newestSourceMtime = (): number => {
  let newest = 0;
  const visit = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) visit(path);
      else if (/\.ts$/.test(entry.name)) newest = Math.max(newest, statSync(path).mtimeMs);
    }
  };
  for (const dir of ['functions', 'shared', 'infra']) visit(join(projectRoot, dir));
  return Math.max(newest, statSync(join(projectRoot, 'package-lock.json')).mtimeMs);
};

const synthesise = (): { directory: string; temporary: boolean } => {
  if (args.assembly) {
    const directory = resolve(args.assembly);
    if (statSync(join(directory, 'manifest.json')).mtimeMs < newestSourceMtime()) {
      log(
        `> WARNING: ${args.assembly} is older than a file in functions/, shared/ or infra/: run \`npm run synth\`.`,
      );
    }
    return { directory, temporary: false };
  }
  // As infra/app.ts does, with bundling on for every stack and the assembly in a temporary directory.
  process.stderr.write('Synthesising the stack with bundling (about half a minute)...\n');
  const app = new App({ context: { 'aws:cdk:bundling-stacks': ['**'] } });
  new SegmentationStack(app, 'segmentation-bundles', {});
  return { directory: app.synth().directory, temporary: true };
};

// ---------------------------------------------------------------------------------------------
// Timing

interface Target {
  readonly key: string;
  readonly file: string;
  readonly exportName: string;
  readonly environment: Record<string, string>;
}

interface Timing {
  /** Median wall-clock milliseconds of the import. */
  readonly wall: number;
  /** Median CPU milliseconds (user + system) of the import. */
  readonly cpu: number;
}

/**
 * Median import time of each target over RUNS rounds; each round imports every target once, in
 * turn, each in a fresh process, so drift in the machine's load spreads over all of them alike.
 */
const timeImports = async (targets: readonly Target[]): Promise<Map<string, Timing>> => {
  const samples = new Map(targets.map((t) => [t.key, { wall: [] as number[], cpu: [] as number[] }]));
  for (let round = 0; round < RUNS; round++) {
    for (const target of targets) {
      const result = await importInFreshProcess(target.file, target.exportName, target.environment);
      if (result.error) throw new Error(`importing ${target.key} failed:\n${result.error}`);
      samples.get(target.key)?.wall.push(result.ms);
      samples.get(target.key)?.cpu.push(result.cpuMs);
    }
  }
  return new Map([...samples].map(([key, s]) => [key, { wall: median(s.wall), cpu: median(s.cpu) }]));
};

// ---------------------------------------------------------------------------------------------
// Investigation of the bundles that miss a target

/**
 * The bundling options of infra/handler-function.ts, with NodejsFunction's default externals for
 * Node 22 (`@aws-sdk/*`). Each rebuild is checked against the real bundle's size, so drift shows.
 */
const MIRRORED_BUNDLING: BuildOptions = {
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node22',
  minify: true,
  sourcemap: true,
  mainFields: ['module', 'main'],
  external: ['@aws-sdk/*'],
  banner: { js: "import { createRequire } from 'module'; const require = createRequire(import.meta.url);" },
  absWorkingDir: projectRoot,
  logLevel: 'silent',
};

/**
 * The bundle's entry file: the one project source in its source map that exports the handler.
 * Source paths are relative to the directory esbuild wrote into, so the longest path suffix that
 * names a project file with the same content is taken.
 */
const entryOf = (bundle: LambdaBundle): string | undefined => {
  const map = JSON.parse(readFileSync(join(bundle.assetDir ?? '', `${bundle.moduleFile}.map`), 'utf8')) as {
    sources: string[];
    sourcesContent?: (string | null)[];
  };
  const name = bundle.exportName;
  const exportsHandler = new RegExp(
    `export\\s+(?:const|let|var|async\\s+function|function)\\s+${name}\\b|export\\s*\\{[^}]*\\b${name}\\b[^}]*\\}`,
  );
  const found = new Set<string>();
  map.sources.forEach((source, i) => {
    const content = map.sourcesContent?.[i] ?? '';
    if (source.includes('node_modules/') || !exportsHandler.test(content)) return;
    const parts = source.split('/').filter((part) => part !== '..' && part !== '.');
    for (let from = 0; from < parts.length; from++) {
      const candidate = parts.slice(from).join('/');
      const path = join(projectRoot, candidate);
      if (existsSync(path) && readFileSync(path, 'utf8') === content) {
        found.add(candidate);
        return;
      }
    }
  });
  return found.size === 1 ? [...found][0] : undefined;
};

interface Rebuild {
  readonly bytes: number;
  readonly metafile: Metafile;
  readonly code: Uint8Array;
  readonly map: Uint8Array;
}

const rebuild = async (entry: string, extra: Partial<BuildOptions> = {}): Promise<Rebuild> => {
  const result = await build({
    ...MIRRORED_BUNDLING,
    ...extra,
    entryPoints: [entry],
    outfile: join(projectRoot, '.bundle-report', 'index.mjs'),
    metafile: true,
    write: false,
  });
  const file = (suffix: string) => result.outputFiles.find((f) => f.path.endsWith(suffix))?.contents;
  const code = file('index.mjs') ?? new Uint8Array();
  return {
    bytes: code.length,
    metafile: result.metafile,
    code,
    map: file('index.mjs.map') ?? new Uint8Array(),
  };
};

/** Bytes in the output per package (node_modules) or per top-level project folder. */
const bytesByPackage = (metafile: Metafile): [string, number][] => {
  const output = Object.values(metafile.outputs).find((o) => o.entryPoint);
  const totals = new Map<string, number>();
  for (const [path, input] of Object.entries(output?.inputs ?? {})) {
    const pkg = path.match(/node_modules\/((?:@[^/]+\/)?[^/]+)/)?.[1];
    const key = pkg ?? `${path.split('/').slice(0, -1).join('/') || path} (project)`;
    totals.set(key, (totals.get(key) ?? 0) + input.bytesInOutput);
  }
  return [...totals].sort((a, b) => b[1] - a[1]);
};

/** Packages the bundle leaves to the Lambda runtime (bare imports of the runtime-provided scopes). */
const runtimeImports = (source: string): string[] => {
  const scopes = RUNTIME_PROVIDED_SCOPES.join('|');
  const pattern = new RegExp(`(?:from|import|require)\\s*\\(?\\s*"((?:${scopes})/[^"]+)"`, 'g');
  return [...new Set([...source.matchAll(pattern)].map((m) => m[1] as string))].sort();
};

/**
 * `import { z } from 'zod'` makes esbuild build zod's whole `z` namespace object (every locale,
 * JSON-schema conversion, the compiler...); `import * as z from 'zod'` lets it keep only the
 * members the code reads. Applied to project sources in memory, for a what-if build only.
 */
const zodNamespaceImport: Plugin = {
  name: 'zod-namespace-import',
  setup(pluginBuild) {
    pluginBuild.onLoad({ filter: /\.ts$/ }, (loaded) => {
      if (loaded.path.includes('/node_modules/')) return undefined;
      const source = readFileSync(loaded.path, 'utf8');
      return {
        contents: source.replace(/import \{ z \} from 'zod';/g, "import * as z from 'zod';"),
        loader: 'ts',
      };
    });
  },
};

/**
 * What @aws-sdk/credential-provider-node loads with `import()` only when the environment has no
 * credentials, which in Lambda it always has; the runtime ships these packages too.
 */
const LAZY_CREDENTIAL_PROVIDERS = [
  '@aws-sdk/credential-provider-http',
  '@aws-sdk/credential-provider-ini',
  '@aws-sdk/credential-provider-process',
  '@aws-sdk/credential-provider-sso',
  '@aws-sdk/credential-provider-web-identity',
  '@smithy/credential-provider-imds',
];

interface Row {
  readonly bundle: LambdaBundle;
  readonly bytes: number;
  readonly gzip: number;
  readonly init: Timing;
}

interface Finding {
  readonly row: Row;
  readonly entry: string | undefined;
  readonly mirror: Rebuild | undefined;
  readonly zodFiles: number;
  readonly zodLocales: number;
  readonly sdk: readonly string[];
  readonly whatIfs: readonly (Target & {
    readonly name: string;
    readonly bytes: number;
    readonly gzip: number;
    readonly top: readonly [string, number][];
  })[];
}

const analyse = async (row: Row, sandbox: Sandbox): Promise<Finding> => {
  const { bundle } = row;
  const sdk = runtimeImports(readFileSync(join(bundle.assetDir ?? '', bundle.moduleFile ?? ''), 'utf8'));
  const entry = entryOf(bundle);
  if (!entry) return { row, entry, mirror: undefined, zodFiles: 0, zodLocales: 0, sdk, whatIfs: [] };
  const mirror = await rebuild(entry);
  const zodInputs = Object.keys(mirror.metafile.inputs).filter((p) => p.includes('node_modules/zod/'));
  const zodLocales = zodInputs.filter((p) => p.includes('/locales/')).length;
  const zodFix = zodLocales > 1 ? [zodNamespaceImport] : [];
  const also = zodFix.length ? 'the same, and ' : '';
  const variants: { name: string; options: Partial<BuildOptions> }[] = [
    ...(zodFix.length ? [{ name: "`import * as z from 'zod'`", options: { plugins: zodFix } }] : []),
    {
      name: `${also}the SDK bundled and tree-shaken (\`bundleAwsSDK: true\`)`,
      options: { plugins: zodFix, external: [] },
    },
    {
      name: `${also}the SDK bundled, but the credential providers it only \`import()\`s without env credentials left to the runtime`,
      options: { plugins: zodFix, external: LAZY_CREDENTIAL_PROVIDERS },
    },
  ];
  const whatIfs = [];
  for (const [i, variant] of variants.entries()) {
    const built = await rebuild(entry, variant.options);
    const dir = `what-if/${bundle.logicalId}-${i}`;
    sandbox.placeFile(`${dir}/index.mjs.map`, built.map);
    whatIfs.push({
      key: `${bundle.logicalId} what-if ${i}`,
      name: variant.name,
      file: sandbox.placeFile(`${dir}/index.mjs`, built.code),
      exportName: bundle.exportName,
      environment: bundle.environment,
      bytes: built.bytes,
      gzip: gzipSync(built.code).length,
      top: bytesByPackage(built.metafile).slice(0, 5),
    });
  }
  return { row, entry, mirror, zodFiles: zodInputs.length, zodLocales, sdk, whatIfs };
};

const sdkTarget = (sandbox: Sandbox, key: string, packages: readonly string[]): Target => ({
  key,
  file: sandbox.placeFile(
    `sdk/${key.replace(/[^A-Za-z0-9-]/g, '_')}.mjs`,
    packages.map((pkg) => `import '${pkg}';\n`).join('') || 'export {};\n',
  ),
  exportName: 'default',
  // The clients read the region at construction, not at import; this is only for parity.
  environment: { AWS_REGION: 'eu-west-1' },
});

const investigate = async (failing: readonly Row[], sandbox: Sandbox, baseline: Target): Promise<void> => {
  process.stderr.write(
    `Investigating ${failing.length} bundles (metafiles, SDK packages, candidate fixes)...\n`,
  );
  const findings: Finding[] = [];
  for (const row of failing) findings.push(await analyse(row, sandbox));
  const packages = [...new Set(findings.flatMap((f) => f.sdk))].sort();
  const targets: Target[] = [
    baseline,
    ...packages.map((pkg) => sdkTarget(sandbox, pkg, [pkg])),
    ...findings.map((f) => sdkTarget(sandbox, `sdk of ${f.row.bundle.logicalId}`, f.sdk)),
    ...findings.flatMap((f) => f.whatIfs),
  ];
  process.stderr.write(`Timing ${targets.length} imports, ${RUNS} fresh processes each...\n`);
  const times = await timeImports(targets);
  const base = times.get(baseline.key)?.wall ?? 0;
  const net = (key: string): string => ms((times.get(key)?.wall ?? Number.NaN) - base);

  log(`## ${failing.length} bundles miss a target: investigation`);
  log();
  log(`Runtime-provided SDK packages, each imported alone (median of ${RUNS}, minus baseline):`);
  log();
  for (const pkg of packages) log(`- ${pkg}: ${net(pkg)} ms`);
  log();
  for (const f of findings) {
    const { bundle } = f.row;
    log(`### ${bundle.logicalId}: ${bundle.description}`);
    log();
    if (!f.entry || !f.mirror) {
      log('Entry file not found in the source map: no metafile analysis.');
      log();
      continue;
    }
    const same = f.mirror.bytes === f.row.bytes;
    log(
      `Rebuilt \`${f.entry}\` with the options of infra/handler-function.ts: ${f.mirror.bytes} bytes, ` +
        (same
          ? 'the same size as at synth, so the metafile describes the deployed bundle.'
          : `synth wrote ${f.row.bytes}: the mirrored options have drifted, read the analysis as approximate.`),
    );
    log();
    log('Largest contributors to the minified output:');
    log();
    for (const [name, bytes] of bytesByPackage(f.mirror.metafile).slice(0, 5)) {
      log(`- ${name}: ${kb(bytes)} KB (${((100 * bytes) / f.mirror.bytes).toFixed(0)} %)`);
    }
    if (f.zodLocales > 1) {
      log(
        `- of zod's ${f.zodFiles} bundled files, ${f.zodLocales} are locales (error messages in every language): ` +
          'the whole `z` namespace object is built, not just the schemas the code uses.',
      );
    }
    log();
    const sdkKey = `sdk of ${bundle.logicalId}`;
    const bundleNet = f.row.init.wall - base;
    const sdkNet = (times.get(sdkKey)?.wall ?? Number.NaN) - base;
    log(
      `Init: ${ms(bundleNet)} ms net of baseline, of which loading the SDK packages it leaves to the runtime ` +
        `(${f.sdk.join(', ') || 'none'}) together takes ${ms(sdkNet)} ms ` +
        `(${bundleNet > 0 ? ((100 * sdkNet) / bundleNet).toFixed(0) : '?'} %).`,
    );
    log();
    log('Candidate fixes, built with the same options from the unchanged sources and timed the same way:');
    log();
    log('| Variant | Bundle (KB) | gzip (KB) | Init − baseline (ms) | CPU (ms) |');
    log('| --- | ---: | ---: | ---: | ---: |');
    log(
      `| as synthesised | ${kb(f.row.bytes)} | ${kb(f.row.gzip)} | ${ms(bundleNet)} | ${ms(f.row.init.cpu)} |`,
    );
    for (const w of f.whatIfs) {
      log(
        `| ${w.name} | ${kb(w.bytes)} | ${kb(w.gzip)} | ${net(w.key)} | ${ms(times.get(w.key)?.cpu ?? Number.NaN)} |`,
      );
    }
    log();
    const last = f.whatIfs.at(-1);
    if (last) {
      const top = last.top.map(([name, bytes]) => `${name} ${kb(bytes)} KB`).join(', ');
      log(`Largest contributors to the last variant: ${top}.`);
      log();
    }
  }
};

// ---------------------------------------------------------------------------------------------

const main = async (): Promise<void> => {
  const assembly = synthesise();
  const functions = assemblyFunctions(assembly.directory);
  const sandbox = createSandbox(projectRoot);
  try {
    const missing = functions.bundles.filter((b) => !b.moduleFile);
    if (missing.length)
      throw new Error(`no handler module for ${missing.map((b) => b.logicalId).join(', ')}`);

    const baseline: Target = {
      key: '(baseline)',
      file: sandbox.placeFile('baseline/empty.mjs', 'export {};\n'),
      exportName: 'default',
      environment: {},
    };
    const targets: Target[] = functions.bundles.map((b) => ({
      key: b.logicalId,
      file: sandbox.place(b),
      exportName: b.exportName,
      environment: b.environment,
    }));
    process.stderr.write(
      `Timing ${targets.length} bundles and the baseline, ${RUNS} fresh processes each...\n`,
    );
    const times = await timeImports([baseline, ...targets]);
    const base = times.get(baseline.key) ?? { wall: Number.NaN, cpu: Number.NaN };

    const rows: Row[] = functions.bundles.map((b) => {
      const code = readFileSync(join(b.assetDir ?? '', b.moduleFile ?? ''));
      const init = times.get(b.logicalId) ?? { wall: Number.NaN, cpu: Number.NaN };
      return { bundle: b, bytes: code.length, gzip: gzipSync(code).length, init };
    });

    const source = assembly.temporary ? 'a fresh synth' : relative(projectRoot, assembly.directory) || '.';
    const internal = functions.internal.map((f) => f.logicalId).join(', ') || 'none';
    const cpu = cpus()[0]?.model.trim() ?? 'unknown CPU';
    log(`Lambda bundles of ${source}: ${rows.length} functions (CDK-internal, not checked: ${internal}).`);
    log(
      `Node ${process.version}, ${process.platform}/${process.arch}, ${cpus().length} × ${cpu}, load average ` +
        `${loadavg()[0]?.toFixed(1)}. Init = median of ${RUNS} fresh-process imports; baseline (empty ES module) ` +
        `${ms(base.wall)} ms wall, ${ms(base.cpu)} ms CPU.`,
    );
    log();
    log(
      `| Function | Description | Bundle (KB) | gzip (KB) | Init (ms) | Init − baseline (ms) | CPU (ms) | ≤ ${MAX_BUNDLE_BYTES / 1024} KB | ≤ ${MAX_INIT_MS} ms |`,
    );
    log('| --- | --- | ---: | ---: | ---: | ---: | ---: | :---: | :---: |');
    for (const row of rows) {
      log(
        `| ${row.bundle.logicalId.replace(/[0-9A-F]{8}$/, '')} | ${row.bundle.description} | ${kb(row.bytes)} | ` +
          `${kb(row.gzip)} | ${ms(row.init.wall)} | ${ms(row.init.wall - base.wall)} | ${ms(row.init.cpu)} | ` +
          `${row.bytes <= MAX_BUNDLE_BYTES ? 'yes' : '**no**'} | ${row.init.wall <= MAX_INIT_MS ? 'yes' : '**no**'} |`,
      );
    }
    log();
    log(
      `Bundle: the handler module as esbuild wrote it at synth (${rows[0]?.bundle.moduleFile ?? 'index.mjs'}, ` +
        'minified), KB = 1024 bytes. Init: wall-clock time of `await import()` in the child, including the ' +
        '@aws-sdk packages the bundle leaves to the runtime; the ≤ 150 ms target is judged on it, baseline ' +
        'included. CPU: user + system time of the same import, less sensitive to a busy machine.',
    );
    log();
    if ((loadavg()[0] ?? 0) > cpus().length) {
      log(
        `> The load average (${loadavg()[0]?.toFixed(1)}) exceeds the ${cpus().length} CPUs: other processes ` +
          'competed for them, so wall-clock times are inflated; the CPU column is the steadier one.',
      );
      log();
    }

    const failing = rows.filter((r) => r.bytes > MAX_BUNDLE_BYTES || r.init.wall > MAX_INIT_MS);
    if (failing.length === 0) log('All bundles meet both targets.');
    else await investigate(failing, sandbox, baseline);
  } finally {
    if (args.keep)
      log(`Kept: sandbox ${sandbox.root}${assembly.temporary ? `, assembly ${assembly.directory}` : ''}`);
    else {
      sandbox.dispose();
      if (assembly.temporary && assembly.directory.startsWith(tmpdir())) {
        rmSync(assembly.directory, { recursive: true, force: true });
      }
    }
  }
};

await main();
