/**
 * "Does the policy pay?": each policy version's treatment against its holdout, from
 * GET /v1/segments/{id}/lift. The newest version in full (groups, conversion, orders and revenue
 * per shopper with their 95% intervals, p-values, the verdict in words); older ones as a compact
 * table. Verdicts are words first, colour second.
 */
import type { Api } from '../api';
import { enc } from '../api';
import {
  fmtCents,
  fmtCentsInterval,
  fmtCoupon,
  fmtDate,
  fmtInt,
  fmtLift,
  fmtLiftInterval,
  fmtNum2,
  fmtPct,
  fmtPts,
  fmtPtsInterval,
  fmtPValue,
  fmtRate,
} from '../format';
import type { LiftComparison, LiftGroup, SegmentLift, VersionLift } from '../types';
import { Show, useAsync } from '../ui';

const hasHoldout = (v: VersionLift) => v.holdoutShare > 0 && v.groups !== null;

/** The verdict on conversion in plain words. */
export const verdictText = (v: VersionLift): string => {
  if (!hasHoldout(v)) return 'No holdout: set a holdout share in the policy to measure it';
  const verdict = v.verdict;
  switch (verdict.kind) {
    case 'significant':
      return verdict.direction === 'positive'
        ? 'Significant: the policy helps'
        : 'Significant: the policy hurts';
    case 'not_yet':
      return `Not yet: about ${fmtInt(verdict.neededPerGroup)} shoppers per group needed`;
    default:
      return `Inconclusive: ${verdict.reason}`;
  }
};

const verdictTone = (v: VersionLift): string =>
  !hasHoldout(v)
    ? 'none'
    : v.verdict.kind === 'significant'
      ? v.verdict.direction
      : v.verdict.kind === 'not_yet'
        ? 'pending'
        : 'none';

const windowText = (v: VersionLift) =>
  `${fmtDate(v.window.from)} to ${v.window.active ? 'now (in force)' : fmtDate(v.window.to)}`;

const policyText = (v: VersionLift) =>
  v.policy
    ? `${v.policy.action} by ${v.policy.channel}, ${fmtCoupon(v.policy.coupon)}`
    : 'the default policy';

const Verdict = ({ version }: { version: VersionLift }) => {
  const tone = verdictTone(version);
  return (
    <p class={`verdict verdict-${tone}`} data-field="verdict" data-kind={version.verdict.kind}>
      {tone === 'negative' && <span aria-hidden="true">⚠ </span>}
      <span data-field="verdict-text">{verdictText(version)}</span>
      {version.underperforming && (
        <strong class="badge badge-warn" data-testid="underperforming">
          Underperforming
        </strong>
      )}
    </p>
  );
};

/** A cell with the raw value it was written from, for tests and copy-paste. */
const Cell = ({ field, value, text }: { field: string; value: number | null | undefined; text: string }) => (
  <span
    data-field={field}
    {...(value === null || value === undefined ? {} : { 'data-value': String(value) })}
  >
    {text}
  </span>
);

type Metric = {
  readonly key: 'conversion' | 'ordersPerShopper' | 'revenuePerShopper';
  readonly label: string;
  readonly group: (g: LiftGroup) => number | null;
  readonly value: (n: number) => string;
  readonly difference: (c: LiftComparison) => string;
};

const metrics = (currency: string): readonly Metric[] => [
  {
    key: 'conversion',
    label: 'Conversion (ordered at least once)',
    group: (g) => g.conversionRate,
    value: fmtRate,
    difference: (c) => `${fmtPts(c.difference)} ${fmtPtsInterval(c.interval)}`,
  },
  {
    key: 'ordersPerShopper',
    label: 'Orders per shopper',
    group: (g) => g.ordersPerShopper,
    value: fmtNum2,
    difference: (c) =>
      `${c.difference > 0 ? '+' : ''}${fmtNum2(c.difference)} (${fmtNum2(c.interval[0])} to ${fmtNum2(c.interval[1])})`,
  },
  {
    key: 'revenuePerShopper',
    label: `Revenue per shopper (${currency}, net of refunds)`,
    group: (g) => g.revenuePerShopper,
    value: (n) => fmtCents(n, currency),
    difference: (c) => `${fmtCents(c.difference, currency, true)} ${fmtCentsInterval(c.interval, currency)}`,
  },
];

