/** Overview: one card per segment, the totals, prospects apart, and the population as one bar. */
import { fmtCoupon, fmtDateTime, fmtDays, fmtInt, fmtMoney, fmtNum, fmtPct } from '../format';
import type { Session } from '../session';
import type { Catalogue, Policy, SegmentSummary } from '../types';
import { PALETTE, Show, Stat, useAsync } from '../ui';

export const PROSPECTS_ID = 'prospects';

const METRIC_NAMES: Readonly<Record<string, string>> = {
  conversion: 'Conversion',
  revenuePerShopper: 'Revenue per shopper',
};

export const PolicySummary = ({ policy, source }: { policy: Policy; source: string }) => (
  <div class="policy" data-field="policy">
    <span class="policy-action" data-field="policy-action">
      {policy.action}
    </span>{' '}
    by <span data-field="policy-channel">{policy.channel}</span>, {fmtCoupon(policy.coupon)}, priority{' '}
    {policy.priority}
    {policy.holdout && policy.holdout.share > 0 && (
      <>
        , holdout <span data-field="policy-holdout">{fmtPct(policy.holdout.share)}</span>
      </>
    )}
    {source === 'override' ? ' (set by an operator)' : ' (default)'}
    <p class="muted">{policy.message}</p>
  </div>
);

/** Recency, orders and spend a typical member has: the medians when the service gives them, else the centroid. */
const typicalOf = (s: SegmentSummary) =>
  s.typical
    ? {
        recency: s.typical.recencyDays,
        orders: s.typical.orders365,
        spend: s.typical.spend365,
        basis: 'median',
      }
    : s.centroid.recencyDays !== undefined
      ? {
          recency: s.centroid.recencyDays,
          orders: s.centroid.frequency365 ?? 0,
          spend: s.centroid.monetary365 ?? 0,
          basis: 'centre',
        }
      : null;

const SegmentCard = ({
  segment,
  currency,
  index,
}: {
  segment: SegmentSummary;
  currency: string;
  index: number;
}) => {
  const typical = typicalOf(segment);
  const value = segment.forecast?.predictedValue;
  return (
    <article
      class="card"
      data-testid="segment-card"
      data-segment-id={segment.id}
      aria-labelledby={`card-${segment.id}`}
    >
      <h3 id={`card-${segment.id}`}>
        <span
          class={`swatch${segment.id === PROSPECTS_ID ? ' prospects' : ''}`}
          style={segment.id === PROSPECTS_ID ? undefined : { background: PALETTE[index % PALETTE.length] }}
          aria-hidden="true"
        />
        <a href={`#/segments/${encodeURIComponent(segment.id)}`}>{segment.name}</a>
      </h3>
      <p class="description">{segment.description.split('. ')[0]?.replace(/\.$/, '')}.</p>
      <dl class="stats">
        <Stat label="Shoppers" field="size" value={segment.size}>
          {fmtInt(segment.size)}
        </Stat>
        <Stat label="Share of shoppers" field="share" value={segment.share}>
          {fmtPct(segment.share)}
        </Stat>
        {segment.revenueShare !== undefined && segment.revenueShare !== null && (
          <Stat label="Share of revenue" field="revenueShare" value={segment.revenueShare}>
            {fmtPct(segment.revenueShare)}
          </Stat>
        )}
        {typical && (
          <>
            <Stat label={`Last order (${typical.basis})`} field="recency" value={typical.recency}>
              {fmtDays(typical.recency)} ago
            </Stat>
            <Stat label="Orders a year" field="frequency" value={typical.orders}>
              {fmtNum(typical.orders)}
            </Stat>
            <Stat label="Spend a year" field="spend" value={typical.spend}>
              {fmtMoney(typical.spend, currency)}
            </Stat>
          </>
        )}
        {value !== undefined && value !== null && (
          <Stat label="Predicted 12-month value" field="predictedValue" value={value}>
            {fmtMoney(value, currency)}
          </Stat>
        )}
      </dl>
      <PolicySummary policy={segment.policy} source={segment.policySource} />
      {segment.policyFlag?.kind === 'underperforming' && (
        <p class="flag" data-testid="policy-flag" data-version={segment.policyFlag.version}>
          <strong class="badge badge-warn">
            <span aria-hidden="true">⚠ </span>Policy underperforming
          </strong>{' '}
          <span class="small">
            {segment.policyFlag.metrics.map((m) => METRIC_NAMES[m] ?? m).join(' and ')} below its holdout
            (checked {fmtDateTime(segment.policyFlag.checkedAt)}).{' '}
            <a href={`#/segments/${encodeURIComponent(segment.id)}`}>See the lift</a>
          </span>
        </p>
      )}
    </article>
  );
};

