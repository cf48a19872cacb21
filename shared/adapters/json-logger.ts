import type { Logger } from '#shared/kernel/ports/logger';

const LEVELS = { debug: 10, info: 20, warn: 30, error: 40 } as const;
export type LogLevel = keyof typeof LEVELS;

export interface JsonLogger extends Logger {
  child(fields: Record<string, unknown>): JsonLogger;
}

/**
 * One JSON object a line (what CloudWatch Logs Insights parses). Callers pass counts, ids and
 * error names, never event payloads: see docs/event-mapping.md, "Personal data".
 */
export const jsonLogger = (
  options: { service: string; level?: LogLevel; write?: (line: string) => void },
  base: Record<string, unknown> = {},
): JsonLogger => {
  const threshold = LEVELS[options.level ?? 'info'];
  const write = options.write ?? ((line: string) => process.stdout.write(`${line}\n`));
  const log =
    (level: LogLevel) =>
    (message: string, fields: Record<string, unknown> = {}) => {
      if (LEVELS[level] < threshold) return;
      write(
        JSON.stringify({
          level,
          time: new Date().toISOString(),
          service: options.service,
          message,
          ...base,
          ...fields,
        }),
      );
    };
  return {
    debug: log('debug'),
    info: log('info'),
    warn: log('warn'),
    error: log('error'),
    child: (fields) => jsonLogger(options, { ...base, ...fields }),
  };
};

export const logLevelFromEnv = (value: string | undefined): LogLevel =>
  value && value.toLowerCase() in LEVELS ? (value.toLowerCase() as LogLevel) : 'info';
