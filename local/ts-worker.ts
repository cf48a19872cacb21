/**
 * Starts a worker thread on a TypeScript module of this repository. tsx's loader hooks are not
 * inherited by workers (neither under `npm start`, which runs tsx, nor under vitest, which
 * transforms in-process), so the worker registers them before importing the module.
 */
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { type TransferListItem, Worker } from 'node:worker_threads';

// The ESM build of tsx's API: its CommonJS build cannot register the hooks from a worker.
const tsxApi = pathToFileURL(
  createRequire(import.meta.url)
    .resolve('tsx/esm/api')
    .replace(/\.cjs$/, '.mjs'),
).href;

export const startTsWorker = (
  module: URL,
  options: { workerData?: unknown; transferList?: readonly TransferListItem[] } = {},
): Worker =>
  new Worker(
    `import(${JSON.stringify(tsxApi)}).then(({ register }) => { register(); return import(${JSON.stringify(module.href)}); })`,
    {
      eval: true,
      workerData: options.workerData,
      ...(options.transferList ? { transferList: [...options.transferList] } : {}),
    },
  );
