/**
 * Segment sizes across model versions, by stable segment id, and where shoppers moved between the
 * last two models. From GET /v1/segments-over-time; an older service without it: from the retrain
 * runs (GET /v1/models: each promoted run's reassignment counts) and the models themselves.
 */
import { useMemo } from 'preact/hooks';
import { type Api, ApiError, enc } from '../api';
import { fmtDate, fmtInt, fmtPct } from '../format';
import type { Session } from '../session';
import type { Model, ModelsList, OverTime } from '../types';
import { Chart, DataTable, PALETTE, Show, useAsync } from '../ui';

const PROSPECTS_ID = 'prospects';

/** The same answer from the runs and models an older service has. */
const overTimeFromModels = async (api: Api, limit: number): Promise<OverTime> => {
  const list = await api.get<ModelsList>('/v1/models');
  const promoted = list.runs.filter((r) => r.outcome === 'promoted' && r.modelVersion).slice(0, limit);
  const models = await Promise.all(
    promoted.map((r) => api.get<Model>(`/v1/models/${enc(r.modelVersion ?? '')}`)),
  );
  const entries = promoted.map((run, i) => {
    const model = models[i] as Model;
    const counts = run.reassigned?.segments;
    const named = [
      ...model.segments.map((s) => ({ id: s.id, name: s.name, size: s.size })),
      { id: PROSPECTS_ID, name: 'Prospects', size: model.prospects.size },
    ];
    const sized = named.map((s) => ({ ...s, size: counts?.[s.id] ?? s.size }));
    const total = sized.reduce((n, s) => n + s.size, 0);
    return {
      version: model.version,
      trainedAt: model.createdAt,
      asOf: model.asOf,
      sequence: model.sequence ?? null,
      segments: sized.map((s) => ({ ...s, share: total > 0 ? s.size / total : 0 })),
    };
  });
  const current = models[0];
  const migration = current?.stability
    ? {
        from: promoted[1]?.modelVersion ?? '',
        to: current.version,
        cells: Object.entries(current.stability.migration).flatMap(([from, row]) =>
          Object.entries(row).map(([to, shoppers]) => ({ from, to, shoppers })),
        ),
      }
    : null;
  return { models: entries.reverse(), migration };
};

export const loadOverTime = async (api: Api, limit = 20): Promise<OverTime> => {
  try {
    return await api.get<OverTime>(`/v1/segments-over-time?limit=${limit}`);
  } catch (e) {
    if (e instanceof ApiError && (e.status === 404 || e.status === 405))
      return overTimeFromModels(api, limit);
    throw e;
  }
};

const SizesChart = ({ data }: { data: OverTime }) => {
  const { series, names } = useMemo(() => {
    const names = new Map<string, string>();
    for (const m of data.models) for (const s of m.segments) names.set(s.id, s.name);
    return { names, series: [...names.keys()] };
  }, [data]);
  const chart = useMemo(() => {
    const xs = data.models.map((_, i) => i + 1);
    const ys = series.map((id) => data.models.map((m) => m.segments.find((s) => s.id === id)?.size ?? null));
    return {
      data: [xs, ...ys] as unknown as [number[], ...(number | null)[][]],
      options: {
        height: 280,
        scales: { x: { time: false } },
        legend: { live: false },
        axes: [
          {
            label: 'Model',
            splits: () => xs,
            values: (_u: unknown, ticks: number[]) => ticks.map((t) => (Number.isInteger(t) ? `#${t}` : '')),
          },
          { label: 'Shoppers' },
        ],
        series: [
          { label: 'Model' },
          ...series.map((id, i) => ({
            label: names.get(id) ?? id,
            stroke: PALETTE[i % PALETTE.length],
            width: 2,
            points: { show: true, size: 7 },
            dash: id === PROSPECTS_ID ? [6, 4] : undefined,
          })),
        ],
      },
    };
  }, [data, series, names]);
  return (
    <figure>
      <Chart
        data={chart.data}
        options={chart.options}
        label={`Segment sizes across the last ${data.models.length} models`}
      />
      <details>
        <summary>Data table</summary>
        <DataTable
          caption="Shoppers per segment and model"
          testId="sizes-table"
          head={['Model', 'Trained', ...series.map((id) => names.get(id) ?? id)]}
          rows={data.models.map((m, i) => [
            `#${i + 1} ${m.version}`,
            fmtDate(m.trainedAt),
            ...series.map((id) => {
              const s = m.segments.find((x) => x.id === id);
              return s ? `${fmtInt(s.size)} (${fmtPct(s.share)})` : '—';
            }),
          ])}
        />
      </details>
    </figure>
  );
};

const MigrationMatrix = ({ data }: { data: OverTime }) => {
  const m = data.migration;
  if (!m) return <p class="muted">No migration yet: it needs two models.</p>;
  const names = new Map<string, string>();
  for (const model of data.models) for (const s of model.segments) names.set(s.id, s.name);
  const froms = [...new Set(m.cells.map((c) => c.from))].sort();
  const tos = [...new Set(m.cells.map((c) => c.to))].sort();
  const max = Math.max(1, ...m.cells.map((c) => c.shoppers));
  const cell = (from: string, to: string) =>
    m.cells.find((c) => c.from === from && c.to === to)?.shoppers ?? 0;
  return (
    <div class="table-wrap">
      <table class="matrix" data-testid="migration">
        <caption>
          Shoppers moving from <code>{m.from}</code> (rows) to <code>{m.to}</code> (columns)
        </caption>
        <thead>
          <tr>
            <th scope="col">From \ To</th>
            {tos.map((to) => (
              <th scope="col" key={to}>
                {names.get(to) ?? to}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {froms.map((from) => (
            <tr key={from}>
              <th scope="row">{names.get(from) ?? from}</th>
              {tos.map((to) => {
                const n = cell(from, to);
                const level = n / max;
                return (
                  <td
                    key={to}
                    data-from={from}
                    data-to={to}
                    data-value={n}
                    // Tints of blue under dark text: every level keeps a contrast above 7:1.
                    style={{
                      background:
                        n > 0 ? `rgba(31, 95, 191, ${(0.08 + level * 0.42).toFixed(3)})` : undefined,
                    }}
                  >
                    {fmtInt(n)}
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
};

export const OverTimeView = ({ session }: { session: Session }) => {
  const [loaded] = useAsync(() => loadOverTime(session.api), [session]);
  return (
    <section aria-labelledby="over-time-title">
      <h1 id="over-time-title">Segments over time</h1>
      <Show value={loaded} what="the segments over time">
        {(data) => (
          <div data-testid="over-time" data-models={data.models.length}>
            <h2>Segment sizes by model</h2>
            <SizesChart data={data} />
            <h2>Migration between the last two models</h2>
            <MigrationMatrix data={data} />
          </div>
        )}
      </Show>
    </section>
  );
};
