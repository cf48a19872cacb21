/** One shopper: find by id; profile figures, current segment and why, predictions, recommendations, history. */
import { useEffect, useState } from 'preact/hooks';
import { type Api, enc } from '../api';
import { featureLabel, fmtDateTime, fmtFeature, fmtInt, fmtMoney, fmtNum, fmtPct } from '../format';
import type { Session } from '../session';
import type { History, Recommendation, ShopperProfile, ShopperSegment } from '../types';
import { Bar, DataTable, ErrorBox, Show, Stat, useAsync } from '../ui';
import { PolicySummary } from './overview';

/** The segment lookup may fail on its own (no model yet): the profile still shows. */
const settle = <T,>(p: Promise<T>): Promise<T | Error> => p.catch((e: Error) => e);

const loadShopper = async (api: Api, id: string) => {
  const [profile, segment, history] = await Promise.all([
    api.get<ShopperProfile>(`/v1/users/${enc(id)}/profile`),
    settle(api.get<ShopperSegment>(`/v1/users/${enc(id)}/segment?recommendations=10&buyAgain=10`)),
    settle(api.get<History>(`/v1/users/${enc(id)}/history`)),
  ]);
  return { profile, segment, history };
};

const Products = ({
  caption,
  items,
  testId,
}: {
  caption: string;
  items: readonly Recommendation[];
  testId: string;
}) =>
  items.length === 0 ? (
    <p class="muted">{caption}: none.</p>
  ) : (
    <DataTable
      caption={caption}
      testId={testId}
      head={['Product', 'Category', 'Why', 'Score']}
      rows={items.map((r) => [r.productId, r.category ?? '—', r.reason, `${fmtNum(r.score * 100)}%`])}
    />
  );

const SegmentPanel = ({ s }: { s: ShopperSegment }) => {
  const p = s.predictions;
  return (
    <section aria-labelledby="shopper-segment-title" data-testid="shopper-segment">
      <h2 id="shopper-segment-title">
        In{' '}
        <a href={`#/segments/${enc(s.segment.id)}`} data-field="segment" data-value={s.segment.id}>
          {s.segment.name}
        </a>
      </h2>
      <p class="muted">
        Since {fmtDateTime(s.since)}
        {s.confidence !== null && `, confidence ${fmtPct(s.confidence)}`} (model <code>{s.modelVersion}</code>
        ).
      </p>
      <p>{s.segment.description}</p>
      <h3>Why: this shopper against the segment's typical member</h3>
      <ul class="features" data-testid="shopper-features">
        {s.features.map((f) => {
          const top = Math.max(Math.abs(f.value), Math.abs(f.typical)) || 1;
          return (
            <li key={f.feature} data-feature={f.feature}>
              <span class="feature-name">{featureLabel(f.feature)}</span>
              <Bar
                fraction={Math.abs(f.value) / top}
                tone="a"
                label={`This shopper: ${fmtFeature(f.feature, f.value, p?.currency)}`}
              />
              <Bar
                fraction={Math.abs(f.typical) / top}
                tone="b"
                label={`Typical: ${fmtFeature(f.feature, f.typical, p?.currency)}`}
              />
            </li>
          );
        })}
      </ul>
      {p && (
        <>
          <h3>Predictions</h3>
          <dl class="stats">
            {p.pAlive !== null && (
              <Stat label="Chance still active" field="pAlive" value={p.pAlive}>
                {fmtPct(p.pAlive)}
              </Stat>
            )}
            {p.expectedOrders !== null && (
              <Stat
                label={`Expected orders, next ${p.horizonDays} days`}
                field="expectedOrders"
                value={p.expectedOrders}
              >
                {fmtNum(p.expectedOrders)}
              </Stat>
            )}
            {p.predictedValue !== null && (
              <Stat
                label={`Predicted ${p.valueMonths}-month value`}
                field="predictedValue"
                value={p.predictedValue}
              >
                {fmtMoney(p.predictedValue, p.currency)}
              </Stat>
            )}
          </dl>
          {p.outlook && <p class="notice">Outlook: {p.outlook}</p>}
          {p.reason && <p class="muted">{p.reason}</p>}
        </>
      )}
      <h3>Policy</h3>
      <PolicySummary policy={s.policy} source="" />
      <div class="columns">
        <Products caption="Recommended products" items={s.recommendations ?? []} testId="recommendations" />
        <Products caption="Buy again" items={s.buyAgain ?? []} testId="buy-again" />
      </div>
    </section>
  );
};

