/**
 * The lookup latency bench's statistics and report (see lookup-latency.ts): nearest-rank p50 and
 * p99 of the rounds' latencies, the lookup-to-floor ratio of each pair of rounds, and the printed
 * tables and verdicts against the target.
 */
import { type Kind, PLACEMENTS, type Placement, type Round } from './lookup-latency-clients';

const TARGET = 1.5;

export interface Summary {
  readonly count: number;
  readonly p50: number;
  readonly p99: number;
  readonly mean: number;
  /** Requests per second over the rounds' own wall time, where they have one. */
  readonly perSecond?: number;
}

/** Nearest-rank quantile of sorted values. */
const quantile = (sorted: Float64Array, q: number): number =>
  sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? Number.NaN;

export const summarize = (values: Float64Array, wallMs?: number): Summary => {
  const sorted = Float64Array.from(values).sort();
  return {
    count: sorted.length,
    p50: quantile(sorted, 0.5),
    p99: quantile(sorted, 0.99),
    mean: sorted.reduce((sum, v) => sum + v, 0) / Math.max(1, sorted.length),
    ...(wallMs ? { perSecond: (1000 * sorted.length) / wallMs } : {}),
  };
};

export const summarizeRounds = (rounds: readonly Round[]): Summary => {
  const all = new Float64Array(rounds.reduce((n, r) => n + r.latencies.length, 0));
  let at = 0;
  for (const r of rounds) {
    all.set(r.latencies, at);
    at += r.latencies.length;
  }
  return summarize(
    all,
    rounds.reduce((ms, r) => ms + r.wallMs, 0),
  );
};

/** Rounds come in pairs of one floor and one lookup round (measureRounds). */
export const pairRatios = (measured: readonly Round[]): number[] => {
  const ratios: number[] = [];
  for (let i = 0; i + 1 < measured.length; i += 2) {
    const pair = measured.slice(i, i + 2);
    const p50 = (kind: Kind) => summarizeRounds(pair.filter((r) => r.kind === kind)).p50;
    ratios.push(p50('lookup') / p50('floor'));
  }
  return ratios.sort((a, b) => a - b);
};

const ms = (v: number) => `${v.toFixed(2)} ms`;

const row = (s: Summary) => ({
  p50: ms(s.p50),
  p99: ms(s.p99),
  mean: ms(s.mean),
  'req/s': s.perSecond === undefined ? '—' : Math.round(s.perSecond).toLocaleString('en'),
  requests: s.count.toLocaleString('en'),
});

const verdict = (ratio: number) => (ratio <= TARGET ? 'met' : 'NOT MET');

export interface Report {
  readonly shoppers: number;
  readonly loadMs: number;
  readonly concurrency: number;
  readonly placement: Placement;
  readonly rounds: number;
  readonly floor: Summary;
  readonly lookup: Summary;
  readonly readsInLookups: Summary;
  /** lookup p50 ÷ floor p50 of each pair of rounds, sorted: how steady the ratio is through the run. */
  readonly pairRatios: readonly number[];
  readonly dynamoPerLookup: ReadonlyMap<string, number>;
  readonly compute: Summary;
}

export const report = (r: Report) => {
  const where = PLACEMENTS[r.placement];
  console.log(
    `\nlookup latency bench: ${r.shoppers.toLocaleString('en')} demo shoppers (ingested and trained in ` +
      `${(r.loadMs / 1000).toFixed(1)} s), ${r.concurrency} concurrent clients, ${r.rounds} + ${r.rounds} ` +
      `alternating rounds; placement ${r.placement}: floor clients on the ${where.floor} thread, ` +
      `lookup clients on the ${where.lookup} thread (service, emulators and handlers share one thread)`,
  );
  console.table({
    'floor: bare GetItem → dynalite': row(r.floor),
    'lookup: GET /v1/users/{id}/segment': row(r.lookup),
    '  its GetItem, as the handler awaits it': row(r.readsInLookups),
  });
  const p50 = r.lookup.p50 / r.floor.p50;
  const p99 = r.lookup.p99 / r.floor.p99;
  console.log(
    `lookup / floor: p50 ${p50.toFixed(2)}× (${verdict(p50)}), p99 ${p99.toFixed(2)}× (${verdict(p99)}); target ≤ ${TARGET}×`,
  );
  const [low, high] = [r.pairRatios[0] ?? Number.NaN, r.pairRatios.at(-1) ?? Number.NaN];
  const median = r.pairRatios[Math.floor(r.pairRatios.length / 2)] ?? Number.NaN;
  console.log(
    `p50 ratio of each pair of rounds: median ${median.toFixed(2)}×, from ${low.toFixed(2)}× to ${high.toFixed(2)}×`,
  );
  const dynamo = [...r.dynamoPerLookup].map(([command, n]) => `${command} ${n.toFixed(2)}`).join(', ');
  console.log(`service DynamoDB requests per lookup: ${dynamo || 'none'}`);
  console.log(
    `handler compute per lookup, excluding the awaited profile read (${r.compute.count.toLocaleString('en')} ` +
      `lookups one at a time): mean ${r.compute.mean.toFixed(0)} µs, p50 ${r.compute.p50.toFixed(0)} µs, ` +
      `p99 ${r.compute.p99.toFixed(0)} µs`,
  );
};
