/**
 * cdk-nag's AwsSolutions pack over the whole stack (dev and prod): synthesis fails on any finding
 * not acknowledged, and every acknowledgement sits on a specific resource with a specific reason
 * (infra/nag-acknowledgements.ts), never on the stack as a whole.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { afterAll, describe, expect, it } from 'vitest';
import { SegmentationStack } from '#infra/segmentation-stack';

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** Synthesises with the checks; returns the findings cdk-nag reported (empty when synthesis passed). */
const nag = (stage: string) => {
  const outdir = mkdtempSync(join(tmpdir(), 'nag-'));
  dirs.push(outdir);
  const app = new App({ outdir, context: { 'aws:cdk:bundling-stacks': [], stage } });
  const stack = new SegmentationStack(app, 'Test', { config: { stage } });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  let error: unknown;
  try {
    app.synth();
  } catch (e) {
    error = e;
  }
  const findings: string[] = [];
  if (error) {
    const report = JSON.parse(readFileSync(join(outdir, 'validation-report.json'), 'utf8')) as {
      pluginReports: {
        violations: { ruleName: string; violatingConstructs?: { constructPath: string }[] }[];
      }[];
    };
    for (const plugin of report.pluginReports)
      for (const v of plugin.violations)
        for (const c of v.violatingConstructs ?? [{ constructPath: '?' }])
          findings.push(`${v.ruleName} at ${c.constructPath}`);
  }
  return { stack, findings, error };
};

describe('cdk-nag AwsSolutions', () => {
  for (const stage of ['dev', 'prod']) {
    it(`passes with every finding acknowledged (${stage})`, () => {
      const { findings, error } = nag(stage);
      expect(findings).toEqual([]);
      expect(error).toBeUndefined();
    });
  }

  it('acknowledges on specific resources with specific reasons, never on the stack', () => {
    const { stack } = nag('dev');
    const acknowledged: { path: string; id: string; reason: string }[] = [];
    for (const construct of stack.node.findAll()) {
      for (const entry of construct.node.metadata.filter(
        (m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY,
      )) {
        // Recorded by Validations.acknowledge as { [rule id]: reason }.
        for (const [id, reason] of Object.entries(entry.data as Record<string, string>))
          acknowledged.push({ path: construct.node.path, id, reason });
      }
    }
    expect(acknowledged.length).toBeGreaterThan(10);
    for (const a of acknowledged) {
      expect(a.path, a.id).not.toBe(stack.node.path);
      expect(a.id).toMatch(/AwsSolutions-[A-Z]+\d+/);
      expect(a.reason.length, `${a.id} at ${a.path}`).toBeGreaterThan(40);
    }
  });
});
