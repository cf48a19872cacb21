/**
 * The lift report's pure parts: outcomes from a profile's day buckets, version windows in order,
 * and one version's figures from its exposed shoppers (groups summed, verdicts withheld on too few).
 */
import { describe, expect, it } from 'vitest';
import { outcomeAfter } from '#shared/activation/domain/lift-outcome';
import { MIN_SHOPPERS_PER_GROUP, versionLift } from '#shared/activation/domain/lift-report';
import { type PolicyVersionWindow, versionWindows } from '#shared/activation/domain/policy-version';
import { emptyProfile, type Profile } from '#shared/ingestion/domain/profile';

const bucket = (o: number, r: number, rf = 0) => ({ e: o, o, r, u: o, rf, v: 0, a: 0 });

const profileWith = (days: Profile['days'], currency: string | null = 'USD'): Profile => ({
  ...emptyProfile('s1', false, '2026-01-01T00:00:00Z'),
  currency,
  days,
});

const policy = {
  action: 'win_back',
  channel: 'email' as const,
  coupon: null,
  message: '',
  priority: 1,
  holdout: { share: 0.5 },
};
const window: PolicyVersionWindow = {
  segmentId: 'seg-1',
  version: 'pv-1',
  policy,
  activeFrom: '2026-03-01T00:00:00.000Z',
  activeTo: null,
};

describe('outcomes after exposure', () => {
  const profile = profileWith({
    '2026-02-28': bucket(1, 100),
    '2026-03-01': bucket(1, 50),
    '2026-03-10': bucket(2, 80, 30),
    '2026-04-02': bucket(1, 20),
  });

  it('counts orders and net revenue from the exposure day to the window end, both included', () => {
    expect(outcomeAfter(profile, '2026-03-01T18:00:00Z', '2026-04-01T00:00:00Z', 'USD')).toEqual({
      orders: 3,
      revenue: 100,
    });
    expect(outcomeAfter(profile, '2026-03-02T00:00:00Z', '2026-04-02T23:00:00Z', 'USD')).toEqual({
      orders: 3,
      revenue: 70,
    });
  });

  it('keeps revenue in another currency out, and orders in', () => {
    expect(outcomeAfter(profile, '2026-03-01T00:00:00Z', '2026-04-01T00:00:00Z', 'EUR')).toEqual({
      orders: 3,
      revenue: null,
    });
    expect(
      outcomeAfter(profileWith({}, null), '2026-03-01T00:00:00Z', '2026-04-01T00:00:00Z', 'EUR'),
    ).toEqual({
      orders: 0,
      revenue: 0,
    });
  });
});

describe('version windows', () => {
  it('orders by start, then by sequence (saved in the same millisecond), each ending where the next starts', () => {
    const at = '2026-03-01T00:00:00.000Z';
    const windows = versionWindows([
      { segmentId: 's', version: 'pv-b', policy: null, activeFrom: at, sequence: 1 },
      { segmentId: 's', version: 'pv-z', policy: null, activeFrom: '2026-04-01T00:00:00.000Z', sequence: 2 },
      { segmentId: 's', version: 'pv-a', policy: null, activeFrom: at, sequence: 0 },
    ]);
    expect(windows.map((w) => [w.version, w.activeTo])).toEqual([
      ['pv-a', at],
      ['pv-b', '2026-04-01T00:00:00.000Z'],
      ['pv-z', null],
    ]);
  });
});

describe("one version's lift", () => {
  const shoppers = (group: 'treatment' | 'holdout', n: number, converted: number) =>
    Array.from({ length: n }, (_, i) => ({
      group,
      outcome: { orders: i < converted ? 1 : 0, revenue: i < converted ? 40 : 0 },
    }));
  const now = '2026-04-01T00:00:00.000Z';

  it('sums each group and compares them', () => {
    const lift = versionLift(
      window,
      now,
      [...shoppers('treatment', 200, 100), ...shoppers('holdout', 200, 50)],
      false,
    );
    expect(lift.groups).toEqual({
      treatment: {
        shoppers: 200,
        converted: 100,
        conversionRate: 0.5,
        ordersPerShopper: 0.5,
        revenuePerShopper: 20,
      },
      holdout: {
        shoppers: 200,
        converted: 50,
        conversionRate: 0.25,
        ordersPerShopper: 0.25,
        revenuePerShopper: 10,
      },
    });
    expect(lift.conversion?.difference).toBeCloseTo(0.25, 12);
    expect(lift.verdict).toEqual({ kind: 'significant', direction: 'positive' });
    expect(lift.window).toEqual({ from: window.activeFrom, to: now, active: true });
    expect(lift.underperforming).toBe(false);
  });

  it('flags a version significantly worse than its holdout', () => {
    const lift = versionLift(
      window,
      now,
      [...shoppers('treatment', 200, 40), ...shoppers('holdout', 200, 100)],
      false,
    );
    expect(lift.verdict).toEqual({ kind: 'significant', direction: 'negative' });
    expect(lift.underperforming).toBe(true);
  });

  it(`gives no verdict below ${MIN_SHOPPERS_PER_GROUP} shoppers in a group, however large the difference`, () => {
    const lift = versionLift(
      window,
      now,
      [...shoppers('treatment', 20, 20), ...shoppers('holdout', 200, 0)],
      false,
    );
    expect(lift.conversion?.pValue).toBeLessThan(0.001);
    expect(lift.verdict).toEqual({ kind: 'not_yet', neededPerGroup: MIN_SHOPPERS_PER_GROUP });
    expect(lift.underperforming).toBe(false);
    // Nor "no difference" from a handful of shoppers who all did the same.
    const few = versionLift(
      window,
      now,
      [...shoppers('treatment', 5, 0), ...shoppers('holdout', 3, 0)],
      false,
    );
    expect(few.verdict).toEqual({ kind: 'not_yet', neededPerGroup: MIN_SHOPPERS_PER_GROUP });
  });

  it('reports a version without a holdout without figures, and one with an empty group as not yet', () => {
    const none = versionLift({ ...window, policy: { ...policy, holdout: { share: 0 } } }, now, [], false);
    expect(none).toMatchObject({ groups: null, conversion: null, verdict: { kind: 'inconclusive' } });
    const empty = versionLift(window, now, shoppers('treatment', 50, 10), true);
    expect(empty).toMatchObject({ conversion: null, sampled: true, verdict: { kind: 'not_yet' } });
  });
});
