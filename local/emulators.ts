/**
 * The embedded AWS emulators of the local runtime: dynalite (DynamoDB wire protocol) and
 * s3rver (S3 wire protocol), so the real SDK code paths run without an AWS account.
 */
import { mkdirSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import dynalite from 'dynalite';
import S3rver from 's3rver';

export interface Emulators {
  readonly dynamodbEndpoint: string;
  readonly s3Endpoint: string;
  close(): Promise<void>;
}

const listen = (server: Server, port: number): Promise<number> =>
  new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
  });

const closeServer = (server: { close(cb: (err?: Error) => void): unknown }): Promise<void> =>
  new Promise((resolve) => server.close(() => resolve()));

/**
 * Starts both emulators on free loopback ports. With `dataDir` they keep data on disk
 * (`<dataDir>/dynamodb`, `<dataDir>/s3`); without it DynamoDB is in memory and S3 in a temp dir.
 */
export const startEmulators = async (options: { dataDir?: string; s3Dir: string }): Promise<Emulators> => {
  const dynamoPath = options.dataDir ? join(options.dataDir, 'dynamodb') : undefined;
  if (dynamoPath) mkdirSync(dynamoPath, { recursive: true });
  mkdirSync(options.s3Dir, { recursive: true });
  const dynamo: Server = dynalite({
    createTableMs: 0,
    deleteTableMs: 0,
    updateTableMs: 0,
    ...(dynamoPath ? { path: dynamoPath } : {}),
  });
  const dynamoPort = await listen(dynamo, 0);

  const s3 = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory: options.s3Dir });
  const s3Address = (await s3.run()) as AddressInfo;

  return {
    dynamodbEndpoint: `http://127.0.0.1:${dynamoPort}`,
    s3Endpoint: `http://127.0.0.1:${s3Address.port}`,
    close: async () => {
      await Promise.all([closeServer(dynamo), closeServer(s3)]);
    },
  };
};
