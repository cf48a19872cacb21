/**
 * One segment: how it differs from all buyers feature by feature, its rules, the spread of
 * predicted value, its top products, its members (paged, CSV for all of them) and its policy,
 * editable with the admin key.
 */
import { useMemo, useState } from 'preact/hooks';
import uPlot from 'uplot';
import { type Api, ApiError, enc } from '../api';
import { featureLabel, fmtDateTime, fmtFeature, fmtInt, fmtMoney, fmtNum, fmtPct } from '../format';
import type { Session } from '../session';
import type { Catalogue, Figure, MembersPage, SegmentProfile } from '../types';
import { Bar, Chart, DataTable, Show, Stat, useAsync } from '../ui';
import { LiftPanel } from './lift';
import { PolicySummary, PROSPECTS_ID } from './overview';
import { PolicyEditor } from './policy-editor';

const meanOf = (f: Figure) => (typeof f === 'number' ? f : f.mean);
const medianOf = (f: Figure) => (typeof f === 'number' ? f : f.median);

/** What the older catalogue gives for the same page: centroid vs the buyers' size-weighted mean of centroids. */
const profileFromCatalogue = (c: Catalogue, id: string): SegmentProfile | null => {
  const s = c.segments.find((x) => x.id === id);
  if (!s) return null;
  const clusters = c.segments.filter((x) => x.id !== PROSPECTS_ID);
  const buyers = clusters.reduce((n, x) => n + x.size, 0);
  const population = (feature: string) =>
    buyers > 0 ? clusters.reduce((n, x) => n + (x.centroid[feature] ?? 0) * x.size, 0) / buyers : 0;
  return {
    segmentId: s.id,
    name: s.name,
    description: s.description,
    modelVersion: c.modelVersion,
    currency: c.currency ?? 'USD',
    size: s.size,
    share: s.share,
    revenueShare: s.revenueShare ?? null,
    features: Object.entries(s.centroid).map(([feature, value]) => {
      const p = population(feature);
      return { feature, segment: value, population: p, ratio: p !== 0 ? value / p : null };
    }),
    rules: s.rules.map((rule) => ({ rule })),
    forecast: s.forecast,
    predictedValue: null,
    topProducts: [],
    policy: s.policy,
    policySource: s.policySource,
  };
};

/** The segment profile endpoint, else (an older service: 404) the catalogue's figures. */
const loadSegment = async (api: Api, id: string): Promise<{ profile: SegmentProfile; detailed: boolean }> => {
  try {
    return { profile: await api.get<SegmentProfile>(`/v1/segments/${enc(id)}/profile`), detailed: true };
  } catch (e) {
    if (!(e instanceof ApiError) || (e.status !== 404 && e.status !== 405)) throw e;
    const profile = profileFromCatalogue(await api.get<Catalogue>('/v1/segments'), id);
    if (!profile) throw e;
    return { profile, detailed: false };
  }
};

const Features = ({ profile }: { profile: SegmentProfile }) => {
  const currency = profile.currency ?? 'USD';
  if (profile.features.length === 0) return <p class="muted">No feature figures for this segment.</p>;
  return (
    <ul class="features" data-testid="features">
      {profile.features.map((f) => {
        const s = meanOf(f.segment);
        const p = meanOf(f.population);
        const top = Math.max(Math.abs(s), Math.abs(p)) || 1;
        return (
          <li key={f.feature} data-feature={f.feature}>
            <span class="feature-name">{f.label ?? featureLabel(f.feature)}</span>
            <Bar
              fraction={Math.abs(s) / top}
              tone="a"
              label={`This segment: ${fmtFeature(f.feature, medianOf(f.segment), currency)}`}
            />
            <Bar
              fraction={Math.abs(p) / top}
              tone="b"
              label={`All buyers: ${fmtFeature(f.feature, medianOf(f.population), currency)}`}
            />
            {f.ratio !== null && <span class="muted small">{fmtNum(f.ratio)}× the average</span>}
          </li>
        );
      })}
    </ul>
  );
};

