/**
 * How scripts/bundle-report.ts measures and prints: the median import time of bundles, each import
 * in a fresh Node process, the row of one measured bundle, and the units and output of the report.
 */
import { importInFreshProcess, type LambdaBundle } from './lambda-bundles';

export const kb = (bytes: number): string => (bytes / 1024).toFixed(1);
export const ms = (value: number): string => value.toFixed(1);
const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
};
export const log = (line = ''): void => {
  process.stdout.write(`${line}\n`);
};

export interface Target {
  readonly key: string;
  readonly file: string;
  readonly exportName: string;
  readonly environment: Record<string, string>;
}

export interface Timing {
  /** Median wall-clock milliseconds of the import. */
  readonly wall: number;
  /** Median CPU milliseconds (user + system) of the import. */
  readonly cpu: number;
}

/** One Lambda bundle as measured: its size, minified and gzipped, and its init time. */
export interface Row {
  readonly bundle: LambdaBundle;
  readonly bytes: number;
  readonly gzip: number;
  readonly init: Timing;
}

/**
 * Median import time of each target over `runs` rounds; each round imports every target once, in
 * turn, each in a fresh process, so drift in the machine's load spreads over all of them alike.
 */
export const timeImports = async (targets: readonly Target[], runs: number): Promise<Map<string, Timing>> => {
  const samples = new Map(targets.map((t) => [t.key, { wall: [] as number[], cpu: [] as number[] }]));
  for (let round = 0; round < runs; round++) {
    for (const target of targets) {
      const result = await importInFreshProcess(target.file, target.exportName, target.environment);
      if (result.error) throw new Error(`importing ${target.key} failed:\n${result.error}`);
      samples.get(target.key)?.wall.push(result.ms);
      samples.get(target.key)?.cpu.push(result.cpuMs);
    }
  }
  return new Map([...samples].map(([key, s]) => [key, { wall: median(s.wall), cpu: median(s.cpu) }]));
};
