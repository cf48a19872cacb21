import type { Profile } from '#shared/ingestion/domain/profile';

/** Reads every profile once, split into segments that parallel workers can take. */
export interface ProfileScanner {
  scan(segment: number, totalSegments: number): AsyncIterable<Profile[]>;
}
