/**
 * The bucket as a folder, so that a step run in a child process (to measure its peak memory alone)
 * finds what the parent or an earlier step wrote. Keys are relative paths under the root.
 */
import { mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join, sep } from 'node:path';
import type { ObjectStore } from '#shared/kernel/ports/object-store';

export class FileObjectStore implements ObjectStore {
  constructor(readonly root: string) {}

  async put(key: string, body: Uint8Array | string): Promise<void> {
    const path = join(this.root, key);
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, body);
  }

  async get(key: string): Promise<Uint8Array | undefined> {
    try {
      return await readFile(join(this.root, key));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
  }

  async list(prefix: string): Promise<string[]> {
    let entries: string[];
    try {
      entries = await readdir(this.root, { recursive: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
    const keys: string[] = [];
    for (const entry of entries) {
      const key = entry.split(sep).join('/');
      if (key.startsWith(prefix) && (await stat(join(this.root, entry))).isFile()) keys.push(key);
    }
    return keys.sort();
  }

  async delete(key: string): Promise<void> {
    await rm(join(this.root, key), { force: true });
  }

  /** Bytes stored under the prefix. */
  async bytesUnder(prefix: string): Promise<number> {
    let bytes = 0;
    for (const key of await this.list(prefix)) bytes += (await stat(join(this.root, key))).size;
    return bytes;
  }
}
