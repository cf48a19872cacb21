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
