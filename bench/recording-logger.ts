/**
 * A logger that keeps what the steps warn about, so a bench can prove a step took the path it
 * claims to measure (the train step reading the assembled summary, never rebuilding it).
 */
import type { Logger } from '#shared/kernel/ports/logger';
import { SUMMARY_REBUILT as REBUILT } from '#shared/segmentation/usecases/take-snapshot/training-snapshot-summary';

export interface RecordingLogger extends Logger {
  readonly warnings: readonly string[];
}

export const recordingLogger = (): RecordingLogger => {
  const warnings: string[] = [];
  return {
    warnings,
    debug: () => undefined,
    info: () => undefined,
    warn: (message) => {
      warnings.push(message);
    },
    error: (message) => {
      warnings.push(message);
    },
  };
};

/** Throws if the train step rebuilt its summary from the parts: it would have measured a full read. */
export const assertSummaryRead = (logger: RecordingLogger): void => {
  if (logger.warnings.includes(REBUILT))
    throw new Error(`the train step did not find the assembled summary ("${REBUILT}")`);
};