const ValueChart = ({ profile }: { profile: SegmentProfile }) => {
  const dist = profile.predictedValue;
  const currency = dist?.currency ?? profile.currency ?? 'USD';
  const chart = useMemo(() => {
    if (!dist || dist.buckets.length === 0) return null;
    const xs = dist.buckets.map((_, i) => i);
    return {
      data: [xs, dist.buckets.map((b) => b.shoppers)] as [number[], number[]],
      options: {
        height: 220,
        legend: { show: false },
        scales: { x: { time: false, range: [-0.6, xs.length - 0.4] as [number, number] } },
        axes: [
          {
            values: (_u: unknown, ticks: number[]) =>
              ticks.map((t) =>
                Number.isInteger(t) && dist.buckets[t] ? fmtMoney(dist.buckets[t].from, currency) : '',
              ),
          },
          { label: 'Shoppers' },
        ],
        series: [{}, { label: 'Shoppers', fill: '#1f5fbf', stroke: '#1f5fbf', paths: barPaths() }],
      },
    };
  }, [dist, currency]);
  if (!dist) {
    const v = profile.forecast?.predictedValue;
    return v === undefined || v === null ? (
      <p class="muted">No predicted value for this segment.</p>
    ) : (
      <p>
        Mean predicted 12-month value: <strong>{fmtMoney(v, currency)}</strong> (no distribution from this
        service version).
      </p>
    );
  }
  return (
    <figure>
      {chart && (
        <Chart
          data={chart.data}
          options={chart.options}
          label={`Shoppers by predicted ${dist.months ?? 12}-month value`}
        />
      )}
      <figcaption>
        Median {fmtMoney(dist.median, currency)}, mean {fmtMoney(dist.mean, currency)}.
      </figcaption>
      <details>
        <summary>Data table</summary>
        <DataTable
          caption="Shoppers by predicted value"
          head={['From', 'To', 'Shoppers']}
          rows={dist.buckets.map((b) => [
            fmtMoney(b.from, currency),
            b.to === null ? 'and above' : fmtMoney(b.to, currency),
            fmtInt(b.shoppers),
          ])}
        />
      </details>
    </figure>
  );
};

const barPaths = () => uPlot.paths.bars?.({ size: [0.8, 80] });

const PAGE = 25;

const Members = ({ api, id }: { api: Api; id: string }) => {
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  const cursor = cursors[cursors.length - 1] ?? null;
  const number = cursors.length;
  // Each answer carries its page number: until page N's members are there, the caption never says N.
  const [page] = useAsync(
    () =>
      api
        .get<MembersPage>(
          `/v1/segments/${enc(id)}/members?limit=${PAGE}${cursor ? `&cursor=${enc(cursor)}` : ''}`,
        )
        .then((p) => ({ ...p, number })),
    [api, id, cursor],
  );
  const [csv, setCsv] = useState<{ busy: boolean; error: string | null; rows: number | null }>({
    busy: false,
    error: null,
    rows: null,
  });
  const download = async () => {
    setCsv({ busy: true, error: null, rows: null });
    try {
      const parts: string[] = [];
      let next: string | null = null;
      do {
        const res = await api.raw(
          `/v1/segments/${enc(id)}/members?limit=1000${next ? `&cursor=${enc(next)}` : ''}`,
          'text/csv',
        );
        const text = await res.text();
        parts.push(parts.length === 0 ? text : text.slice(text.indexOf('\n') + 1));
        next = res.headers.get('x-next-cursor');
      } while (next);
      const body = parts.map((p) => (p.endsWith('\n') || p === '' ? p : `${p}\n`)).join('');
      const url = URL.createObjectURL(new Blob([body], { type: 'text/csv' }));
      const a = document.createElement('a');
      a.href = url;
      a.download = `segment-${id}-members.csv`;
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
      setCsv({ busy: false, error: null, rows: body.split('\n').filter(Boolean).length - 1 });
    } catch (e) {
      setCsv({ busy: false, error: e instanceof Error ? e.message : String(e), rows: null });
    }
  };
  return (
    <section aria-labelledby="members-title">
      <h2 id="members-title">Members</h2>
      <p>
        <button type="button" onClick={download} disabled={csv.busy} data-testid="download-csv">
          {csv.busy ? 'Preparing CSV…' : 'Download all members (CSV)'}
        </button>{' '}
        <span role="status">{csv.rows !== null && `${fmtInt(csv.rows)} members downloaded.`}</span>
        {csv.error && (
          <span class="field-error" role="alert">
            CSV download failed: {csv.error}
          </span>
        )}
      </p>
      <Show value={page} what="the members">
        {(p) => (
          <>
            <DataTable
              testId="members"
              caption={`Members, page ${p.number}`}
              head={['Shopper', 'In the segment since', 'Model']}
              rows={p.members.map((m) => [
                <a href={`#/shoppers/${enc(m.shopperId)}`} key={m.shopperId}>
                  {m.shopperId}
                </a>,
                fmtDateTime(m.since),
                <code key="v">{m.modelVersion}</code>,
              ])}
            />
            <nav class="pager" aria-label="Member pages">
              <button
                type="button"
                class="secondary"
                disabled={cursors.length === 1}
                onClick={() => setCursors((c) => c.slice(0, -1))}
              >
                Previous page
              </button>
              <button
                type="button"
                class="secondary"
                disabled={!p.nextCursor}
                data-testid="members-next"
                onClick={() => p.nextCursor && setCursors((c) => [...c, p.nextCursor])}
              >
                Next page
              </button>
            </nav>
          </>
        )}
      </Show>
    </section>
  );
};

