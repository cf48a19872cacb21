/**
 * The bundle report's investigation of the bundles that miss a target (see scripts/bundle-report.ts):
 * each bundle rebuilt with the bundling options of infra/handler-function.ts and an esbuild metafile,
 * which packages dominate it, the import time of each SDK package it leaves to the runtime, and
 * candidate fixes built the same way and timed alike.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { type BuildOptions, build, type Metafile, type Plugin } from 'esbuild';
import { kb, log, ms, type Row, type Target, timeImports } from './bundle-timing';
import { type LambdaBundle, RUNTIME_PROVIDED_SCOPES, type Sandbox } from './lambda-bundles';

const projectRoot = fileURLToPath(new URL('..', import.meta.url));

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

/** Prints, as markdown, why each failing bundle misses its target, and what candidate fixes would give. */
export const investigate = async (
  failing: readonly Row[],
  sandbox: Sandbox,
  baseline: Target,
  runs: number,
): Promise<void> => {
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
  process.stderr.write(`Timing ${targets.length} imports, ${runs} fresh processes each...\n`);
  const times = await timeImports(targets, runs);
  const base = times.get(baseline.key)?.wall ?? 0;
  const net = (key: string): string => ms((times.get(key)?.wall ?? Number.NaN) - base);

  log(`## ${failing.length} bundles miss a target: investigation`);
  log();
  log(`Runtime-provided SDK packages, each imported alone (median of ${runs}, minus baseline):`);
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
