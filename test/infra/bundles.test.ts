/**
 * Every function in the template has its handler in its built bundle: the stack is synthesised
 * once with esbuild bundling on, and each bundle is loaded in a fresh Node process laid out like
 * the Lambda sandbox. Sizes are asserted; init times are not (see `npm run bundles`).
 */
import { rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Stage } from 'aws-cdk-lib';
import { afterAll, describe, expect, it } from 'vitest';
import {
  assemblyFunctions,
  createSandbox,
  importInFreshProcess,
  MAX_BUNDLE_BYTES,
} from '#scripts/lambda-bundles';
import { synth } from './template';

const projectRoot = fileURLToPath(new URL('../..', import.meta.url));

describe('function bundles', () => {
  // The other infra tests skip bundling; here it is the point ('**' bundles every stack).
  const { stack, template } = synth({}, { 'aws:cdk:bundling-stacks': ['**'] });
  const assembly = (Stage.of(stack) as Stage).synth(); // the assembly Template.fromStack already built
  const functions = assemblyFunctions(assembly.directory);
  const sandbox = createSandbox(projectRoot);

  afterAll(() => {
    sandbox.dispose();
    // The App wrote the assembly to a fresh temporary directory; cdk.out is never touched.
    if (assembly.directory.startsWith(tmpdir())) rmSync(assembly.directory, { recursive: true, force: true });
  });

  it('checks every function of the template except the documented CDK-internal ones', () => {
    const inTemplate = Object.keys(template.findResources('AWS::Lambda::Function')).sort();
    expect(functions.all.map((f) => f.logicalId).sort()).toEqual(inTemplate);
    expect(functions.bundles.length).toBeGreaterThan(0);
    // CDK-internal: the buckets' autoDeleteObjects provider and the dashboard's BucketDeployment handler.
    expect(functions.bundles.length).toBe(inTemplate.length - functions.internal.length);
  });

  describe.each(functions.bundles.map((b) => [`${b.logicalId} (${b.description})`, b] as const))(
    '%s',
    (_name, bundle) => {
      it('has its handler module in its asset directory', () => {
        expect(bundle.assetDir, 'asset directory of Code.S3Key in the assembly').toBeDefined();
        expect(bundle.moduleFile, `module of handler ${bundle.handler}`).toBeDefined();
      });

      it(`is at most ${MAX_BUNDLE_BYTES / 1024} KB minified`, () => {
        const bytes = statSync(join(bundle.assetDir ?? '', bundle.moduleFile ?? '')).size;
        expect(bytes).toBeLessThanOrEqual(MAX_BUNDLE_BYTES);
      });

      it('exports its handler as a function when imported in a fresh process, with no network calls', async () => {
        const result = await importInFreshProcess(
          sandbox.place(bundle),
          bundle.exportName,
          bundle.environment,
          { denyNetwork: true },
        );
        expect(result.error).toBeUndefined();
        expect(result.exportType).toBe('function');
        expect(result.network).toEqual([]);
        expect(result.asyncErrors).toEqual([]);
      });
    },
  );
});
