import { DEFAULT_RETRAIN_LIMITS, type RetrainLimits } from '#shared/contract/retrain-limits';

/**
 * The retrain jobs' settings, with their defaults: the retrain's limits, whose defaults and bounds
 * the stack shares (shared/contract/retrain-limits.ts). In the stack each job function reads them
 * from its environment (shared/adapters/runtime-config.ts, names in shared/contract/environment.ts);
 * the local service takes them as start-up options and hands them to the same job handlers.
 */
export type RetrainSettings = RetrainLimits;

export const DEFAULT_RETRAIN_SETTINGS: RetrainSettings = DEFAULT_RETRAIN_LIMITS;