export const OverviewView = ({ session }: { session: Session }) => {
  const [catalogue] = useAsync(() => session.api.get<Catalogue>('/v1/segments'), [session]);
  return (
    <section aria-labelledby="overview-title">
      <h1 id="overview-title">Segments</h1>
      <Show value={catalogue} what="the segments">
        {(c) => {
          const currency = c.currency ?? 'USD';
          const clusters = c.segments.filter((s) => s.id !== PROSPECTS_ID);
          const prospects = c.segments.find((s) => s.id === PROSPECTS_ID);
          const buyers = c.totals?.buyers ?? clusters.reduce((n, s) => n + s.size, 0);
          const shoppers = c.totals?.shoppers ?? buyers + (prospects?.size ?? 0);
          const totalValue = clusters.reduce((n, s) => n + (s.forecast?.predictedValue ?? 0) * s.size, 0);
          return (
            <div data-testid="overview" data-model-version={c.modelVersion}>
              <p class="muted">
                Model <code>{c.modelVersion}</code>, trained on data as of {fmtDateTime(c.asOf)}.
              </p>
              <dl class="stats totals" data-testid="totals">
                <Stat label="Shoppers" field="shoppers" value={shoppers}>
                  {fmtInt(shoppers)}
                </Stat>
                <Stat label="Buyers" field="buyers" value={buyers}>
                  {fmtInt(buyers)}
                </Stat>
                <Stat label="Prospects" field="prospects" value={prospects?.size ?? 0}>
                  {fmtInt(prospects?.size ?? 0)}
                </Stat>
                <Stat label="Segments" field="segments" value={clusters.length}>
                  {fmtInt(clusters.length)}
                </Stat>
                {totalValue > 0 && (
                  <Stat
                    label="Predicted 12-month value, all buyers"
                    field="totalValue"
                    value={Math.round(totalValue)}
                  >
                    {fmtMoney(totalValue, currency)}
                  </Stat>
                )}
              </dl>
              <div
                class="share-bar"
                role="img"
                aria-label={`Shoppers by segment: ${c.segments.map((s) => `${s.name} ${fmtPct(s.share)}`).join(', ')}`}
              >
                {c.segments.map((s, i) => (
                  <div
                    key={s.id}
                    class={s.id === PROSPECTS_ID ? 'prospects' : ''}
                    style={{
                      flexGrow: s.size,
                      background: s.id === PROSPECTS_ID ? undefined : PALETTE[i % PALETTE.length],
                    }}
                    title={`${s.name}: ${fmtPct(s.share)}`}
                  />
                ))}
              </div>
              <h2>Buyers by segment</h2>
              <div class="cards">
                {clusters.map((s, i) => (
                  <SegmentCard key={s.id} segment={s} currency={currency} index={i} />
                ))}
              </div>
              {prospects && (
                <>
                  <h2>Prospects</h2>
                  <div class="cards">
                    <SegmentCard segment={prospects} currency={currency} index={clusters.length} />
                  </div>
                </>
              )}
            </div>
          );
        }}
      </Show>
    </section>
  );
};
