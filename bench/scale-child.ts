/**
 * A child process running one bench step (child-step.ts): `<step> <JSON args>`. Each step's module
 * is loaded alone, so the process holds only what that step needs (synthesis loads aws-cdk-lib).
 */
import { RESULT_MARK } from './child-step';
import { peakRssMb, rssMb } from './step-memory';

type Step = (args: never) => Promise<{ startMb: number }>;

// Each step takes its own args: the parent builds them for the step it names.
const STEPS: Record<string, () => Promise<Step>> = {
  idle: async () => async () => ({ startMb: rssMb() }),
  population: async () => (await import('./step-population')).population,
  assemble: async () => (await import('./step-retrain-jobs')).assemble,
  train: async () => (await import('./step-retrain-jobs')).train,
  promote: async () => (await import('./step-retrain-jobs')).promote,
  snapshotPart: async () => (await import('./step-part')).snapshotPart,
  summaryPart: async () => (await import('./step-part')).summaryPart,
  indexPart: async () => (await import('./step-part')).indexPart,
  reassignPart: async () => (await import('./step-part')).reassignPart,
  stack: async () => (await import('./step-stack-settings')).stack,
};

const [name = '', raw = 'null'] = process.argv.slice(2);
const load = STEPS[name];
if (!load) throw new Error(`unknown bench step ${name}`);
const result = await (await load())(JSON.parse(raw) as never);
process.stdout.write(`\n${RESULT_MARK}${JSON.stringify({ ...result, peakMb: peakRssMb() })}\n`);
