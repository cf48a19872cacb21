/** Retrain runs: outcome and reason, K, quality, stability, drift per feature, evaluation against the baseline. */
import { useState } from 'preact/hooks';
import { enc } from '../api';
import { featureLabel, fmtDateTime, fmtInt, fmtNum2, fmtPct } from '../format';
import type { Session } from '../session';
import type { Model, ModelsList, RetrainRun } from '../types';
import { Bar, DataTable, Show, Stat, useAsync } from '../ui';

const n2 = (x: number | null | undefined) => (x === null || x === undefined ? '—' : fmtNum2(x));

const RunDetail = ({ session, run }: { session: Session; run: RetrainRun }) => {
  const [model] = useAsync(
    () =>
      run.modelVersion
        ? session.api.get<Model>(`/v1/models/${enc(run.modelVersion)}`)
        : Promise.resolve(null),
    [session, run.modelVersion],
  );
  const metrics = run.metrics;
  const selection = metrics?.selection;
  const drift = run.drift;
  const maxPsi = drift ? Math.max(0.25, ...Object.values(drift.features)) : 1;
  return (
    <section aria-labelledby="run-title" data-testid="run-detail" data-run-id={run.runId}>
      <h2 id="run-title">
        Run {run.runId}: {run.outcome}
      </h2>
      <p>{run.reason}</p>
      <dl class="stats">
        <Stat label="K" field="k" value={run.k}>
          {run.k ?? '—'}
        </Stat>
        <Stat label="Silhouette" field="silhouette" value={metrics?.silhouette}>
          {n2(metrics?.silhouette)}
        </Stat>
        <Stat label="Davies–Bouldin" field="daviesBouldin" value={metrics?.daviesBouldin}>
          {n2(metrics?.daviesBouldin)}
        </Stat>
        <Stat label="Rules agreement" field="rulesAgreement" value={metrics?.rulesAgreement}>
          {metrics ? fmtPct(metrics.rulesAgreement) : '—'}
        </Stat>
        <Stat label="Stability (ARI)" field="ari" value={run.stability?.ari}>
          {n2(run.stability?.ari)}
        </Stat>
        <Stat label="Shoppers reassigned" field="reassigned" value={run.reassigned?.shoppers}>
          {run.reassigned
            ? `${fmtInt(run.reassigned.shoppers)} (${fmtInt(run.reassigned.changed)} changed)`
            : '—'}
        </Stat>
      </dl>
      {selection?.baseline && selection.chosen && (
        <DataTable
          caption={`Evaluation: backtest over ${fmtInt(selection.shoppers ?? 0)} shoppers, ${selection.horizonDays ?? '?'} days ahead`}
          testId="evaluation"
          head={['', 'AUC (who buys again)', 'η² (spend explained)']}
          rows={[
            [
              `Chosen: K = ${selection.chosen.k}, ${selection.chosen.features.map(featureLabel).join(', ')}`,
              n2(selection.chosen.auc),
              n2(selection.chosen.etaSquared),
            ],
            ['Baseline: RFM score grid', n2(selection.baseline.auc), n2(selection.baseline.etaSquared)],
          ]}
        />
      )}
      {selection?.features && (
        <details>
          <summary>Features tried</summary>
          <ul>
            {selection.features.map((f) => (
              <li key={f.feature}>
                <strong>{featureLabel(f.feature)}</strong>: {f.used ? 'used' : 'not used'} — {f.reason}
              </li>
            ))}
          </ul>
        </details>
      )}
      <h3>Drift per feature (PSI; 0.25 and above is a shift)</h3>
      {drift ? (
        <ul class="features" data-testid="drift">
          {Object.entries(drift.features).map(([feature, psi]) => (
            <li key={feature} data-feature={feature}>
              <span class="feature-name">{featureLabel(feature)}</span>
              <Bar fraction={psi / maxPsi} tone={psi >= 0.25 ? 'b' : 'a'} label={fmtNum2(psi)} />
            </li>
          ))}
        </ul>
      ) : (
        <p class="muted">No drift figures: a first model has nothing to compare with.</p>
      )}
      <Show value={model} what="the model">
        {(m) =>
          m && (
            <DataTable
              caption={`Segments of ${m.version}`}
              head={['Segment', 'Shoppers', 'Share']}
              rows={[
                ...m.segments.map((s) => [s.name, fmtInt(s.size), fmtPct(s.share)]),
                ['Prospects', fmtInt(m.prospects.size), fmtPct(m.prospects.share)],
              ]}
            />
          )
        }
      </Show>
    </section>
  );
};

export const ModelsView = ({ session }: { session: Session }) => {
  const [list] = useAsync(() => session.api.get<ModelsList>('/v1/models'), [session]);
  const [selected, setSelected] = useState<string | null>(null);
  return (
    <section aria-labelledby="models-title">
      <h1 id="models-title">Models</h1>
      <Show value={list} what="the retrain runs">
        {(l) => {
          const run = l.runs.find((r) => r.runId === selected) ?? l.runs[0];
          return (
            <div data-testid="models" data-current={l.current ?? ''}>
              <p>
                Serving <code>{l.current ?? 'no model yet'}</code>.
              </p>
              <div class="table-wrap">
                <table data-testid="runs">
                  <caption>Retrain runs, newest first</caption>
                  <thead>
                    <tr>
                      <th scope="col">Started</th>
                      <th scope="col">Trigger</th>
                      <th scope="col">Outcome</th>
                      <th scope="col">Reason</th>
                      <th scope="col">K</th>
                      <th scope="col">Silhouette</th>
                      <th scope="col">ARI</th>
                      <th scope="col">Max drift</th>
                    </tr>
                  </thead>
                  <tbody>
                    {l.runs.map((r) => (
                      <tr key={r.runId} data-run-id={r.runId} aria-selected={r === run ? 'true' : undefined}>
                        <th scope="row">
                          <button
                            type="button"
                            class="link"
                            onClick={() => setSelected(r.runId)}
                            aria-pressed={r === run}
                          >
                            {fmtDateTime(r.startedAt)}
                          </button>
                        </th>
                        <td>{r.trigger}</td>
                        <td>
                          <span class={`badge ${r.outcome}`}>{r.outcome}</span>
                        </td>
                        <td>{r.reason}</td>
                        <td data-field="k">{r.k ?? '—'}</td>
                        <td>{n2(r.metrics?.silhouette)}</td>
                        <td>{n2(r.stability?.ari)}</td>
                        <td>{n2(r.drift?.maxFeaturePsi)}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
              {run && <RunDetail session={session} run={run} />}
            </div>
          );
        }}
      </Show>
    </section>
  );
};
