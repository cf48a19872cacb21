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
 *
 * Timing is in scripts/bundle-timing.ts, the investigation in scripts/bundle-investigation.ts.
 */
import { readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';
import { App } from 'aws-cdk-lib';
import { SegmentationStack } from '#infra/segmentation-stack';
import { investigate } from './bundle-investigation';
import { kb, log, ms, type Row, type Target, timeImports } from './bundle-timing';
import { assemblyFunctions, createSandbox, MAX_BUNDLE_BYTES, MAX_INIT_MS } from './lambda-bundles';

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
    const times = await timeImports([baseline, ...targets], RUNS);
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
    else await investigate(failing, sandbox, baseline, RUNS);
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
