// Runs the architecture rules of .dependency-cruiser.cjs (also run by `npm run check`) through
// dependency-cruiser's API: once over the real tree, expecting no violation, and once over a small
// fixture tree that breaks each rule on purpose, expecting exactly those violations.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { cruise, type ICruiseOptions, type ICruiseResult } from 'dependency-cruiser';
import extractDepcruiseOptions from 'dependency-cruiser/config-utl/extract-depcruise-options';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const configFile = path.join(repoRoot, '.dependency-cruiser.cjs');

/** The folders `npm run check` cruises (keep in sync with the "check" script). */
const CRUISED_DIRS = [
  'shared',
  'functions',
  'local',
  'infra',
  'bench',
  'scripts',
  'evaluate',
  'test',
  'dashboard',
];

const loadOptions = (): Promise<ICruiseOptions> => extractDepcruiseOptions(configFile);

const cruiseResult = async (dirs: string[], options: ICruiseOptions): Promise<ICruiseResult> => {
  const { output } = await cruise(dirs, options);
  if (typeof output === 'string') throw new Error('expected a cruise result object, got a formatted report');
  return output;
};

/** `…/node_modules/@aws-sdk/client-s3/dist-es/index.js` -> `npm:@aws-sdk/client-s3` */
const shortName = (resolved: string): string =>
  resolved.replace(/^(?:.*\/)?node_modules\/((?:@[^/]+\/)?[^/]+)\/.*$/, 'npm:$1');

/** One line per violation: `rule: from -> to`, sorted. */
const violationLines = (result: ICruiseResult): string[] =>
  result.summary.violations.map((v) => `${v.rule.name}: ${v.from} -> ${shortName(v.to)}`).sort();

