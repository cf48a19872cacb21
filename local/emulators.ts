/**
 * The embedded AWS emulators of the local runtime (emulator-servers.ts), in a worker thread of
 * their own, as DynamoDB and S3 are other machines in production: their work (a Scan page, a
 * snapshot part written to disk) never holds the service's event loop, and the service's
 * requests are not queued behind it.
 */
import { once } from 'node:events';
import { startTsWorker } from './ts-worker';

export interface Emulators {
  readonly dynamodbEndpoint: string;
  readonly s3Endpoint: string;
  close(): Promise<void>;
}

/**
 * Starts both emulators on free loopback ports. With `dataDir` they keep data on disk
 * (`<dataDir>/dynamodb`, `<dataDir>/s3`); without it DynamoDB is in memory and S3 in a temp dir.
 */
export const startEmulators = async (options: { dataDir?: string; s3Dir: string }): Promise<Emulators> => {
  const worker = startTsWorker(new URL('./emulators-worker.ts', import.meta.url), { workerData: options });
  const [endpoints] = (await Promise.race([
    once(worker, 'message'),
    once(worker, 'exit').then(([code]) => {
      throw new Error(`the emulators stopped while starting (exit code ${code})`);
    }),
  ])) as [{ dynamodbEndpoint: string; s3Endpoint: string }];
  // The HTTP server is what keeps a service's process alive, not its emulators.
  worker.unref();
  return {
    ...endpoints,
    close: async () => {
      // Lets the servers finish writing to disk; a worker that already stopped has nothing to finish.
      const closed = Promise.race([once(worker, 'message'), once(worker, 'exit')]);
      worker.postMessage('close');
      await closed.catch(() => undefined);
      await worker.terminate();
    },
  };
};
