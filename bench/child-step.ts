/**
 * Runs one bench step in a fresh Node process (with this process's TypeScript loader), so that
 * its peak RSS (getrusage maxRSS) is the step's alone, as a Lambda's memory is one handler's.
 * The step prints its result as the last line of its output, after RESULT_MARK.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const RESULT_MARK = '@@bench-step-result ';
const CHILD = fileURLToPath(new URL('./scale-child.ts', import.meta.url));

/** What every step reports about the process it ran in. */
export interface StepMemory {
  /** Peak RSS of the whole process, MB: what the step's Lambda would need at least. */
  readonly peakMb: number;
  /** RSS when the step began (Node, the loaded modules and its input), MB. */
  readonly startMb: number;
}

/** What a step function answers, as the parent receives it. */
export type StepResult<F extends (...args: never[]) => Promise<unknown>> = Awaited<ReturnType<F>> &
  StepMemory;

/**
 * The V8 heap limits the Lambda Node.js runtime sets for a function of this memory (its bootstrap:
 * new space a tenth of the memory, old space the rest), so the step collects garbage as it would
 * there instead of growing into this machine's memory.
 */
const lambdaHeapFlags = (memoryMb: number) => [
  `--max-old-space-size=${memoryMb - Math.floor(memoryMb / 10)}`,
  `--max-semi-space-size=${Math.floor(memoryMb / 20)}`,
];

export const runStep = <F extends (...args: never[]) => Promise<unknown>>(
  step: string,
  args: unknown,
  options: { readonly lambdaMemoryMb?: number } = {},
): Promise<StepResult<F>> =>
  new Promise((resolve, reject) => {
    const heap = options.lambdaMemoryMb ? lambdaHeapFlags(options.lambdaMemoryMb) : [];
    const child = spawn(process.execPath, [...process.execArgv, ...heap, CHILD, step, JSON.stringify(args)], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      out += chunk;
    });
    child.once('error', reject);
    child.once('exit', (code) => {
      const line = out.split('\n').find((l) => l.startsWith(RESULT_MARK));
      if (code !== 0 || !line) return reject(new Error(`bench step ${step} failed (exit ${code})\n${out}`));
      resolve(JSON.parse(line.slice(RESULT_MARK.length)) as StepResult<F>);
    });
  });
