/**
 * A table of synthetic shoppers as a parallel Scan sees it: segment i of T is the first
 * ceil(count / T) profiles of generator stream i (seeded 1000 + i, ids `s<i>-bench-<n>`). So a
 * smaller table cut into as many segments is a prefix of each of a larger one's streams, and the
 * scale bench generates the largest population once to summarise every size.
 */
import type { Profile } from '#shared/ingestion/domain/profile';
import type { ProfileScanner } from '#shared/segmentation/ports/profile-scanner';
import { syntheticProfiles } from './synthetic-profiles';

/** DynamoDB answers a Scan in pages; what the workers see is one page at a time. */
const PAGE = 1000;

/** How many of `count` profiles segment `segment` of `total` holds. */
export const segmentShare = (count: number, total: number, segment: number): number => {
  const share = Math.ceil(count / total);
  return Math.max(0, Math.min(share, count - segment * share));
};

/** Stream `segment`: its first `rows` profiles. */
export function* segmentProfiles(segment: number, rows: number, asOf: Date): Generator<Profile> {
  for (const profile of syntheticProfiles(rows, asOf, 1000 + segment))
    yield { ...profile, shopperId: `s${segment}-${profile.shopperId}` };
}

/** Feeds generated profiles to a snapshot in place of a DynamoDB parallel Scan. */
export const generatedScanner = (count: number, asOf: Date): ProfileScanner => ({
  async *scan(segment, total) {
    let page: Profile[] = [];
    for (const profile of segmentProfiles(segment, segmentShare(count, total, segment), asOf)) {
      page.push(profile);
      if (page.length === PAGE) {
        yield page;
        page = [];
      }
    }
    if (page.length > 0) yield page;
  },
  approximateCount: async () => count,
});
