/**
 * The bucket in memory, for the benches' compute phases: what they time is our code, not an
 * emulator's HTTP and disk (the S3 emulator stores each object as files and answers over HTTP).
 */
import type { ObjectStore } from '#shared/kernel/ports/object-store';

export class MemoryObjectStore implements ObjectStore {
  private readonly objects = new Map<string, Uint8Array>();

  async put(key: string, body: Uint8Array | string): Promise<void> {
    this.objects.set(key, typeof body === 'string' ? Buffer.from(body, 'utf8') : body);
  }

  async get(key: string): Promise<Uint8Array | undefined> {
    return this.objects.get(key);
  }

  async list(prefix: string): Promise<string[]> {
    return [...this.objects.keys()].filter((key) => key.startsWith(prefix)).sort();
  }

  async delete(key: string): Promise<void> {
    this.objects.delete(key);
  }

  /** Bytes stored under the prefix. */
  bytesUnder(prefix: string): number {
    let bytes = 0;
    for (const [key, body] of this.objects) if (key.startsWith(prefix)) bytes += body.length;
    return bytes;
  }
}
