/** The bucket as the use cases need it: whole objects by key. */
export interface ObjectStore {
  put(key: string, body: Uint8Array | string, contentType: string): Promise<void>;
  /** undefined when the key does not exist. */
  get(key: string): Promise<Uint8Array | undefined>;
  /** Every key under the prefix, in lexicographic order. */
  list(prefix: string): Promise<string[]>;
  /** Removes the object; removing a missing key is not an error. */
  delete(key: string): Promise<void>;
}

/** A JSON object of the bucket, parsed; undefined when the key does not exist. */
export const readJson = async <T>(objects: Pick<ObjectStore, 'get'>, key: string): Promise<T | undefined> => {
  const body = await objects.get(key);
  return body ? (JSON.parse(Buffer.from(body).toString('utf8')) as T) : undefined;
};
