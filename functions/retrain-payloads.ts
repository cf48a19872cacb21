/**
 * What the retrain and drift check states hand the job functions about a snapshot: its plan (before
 * its segments are scanned) and its reference (once assembled). Both are a few keys and counts, so
 * no state's payload grows with the number of shoppers (test/infra/state-payloads.test.ts).
 */
import * as z from 'zod';
import type { SnapshotPlan, SnapshotRef } from '#shared/segmentation/usecases/take-snapshot/snapshot-layout';

export const triggerSchema = z.enum(['schedule', 'drift', 'manual']);

export const snapshotPlanSchema = z.object({
  runId: z.string().min(1),
  dt: z.string().min(1),
  asOf: z.string().min(1),
  prefix: z.string().min(1),
  totalSegments: z.number().int().min(1),
  segmentsKey: z.string().min(1),
}) satisfies z.ZodType<SnapshotPlan>;

export const snapshotRefSchema = z.object({
  runId: z.string().min(1),
  dt: z.string().min(1),
  asOf: z.string().min(1),
  prefix: z.string().min(1),
  rows: z.number().int().min(0),
  parts: z.number().int().min(0),
  manifestKey: z.string().min(1),
  partsKey: z.string().min(1),
  summaryKey: z.string().min(1),
}) satisfies z.ZodType<SnapshotRef>;
