/**
 * The embedded AWS emulators of the local runtime: dynalite (DynamoDB wire protocol) and
 * s3rver (S3 wire protocol), so the real SDK code paths run without an AWS account. These are
 * the servers themselves, on the calling thread; emulators.ts runs them in a thread of their own.
 */
import { createHash } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import type { Readable } from 'node:stream';
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

interface StoredObject {
  readonly bucket: string;
  readonly key: string;
  readonly content: Buffer | Readable | null;
  readonly metadata: Record<string, string>;
}

/** The parts of s3rver's filesystem store (lib/stores/filesystem.js) that are replaced here. */
interface FilesystemStore {
  getResourcePath(bucket: string, key: string, type: string): string;
  putMetadata(bucket: string, key: string, metadata: Record<string, string>, md5: string): Promise<void>;
  putObject(object: StoredObject): Promise<{ size: number; md5: string }>;
  getObject(bucket: string, key: string, options?: unknown): Promise<StoredObject | null>;
  deleteObject(bucket: string, key: string): Promise<void>;
}

/**
 * S3 never shows a reader half an object: a GET sees the old or the new version, and a PUT is
 * readable once acknowledged. s3rver truncates the file in place and acknowledges before the
 * write is flushed, so a lookup reading `models/current.json` while a retrain rewrote it got an
 * empty pointer (503 no_model) or half of one (500). Here a PUT writes a temporary file and
 * renames it over the object, and each key's reads, writes and deletes take turns, so a read's
 * metadata (length, ETag) and the file it opened always belong together. A read holds its turn
 * until the file is open only: a rename after that leaves the open file as it was.
 */
const atomicObjects = (store: FilesystemStore): void => {
  const tails = new Map<string, Promise<void>>();
  const inTurn = async <T>(id: string, work: () => Promise<T>): Promise<T> => {
    const before = tails.get(id) ?? Promise.resolve();
    const result = before.then(work);
    const tail = result.then(
      () => undefined,
      () => undefined,
    );
    tails.set(id, tail);
    void tail.then(() => {
      if (tails.get(id) === tail) tails.delete(id);
    });
    return result;
  };
  let temporaries = 0;
  const { getObject, deleteObject } = store;
  store.putObject = (object) =>
    inTurn(`${object.bucket}/${object.key}`, async () => {
      const content = Buffer.isBuffer(object.content)
        ? object.content
        : Buffer.concat(await (object.content as Readable).toArray());
      const md5 = createHash('md5').update(content).digest('hex');
      const path = store.getResourcePath(object.bucket, object.key, 'object');
      await mkdir(dirname(path), { recursive: true });
      // Not an object to s3rver's listing, which only takes names ending in its object suffix.
      const temporary = `${path}.${process.pid}-${temporaries++}.tmp`;
      await writeFile(temporary, content);
      await store.putMetadata(object.bucket, object.key, object.metadata, md5);
      await rename(temporary, path);
      return { size: content.length, md5 };
    });
  store.getObject = (bucket, key, options) =>
    inTurn(`${bucket}/${key}`, () => getObject.call(store, bucket, key, options));
  store.deleteObject = (bucket, key) =>
    inTurn(`${bucket}/${key}`, () => deleteObject.call(store, bucket, key));
};

/**
 * Starts both emulators on free loopback ports. With `dataDir` they keep data on disk
 * (`<dataDir>/dynamodb`, `<dataDir>/s3`); without it DynamoDB is in memory and S3 in a temp dir.
 */
export const startEmulatorServers = async (options: {
  dataDir?: string;
  s3Dir: string;
}): Promise<Emulators> => {
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
  atomicObjects((s3 as unknown as { store: FilesystemStore }).store);
  const s3Address = (await s3.run()) as AddressInfo;

  return {
    dynamodbEndpoint: `http://127.0.0.1:${dynamoPort}`,
    s3Endpoint: `http://127.0.0.1:${s3Address.port}`,
    close: async () => {
      await Promise.all([closeServer(dynamo), closeServer(s3)]);
    },
  };
};
