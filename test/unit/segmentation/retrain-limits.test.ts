/**
 * One source of truth for the retrain's defaults: the contract's table, which the stack, the
 * functions' environment reader and the local service all fall back on, agrees with the domain's
 * own default where the contract cannot import it.
 */
import { describe, expect, it } from 'vitest';
import { ENV } from '#shared/contract/environment';
import { DEFAULT_RETRAIN_LIMITS, RETRAIN_LIMIT_NAMES, RETRAIN_LIMITS } from '#shared/contract/retrain-limits';
import { BACKTEST_SAMPLE } from '#shared/segmentation/domain/features/training-summary';
import { DEFAULT_RETRAIN_SETTINGS } from '#shared/segmentation/usecases/run-retrain/retrain-settings';

describe('the retrain limits', () => {
  it("default the backtest sample to the training summary's BACKTEST_SAMPLE", () => {
    expect(RETRAIN_LIMITS.backtestSample.default).toBe(BACKTEST_SAMPLE);
  });

  it("are the retrain settings' defaults", () => {
    expect(DEFAULT_RETRAIN_SETTINGS).toEqual(DEFAULT_RETRAIN_LIMITS);
    expect(Object.keys(DEFAULT_RETRAIN_LIMITS).sort()).toEqual([...RETRAIN_LIMIT_NAMES].sort());
  });

  it.each(RETRAIN_LIMIT_NAMES)('default %s within its own bounds', (name) => {
    const { min, max } = RETRAIN_LIMITS[name];
    expect(min).toBeLessThanOrEqual(DEFAULT_RETRAIN_LIMITS[name]);
    expect(DEFAULT_RETRAIN_LIMITS[name]).toBeLessThanOrEqual(max);
  });

  it('each have a context key and a variable of their own', () => {
    const limits = Object.values(RETRAIN_LIMITS);
    expect(new Set(limits.map((l) => l.context)).size).toBe(limits.length);
    expect(new Set(limits.map((l) => l.env)).size).toBe(limits.length);
    for (const { env } of limits) expect(Object.values(ENV)).toContain(env);
  });
});