const VersionDetail = ({ version, currency }: { version: VersionLift; currency: string }) => {
  const groups = version.groups;
  return (
    <article
      class="lift-version"
      data-testid="lift-version"
      data-version={version.version}
      aria-labelledby={`lift-${version.version}`}
    >
      <h3 id={`lift-${version.version}`}>
        {version.window.active ? 'Current policy version' : 'Latest policy version'}{' '}
        <code>{version.version}</code>
      </h3>
      <dl class="stats">
        <div class="stat">
          <dt>In force</dt>
          <dd data-field="window">{windowText(version)}</dd>
        </div>
        <div class="stat">
          <dt>Holdout share</dt>
          <dd data-field="holdoutShare" data-value={String(version.holdoutShare)}>
            {version.holdoutShare > 0 ? fmtPct(version.holdoutShare) : 'off'}
          </dd>
        </div>
        <div class="stat">
          <dt>Policy</dt>
          <dd>{policyText(version)}</dd>
        </div>
      </dl>
      <Verdict version={version} />
      {version.sampled && groups && (
        <p class="notice" data-testid="lift-sampled">
          Figures from a uniform sample of {fmtInt(groups.treatment.shoppers + groups.holdout.shoppers)}{' '}
          shoppers.
        </p>
      )}
      {groups && (
        <div class="table-wrap">
          <table data-testid="lift-table">
            <caption>Treatment (offered the policy) against holdout (offered nothing)</caption>
            <thead>
              <tr>
                <th scope="col">Measure</th>
                <th scope="col">Treatment</th>
                <th scope="col">Holdout</th>
                <th scope="col">Difference (95% interval)</th>
                <th scope="col">Relative lift (95% interval)</th>
                <th scope="col">p-value</th>
              </tr>
            </thead>
            <tbody>
              <tr data-metric="shoppers">
                <th scope="row">Shoppers</th>
                {(['treatment', 'holdout'] as const).map((g) => (
                  <td key={g}>
                    <Cell
                      field={`${g}-shoppers`}
                      value={groups[g].shoppers}
                      text={fmtInt(groups[g].shoppers)}
                    />
                  </td>
                ))}
                <td>—</td>
                <td>—</td>
                <td>—</td>
              </tr>
              {metrics(currency).map((m) => {
                const c = version[m.key];
                return (
                  <tr key={m.key} data-metric={m.key}>
                    <th scope="row">{m.label}</th>
                    {(['treatment', 'holdout'] as const).map((g) => {
                      const value = m.group(groups[g]);
                      return (
                        <td key={g}>
                          <Cell
                            field={`${g}-${m.key}`}
                            value={value}
                            text={value === null ? '—' : m.value(value)}
                          />
                        </td>
                      );
                    })}
                    <td>
                      <Cell
                        field={`${m.key}-difference`}
                        value={c?.difference}
                        text={c ? m.difference(c) : '—'}
                      />
                    </td>
                    <td>
                      <Cell
                        field={`${m.key}-relative`}
                        value={c?.relativeLift}
                        text={
                          c?.relativeLift == null
                            ? '—'
                            : `${fmtLift(c.relativeLift)}${c.relativeInterval ? ` ${fmtLiftInterval(c.relativeInterval)}` : ''}`
                        }
                      />
                    </td>
                    <td>
                      <Cell field={`${m.key}-p`} value={c?.pValue} text={c ? fmtPValue(c.pValue) : '—'} />
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
    </article>
  );
};

const OlderVersions = ({ versions }: { versions: readonly VersionLift[] }) => (
  <details class="lift-older">
    <summary>Older policy versions ({fmtInt(versions.length)})</summary>
    <div class="table-wrap">
      <table data-testid="lift-older">
        <caption>Older policy versions, newest first</caption>
        <thead>
          <tr>
            <th scope="col">Version</th>
            <th scope="col">In force</th>
            <th scope="col">Holdout share</th>
            <th scope="col">Shoppers (treatment / holdout)</th>
            <th scope="col">Conversion (treatment / holdout)</th>
            <th scope="col">Difference (95% interval)</th>
            <th scope="col">Verdict</th>
          </tr>
        </thead>
        <tbody>
          {versions.map((v) => (
            <tr key={v.version} data-version={v.version}>
              <th scope="row">
                <code>{v.version}</code>
              </th>
              <td>{windowText(v)}</td>
              <td>{v.holdoutShare > 0 ? fmtPct(v.holdoutShare) : 'off'}</td>
              <td>
                {v.groups
                  ? `${fmtInt(v.groups.treatment.shoppers)} / ${fmtInt(v.groups.holdout.shoppers)}`
                  : '—'}
              </td>
              <td>
                {v.groups
                  ? [v.groups.treatment, v.groups.holdout]
                      .map((g) => (g.conversionRate === null ? '—' : fmtRate(g.conversionRate)))
                      .join(' / ')
                  : '—'}
              </td>
              <td>
                {v.conversion
                  ? `${fmtPts(v.conversion.difference)} ${fmtPtsInterval(v.conversion.interval)}`
                  : '—'}
              </td>
              <td>
                <Verdict version={v} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  </details>
);

export const LiftPanel = ({ api, id, refresh }: { api: Api; id: string; refresh: number }) => {
  const [lift] = useAsync(() => api.get<SegmentLift>(`/v1/segments/${enc(id)}/lift`), [api, id, refresh]);
  return (
    <section aria-labelledby="lift-title" data-testid="lift" class="lift">
      <h2 id="lift-title">Does the policy pay?</h2>
      <Show value={lift} what="the policy's lift">
        {(l) => {
          const [latest, ...older] = l.versions;
          return (
            <div data-testid="lift-report" data-versions={String(l.versions.length)}>
              <p class="muted small">
                Shoppers first looked up under each policy version, treatment against a holdout that is
                offered nothing; an order from then to the end of the version's window counts as a conversion.
                Differences with their 95% intervals.
              </p>
              {latest ? (
                <VersionDetail version={latest} currency={l.currency} />
              ) : (
                <p data-testid="lift-empty">
                  No policy version to measure yet: save a policy with a holdout share to start one.
                </p>
              )}
              {older.length > 0 && <OlderVersions versions={older} />}
            </div>
          );
        }}
      </Show>
    </section>
  );
};