export const SegmentView = ({ session, id }: { session: Session; id: string }) => {
  const [loaded, reload] = useAsync(() => loadSegment(session.api, id), [session, id]);
  // Every policy change starts a version: the lift report is read again after one.
  const [changes, setChanges] = useState(0);
  return (
    <Show value={loaded} what="the segment">
      {({ profile, detailed }) => {
        const currency = profile.currency ?? 'USD';
        return (
          <section aria-labelledby="segment-title" data-testid="segment" data-segment-id={profile.segmentId}>
            <p>
              <a href="#/">← All segments</a>
            </p>
            <h1 id="segment-title">{profile.name}</h1>
            <p class="description">{profile.description}</p>
            <dl class="stats">
              <Stat label="Shoppers" field="size" value={profile.size}>
                {fmtInt(profile.size)}
              </Stat>
              <Stat label="Share of shoppers" field="share" value={profile.share}>
                {fmtPct(profile.share)}
              </Stat>
              {profile.revenueShare !== undefined && profile.revenueShare !== null && (
                <Stat label="Share of revenue" field="revenueShare" value={profile.revenueShare}>
                  {fmtPct(profile.revenueShare)}
                </Stat>
              )}
              {profile.forecast?.predictedValue != null && (
                <Stat
                  label="Predicted 12-month value"
                  field="predictedValue"
                  value={profile.forecast.predictedValue}
                >
                  {fmtMoney(profile.forecast.predictedValue, currency)}
                </Stat>
              )}
            </dl>
            <div class="columns">
              <section aria-labelledby="features-title">
                <h2 id="features-title">How it differs from all buyers</h2>
                {!detailed && (
                  <p class="muted small">
                    The segment's centre against the average of all segments' centres.
                  </p>
                )}
                <Features profile={profile} />
              </section>
              <section aria-labelledby="rules-title">
                <h2 id="rules-title">Rules</h2>
                <ul class="rules" data-testid="rules">
                  {profile.rules.map((r) => {
                    const agreement = r.agreement ?? r.precision;
                    return (
                      <li key={r.rule}>
                        {r.rule}
                        {agreement != null && (
                          <span class="muted">
                            {' '}
                            — {fmtPct(agreement)} of shoppers matching it are in the segment
                          </span>
                        )}
                        {r.coverage != null && (
                          <span class="muted">; covers {fmtPct(r.coverage)} of the segment</span>
                        )}
                      </li>
                    );
                  })}
                </ul>
                {profile.rulesAgreement !== undefined && (
                  <p class="muted small">
                    Rules agree with the clustering for {fmtPct(profile.rulesAgreement)} of buyers.
                  </p>
                )}
                <h2>Predicted value</h2>
                <ValueChart profile={profile} />
              </section>
            </div>
            {profile.topProducts.length > 0 && (
              <DataTable
                caption="Top products"
                testId="top-products"
                head={['Product', 'Category', 'Buyers in the segment']}
                rows={profile.topProducts.map((p) => [p.productId, p.category ?? '—', fmtInt(p.buyers)])}
              />
            )}
            <section aria-labelledby="policy-title">
              <h2 id="policy-title">Policy</h2>
              <PolicySummary policy={profile.policy} source={profile.policySource} />
              <PolicyEditor
                session={session}
                segmentId={profile.segmentId}
                policy={profile.policy}
                source={profile.policySource}
                onSaved={() => {
                  reload();
                  setChanges((n) => n + 1);
                }}
              />
            </section>
            <LiftPanel api={session.api} id={profile.segmentId} refresh={changes} />
            <Members api={session.api} id={profile.segmentId} />
          </section>
        );
      }}
    </Show>
  );
};
