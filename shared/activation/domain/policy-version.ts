/**
 * Policy versions: every change of a segment's policy (a PUT, or a reset to the default) starts
 * a new version, in force until the next one. A version's id salts its holdout draw (holdout.ts),
 * so each version splits shoppers afresh, and its window bounds what its lift report counts.
 */
import { murmur3_32 } from '#shared/kernel/hash';
import type { MarketingPolicy } from './marketing-policy';

export interface PolicyVersion {
  readonly segmentId: string;
  readonly version: string;
  /** The operator's policy, or null: the default for the segment's name (the override was removed). */
  readonly policy: MarketingPolicy | null;
  readonly activeFrom: string;
  /**
   * The segment's versions before this one: orders versions saved within the same millisecond
   * (or under a pinned clock). Absent on a policy saved before versions were kept.
   */
  readonly sequence?: number;
}

/** A version with the end of its window: the next version's start, or null while it is in force. */
export interface PolicyVersionWindow extends PolicyVersion {
  readonly activeTo: string | null;
}

/**
 * Readable and unique: the start time, then a hash of what the version is (two different
 * policies saved in the same millisecond still get two ids).
 */
export const policyVersionId = (
  segmentId: string,
  policy: MarketingPolicy | null,
  activeFrom: string,
): string => {
  const digest = murmur3_32(`${segmentId}\u0000${JSON.stringify(policy)}`, 0x5eed);
  return `pv-${activeFrom.replace(/[-:.]/g, '')}-${digest.toString(16).padStart(8, '0')}`;
};

export const holdoutShareOf = (policy: MarketingPolicy | null | undefined): number =>
  policy?.holdout?.share ?? 0;

/** Oldest first, each ending where the next starts. */
export const versionWindows = (versions: readonly PolicyVersion[]): PolicyVersionWindow[] => {
  const ordered = [...versions].sort(
    (a, b) =>
      a.activeFrom.localeCompare(b.activeFrom) ||
      (a.sequence ?? -1) - (b.sequence ?? -1) ||
      a.version.localeCompare(b.version),
  );
  return ordered.map((v, i) => ({ ...v, activeTo: ordered[i + 1]?.activeFrom ?? null }));
};

/**
 * A policy version whose lift was significantly negative at the last check (a retrain's run):
 * shown next to the policy in the catalogue and the run record; nothing is switched off.
 */
export interface PolicyFlag {
  readonly segmentId: string;
  readonly version: string;
  readonly kind: 'underperforming';
  /** What was significantly below the holdout: conversion, revenue per shopper, or both. */
  readonly metrics: readonly ('conversion' | 'revenuePerShopper')[];
  readonly checkedAt: string;
}
