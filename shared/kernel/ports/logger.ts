/** The narrow logger the use cases need; adapters decide where lines go. */
export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

/**
 * What a log line may say about an error: its name, and its message only when AWS wrote it (a
 * service error, which describes the request, not its data). Other messages can quote the data
 * being handled (the DynamoDB marshaller's "No value defined: {…item…}", a JSON.parse snippet),
 * so they are replaced by the error's stack frames, which locate it without the message.
 */
export const errorFields = (error: unknown): Record<string, unknown> => {
  if (!(error instanceof Error)) return { errorName: typeof error };
  if ('$metadata' in error && typeof error.$metadata === 'object')
    return { errorName: error.name, errorMessage: error.message };
  const frames = (error.stack ?? '')
    .split('\n')
    .filter((line) => /^\s+at /.test(line))
    .slice(0, 5)
    .map((line) => line.trim());
  return { errorName: error.name, errorStack: frames };
};
