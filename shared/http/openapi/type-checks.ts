/**
 * Compile-time checks that the documented answers and the types the code builds them with are the
 * same shapes: a field added, removed, renamed or retyped on either side fails `tsc`. (The live
 * answers are checked against the document at run time by test/integration/openapi.test.ts.)
 * Only types are imported: nothing here runs.
 */
import type * as z from 'zod';
import type { MarketingPolicy as MarketingPolicyType } from '#shared/activation/domain/marketing-policy';
import type { modelHistory, segmentCatalogue } from '#shared/activation/usecases/catalogue/catalogue';
import type { SegmentProfile as SegmentProfileType } from '#shared/activation/usecases/catalogue/segment-profile';
import type { SegmentsOverTime as SegmentsOverTimeType } from '#shared/activation/usecases/catalogue/segments-over-time';
import type { SegmentLift as SegmentLiftType } from '#shared/activation/usecases/lift/segment-lift';
import type { SegmentLookup as SegmentLookupType } from '#shared/activation/usecases/lookup-segment/lookup-segment';
import type { SegmentPolicy } from '#shared/activation/usecases/policies/segment-policy';
import type { MembersPage } from '#shared/activation/usecases/segment-members/segment-members';
import type { IngestResult as IngestResultType } from '#shared/ingestion/usecases/ingest-events/ingest-events';
import type { ProfileView } from '#shared/ingestion/usecases/read-profile/read-profile';
import type { EraseResult as EraseResultType } from '#shared/privacy/usecases/erase-shopper/erase-shopper';
import type {
  PopulationFigures as PopulationFiguresType,
  SegmentFigures as SegmentFiguresType,
} from '#shared/segmentation/domain/explanation/segment-figures';
import type {
  RetrainRun as RetrainRunType,
  SegmentModel as SegmentModelType,
} from '#shared/segmentation/domain/segment-model';
import type { SegmentChange as SegmentChangeType } from '#shared/segmentation/ports/assignment-store';
import type { MarketingPolicy } from './common-schemas';
import type { IngestResult } from './ingest-schemas';
import type { SegmentLift } from './lift-schemas';
import type { SegmentHistory, SegmentLookup } from './lookup-schemas';
import type {
  ModelHistory,
  PopulationFigures,
  RetrainRun,
  SegmentFigures,
  SegmentModel,
} from './models-schemas';
import type { EraseResult, Profile } from './profile-schemas';
import type {
  SegmentCatalogue,
  SegmentMembersPage,
  SegmentPolicyDefault,
  SegmentPolicyOverride,
  SegmentProfile,
  SegmentsOverTime,
} from './segments-schemas';

type DeepReadonly<T> = T extends readonly (infer U)[]
  ? readonly DeepReadonly<U>[]
  : T extends object
    ? { readonly [K in keyof T]: DeepReadonly<T[K]> }
    : T;
type Assignable<A, B> = [DeepReadonly<A>] extends [DeepReadonly<B>] ? true : false;
/** Everything of type T the code may answer is a value the schema documents. */
type Covers<S extends z.ZodType, T> = Assignable<T, z.output<S>>;
/** Everything the schema documents is a value of type T: same fields, maybe narrower values (`days: 30 | 90 | 365` for a `number`). */
type Narrows<S extends z.ZodType, T> = Assignable<z.output<S>, T>;
/** Both: the schema and the type are the same shape, readonly-ness aside. */
type Same<S extends z.ZodType, T> = Covers<S, T> extends true ? Narrows<S, T> : false;
type Assert<T extends true> = T;

export type AnswerTypesMatchTheDocument = [
  Assert<Narrows<typeof Profile, ProfileView>>,
  Assert<Same<typeof EraseResult, EraseResultType>>,
  Assert<
    Same<
      typeof IngestResult,
      Pick<IngestResultType, 'accepted' | 'duplicates' | 'rejected'> & { success: true }
    >
  >,
  Assert<Narrows<typeof SegmentLookup, SegmentLookupType>>,
  Assert<Same<typeof SegmentHistory, { shopperId: string; changes: SegmentChangeType[] }>>,
  Assert<Narrows<typeof SegmentCatalogue, ReturnType<typeof segmentCatalogue>>>,
  Assert<Narrows<typeof SegmentProfile, SegmentProfileType>>,
  Assert<Same<typeof SegmentsOverTime, SegmentsOverTimeType>>,
  Assert<Same<typeof SegmentFigures, SegmentFiguresType>>,
  Assert<Same<typeof PopulationFigures, PopulationFiguresType>>,
  Assert<Same<typeof SegmentMembersPage, MembersPage>>,
  Assert<Narrows<typeof SegmentLift, SegmentLiftType>>,
  Assert<Narrows<typeof SegmentPolicyOverride, SegmentPolicy>>,
  Assert<Narrows<typeof SegmentPolicyDefault, SegmentPolicy>>,
  Assert<Narrows<typeof MarketingPolicy, MarketingPolicyType>>,
  Assert<Covers<typeof SegmentModel, SegmentModelType>>,
  Assert<Covers<typeof RetrainRun, RetrainRunType>>,
  Assert<Covers<typeof ModelHistory, Awaited<ReturnType<typeof modelHistory>>>>,
];
