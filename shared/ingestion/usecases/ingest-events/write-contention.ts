/** Too many concurrent writers on one shopper: the client should retry. */
export class WriteContentionError extends Error {
  override readonly name = 'WriteContentionError';
}