describe('architecture boundaries (dependency-cruiser)', () => {
  it('the real tree has no violations and every import resolves', async () => {
    const result = await cruiseResult(CRUISED_DIRS, { ...(await loadOptions()), baseDir: repoRoot });

    expect(violationLines(result)).toEqual([]);

    // Guard against a vacuous pass: the tree was really cruised, the #… aliases really resolved to
    // files, and npm dependencies are still visible to the rules (not excluded away).
    const deps = result.modules.flatMap((m) => m.dependencies);
    expect(result.modules.filter((m) => /^shared\/.*\.ts$/.test(m.source)).length).toBeGreaterThan(100);
    const aliased = deps.filter((d) => d.module.startsWith('#'));
    expect(aliased.length).toBeGreaterThan(100);
    expect(aliased.filter((d) => d.couldNotResolve || !d.resolved.endsWith('.ts'))).toEqual([]);
    expect(deps.filter((d) => d.couldNotResolve)).toEqual([]);
    expect(deps.some((d) => /(^|\/)node_modules\/@aws-sdk\//.test(d.resolved))).toBe(true);
  });

  it('`npm run check` cruises the same folders with the same config', () => {
    const pkg = JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as {
      scripts: Record<string, string>;
    };
    expect(pkg.scripts.check).toContain(
      `depcruise ${CRUISED_DIRS.join(' ')} --config .dependency-cruiser.cjs`,
    );
  });

  describe('a tree that breaks the rules', () => {
    let fixtureRoot = '';

    const write = (file: string, content: string): void => {
      const full = path.join(fixtureRoot, file);
      mkdirSync(path.dirname(full), { recursive: true });
      writeFileSync(full, content);
    };

    beforeAll(() => {
      // Inside the repo so that npm packages resolve from the repo's node_modules. The config's
      // `exclude` skips `.boundary-fixtures-*` folders, so a concurrent `npm run check` ignores it.
      fixtureRoot = mkdtempSync(path.join(repoRoot, 'test', '.boundary-fixtures-'));
      const { imports } = JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as {
        imports: Record<string, string>;
      };
      // Same `imports` aliases as the repo, resolved against the fixture root.
      write(
        'package.json',
        `${JSON.stringify({ name: 'boundary-fixtures', private: true, type: 'module', imports }, null, 2)}\n`,
      );

      // Allowed building blocks.
      write('shared/contract/tables.ts', "export const TABLE = 'profiles';\n");
      write('shared/kernel/ports/clock.ts', 'export interface Clock {\n  now(): Date;\n}\n');
      write(
        'shared/kernel/hash.ts',
        "import { createHash } from 'node:crypto';\n\nexport const hash = (s: string): string => createHash('sha256').update(s).digest('hex');\n",
      );
      write(
        'shared/x/domain/model.ts',
        "import { TABLE } from '#shared/contract/tables';\nimport { hash } from '#shared/kernel/hash';\n\nexport const key = (id: string): string => [TABLE, hash(id)].join(':');\n",
      );
      write(
        'shared/x/ports/store.ts',
        "import type { Clock } from '#shared/kernel/ports/clock';\n\nexport interface Store {\n  clock: Clock;\n  put(key: string): Promise<void>;\n}\n",
      );
      write(
        'shared/adapters/fake-adapter.ts',
        "import { S3Client } from '@aws-sdk/client-s3';\nimport type { Store } from '#shared/x/ports/store';\n\nexport const s3 = (): S3Client => new S3Client({});\nexport type FakeStore = Store;\n",
      );
      write(
        'shared/x/usecases/do-thing/do-thing.ts',
        "import { key } from '#shared/x/domain/model';\nimport type { Store } from '#shared/x/ports/store';\n\nexport const doThing = (store: Store, id: string): Promise<void> => store.put(key(id));\n",
      );
      write(
        'infra/stack.ts',
        "import path from 'node:path';\nimport { App } from 'aws-cdk-lib';\nimport { TABLE } from '#shared/contract/tables';\nimport { helper } from './helper';\n\nexport const app = (): App => new App({ outdir: path.join('cdk.out', TABLE, helper) });\n",
      );
      write('infra/helper.ts', "export const helper = 'x';\n");
      write(
        'test/support/helper.ts',
        "import { other } from './other';\n\nexport const helper = (): string => other;\n",
      );
      write(
        'test/support/other.ts',
        "import { helper } from './helper';\n\nexport const other = 'other';\nexport const again = helper;\n",
      );
      write('local/server.ts', 'export const serve = (): void => {};\n');

      // Violations, one (or two) per rule.
      write(
        'shared/x/domain/uses-aws.ts',
        "import { S3Client } from '@aws-sdk/client-s3';\n\nexport const client = (): S3Client => new S3Client({});\n",
      );
      write(
        'shared/x/domain/uses-adapter.ts',
        "import type { FakeStore } from '#shared/adapters/fake-adapter';\n\nexport type Alias = FakeStore;\n",
      );
      write(
        'shared/x/domain/uses-usecase.ts',
        "import { doThing } from '../usecases/do-thing/do-thing';\n\nexport const run = doThing;\n",
      );
      write(
        'shared/kernel/reads-files.ts',
        "import { readFileSync } from 'node:fs';\n\nexport const read = (file: string): string => readFileSync(file, 'utf8');\n",
      );
      write(
        'shared/x/domain/uses-test.ts',
        "import { helper } from '#test/support/helper';\n\nexport const h = helper;\n",
      );
      write(
        'shared/x/domain/cycle-a.ts',
        "import { b } from './cycle-b';\n\nexport const a = (): number => b() + 1;\n",
      );
      write(
        'shared/x/domain/cycle-b.ts',
        "import type { a } from './cycle-a';\n\nexport const b = (): number => 1;\nexport type A = typeof a;\n",
      );
      write(
        'shared/x/domain/unresolved.ts',
        "import { gone } from '#shared/x/domain/does-not-exist';\n\nexport const g = gone;\n",
      );
      write(
        'shared/x/usecases/do-other/do-other.ts',
        "import { S3Client } from '@aws-sdk/client-s3';\nimport { s3 } from '#shared/adapters/fake-adapter';\n\nexport const other = (): S3Client => s3() ?? new S3Client({});\n",
      );
      write(
        'shared/x/ports/leaky-port.ts',
        "import type { FakeStore } from '#shared/adapters/fake-adapter';\n\nexport type LeakyPort = FakeStore;\n",
      );
      write(
        'functions/handler.ts',
        "import { serve } from '#local/server';\n\nexport const handler = serve;\n",
      );
      write(
        'infra/bad-stack.ts',
        "import { doThing } from '#shared/x/usecases/do-thing/do-thing';\n\nexport const wired = doThing;\n",
      );
      write('bench/bench.ts', "import { helper } from '#test/support/helper';\n\nexport const b = helper;\n");
      // The dashboard: the browser app imports its own modules and preact only; the build, esbuild only.
      write(
        'dashboard/app/view.ts',
        "import { h } from 'preact';\nimport { TABLE } from '#shared/contract/tables';\n\nexport const v = h('p', null, TABLE);\n",
      );
      write(
        'dashboard/build.ts',
        "import { build } from 'esbuild';\nimport { serve } from '#local/server';\n\nexport const b = [build, serve];\n",
      );
    });

    afterAll(() => {
      if (fixtureRoot) rmSync(fixtureRoot, { recursive: true, force: true });
    });

    it('reports exactly the broken rules', async () => {
      const result = await cruiseResult(
        ['shared', 'functions', 'local', 'infra', 'bench', 'test', 'dashboard'],
        {
          ...(await loadOptions()),
          baseDir: fixtureRoot,
        },
      );

      expect(violationLines(result)).toEqual(
        [
          'domain-no-aws-sdk: shared/x/domain/uses-aws.ts -> npm:@aws-sdk/client-s3',
          'domain-no-outer-layers: shared/x/domain/uses-adapter.ts -> shared/adapters/fake-adapter.ts',
          'domain-no-outer-layers: shared/x/domain/uses-usecase.ts -> shared/x/usecases/do-thing/do-thing.ts',
          'domain-no-node-io: shared/kernel/reads-files.ts -> fs',
          'shared-no-top-level-apps: shared/x/domain/uses-test.ts -> test/support/helper.ts',
          // a cycle is reported once; cycle-b -> cycle-a is type-only and still counts
          'no-circular: shared/x/domain/cycle-a.ts -> shared/x/domain/cycle-b.ts',
          'not-to-unresolvable: shared/x/domain/unresolved.ts -> #shared/x/domain/does-not-exist',
          'usecase-no-aws-sdk: shared/x/usecases/do-other/do-other.ts -> npm:@aws-sdk/client-s3',
          'usecase-no-adapters-or-edges: shared/x/usecases/do-other/do-other.ts -> shared/adapters/fake-adapter.ts',
          'port-no-adapters-or-aws-sdk: shared/x/ports/leaky-port.ts -> shared/adapters/fake-adapter.ts',
          'functions-no-local-or-tooling: functions/handler.ts -> local/server.ts',
          'infra-only-contract: infra/bad-stack.ts -> shared/x/usecases/do-thing/do-thing.ts',
          'tooling-no-test-code: bench/bench.ts -> test/support/helper.ts',
          'dashboard-app-browser-only: dashboard/app/view.ts -> shared/contract/tables.ts',
          'dashboard-build-only-tooling: dashboard/build.ts -> local/server.ts',
        ].sort(),
      );
      // The #… aliases resolved inside the fixture tree too (else the rules above could not fire).
      const aliased = result.modules.flatMap((m) => m.dependencies).filter((d) => d.module.startsWith('#'));
      expect(aliased.filter((d) => d.couldNotResolve).map((d) => d.module)).toEqual([
        '#shared/x/domain/does-not-exist',
      ]);
    });
  });
});