export const ShopperView = ({ session, id }: { session: Session; id: string | null }) => {
  const [query, setQuery] = useState(id ?? '');
  useEffect(() => setQuery(id ?? ''), [id]);
  const [loaded] = useAsync(() => (id ? loadShopper(session.api, id) : Promise.resolve(null)), [session, id]);
  return (
    <section aria-labelledby="shopper-title">
      <h1 id="shopper-title">Shopper</h1>
      <form
        class="search"
        onSubmit={(e) => {
          e.preventDefault();
          if (query.trim()) location.hash = `#/shoppers/${enc(query.trim())}`;
        }}
      >
        <label for="shopper-id">Shopper id</label>
        <input
          id="shopper-id"
          type="search"
          value={query}
          onInput={(e) => setQuery((e.target as HTMLInputElement).value)}
          placeholder="e.g. demo-user-0006"
        />
        <button type="submit">Find</button>
      </form>
      {id && (
        <Show value={loaded} what="the shopper">
          {(v) => {
            if (!v) return null;
            const { profile, segment, history } = v;
            return (
              <div data-testid="shopper" data-shopper-id={profile.shopperId}>
                <h2>{profile.shopperId}</h2>
                <dl class="stats">
                  <Stat label="Orders" field="orders" value={profile.orders}>
                    {fmtInt(profile.orders)}
                  </Stat>
                  <Stat label="Revenue" field="revenue" value={profile.revenue}>
                    {fmtMoney(profile.revenue, profile.currency)}
                  </Stat>
                  <Stat
                    label="Average order"
                    field="aov"
                    value={profile.orders > 0 ? profile.revenue / profile.orders : 0}
                  >
                    {fmtMoney(profile.orders > 0 ? profile.revenue / profile.orders : 0, profile.currency)}
                  </Stat>
                  <Stat label="Refunds" field="refunds" value={profile.refunds}>
                    {fmtInt(profile.refunds)}
                  </Stat>
                  <Stat label="First order" field="firstOrderAt" value={profile.firstOrderAt}>
                    {fmtDateTime(profile.firstOrderAt)}
                  </Stat>
                  <Stat label="Last order" field="lastOrderAt" value={profile.lastOrderAt}>
                    {fmtDateTime(profile.lastOrderAt)}
                  </Stat>
                  <Stat label="Product views" field="productViews" value={profile.productViews}>
                    {fmtInt(profile.productViews)}
                  </Stat>
                  <Stat label="Cart adds" field="cartAdds" value={profile.cartAdds}>
                    {fmtInt(profile.cartAdds)}
                  </Stat>
                </dl>
                {profile.categories.length > 0 && (
                  <DataTable
                    caption="Categories"
                    head={['Category', 'Orders', 'Revenue']}
                    rows={profile.categories.map((c) => [
                      c.name,
                      fmtInt(c.orders),
                      fmtMoney(c.revenue, profile.currency),
                    ])}
                  />
                )}
                {segment instanceof Error ? (
                  <ErrorBox error={segment} what="the shopper's segment" />
                ) : (
                  <SegmentPanel s={segment} />
                )}
                <section aria-labelledby="history-title">
                  <h2 id="history-title">Segment history</h2>
                  {history instanceof Error ? (
                    <ErrorBox error={history} what="the history" />
                  ) : history.changes.length === 0 ? (
                    <p class="muted">No segment changes yet.</p>
                  ) : (
                    <ol class="timeline" data-testid="history">
                      {[...history.changes].reverse().map((c) => (
                        <li key={`${c.at}-${c.to?.id}`}>
                          <time dateTime={c.at}>{fmtDateTime(c.at)}</time>{' '}
                          {c.from ? `${c.from.name} → ` : 'Entered '}
                          <strong>{c.to?.name ?? 'no segment'}</strong>{' '}
                          <span class="muted">
                            ({c.reason}, model <code>{c.modelVersion}</code>)
                          </span>
                        </li>
                      ))}
                    </ol>
                  )}
                </section>
              </div>
            );
          }}
        </Show>
      )}
    </section>
  );
};
