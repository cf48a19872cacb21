/** Small shared pieces: loading and error states, figures, bars, the uPlot wrapper. */
import type { ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import uPlot from 'uplot';
import { ApiError } from './api';

export type Async<T> =
  | { readonly state: 'loading' }
  | { readonly state: 'error'; readonly error: ApiError | Error }
  | { readonly state: 'done'; readonly value: T };

/** Runs `load` when a dependency changes; a stale answer never overwrites a newer one. */
export const useAsync = <T,>(load: () => Promise<T>, deps: readonly unknown[]): [Async<T>, () => void] => {
  const [result, setResult] = useState<Async<T>>({ state: 'loading' });
  const [tick, setTick] = useState(0);
  const refreshing = useRef(false);
  useEffect(() => {
    let live = true;
    // A refresh keeps what is shown until the new answer is there; new dependencies show loading.
    if (!refreshing.current) setResult({ state: 'loading' });
    refreshing.current = false;
    load().then(
      (value) => live && setResult({ state: 'done', value }),
      (error: Error) => live && setResult({ state: 'error', error }),
    );
    return () => {
      live = false;
    };
  }, [...deps, tick]);
  return [
    result,
    () => {
      refreshing.current = true;
      setTick((t) => t + 1);
    },
  ];
};

export const Loading = ({ what }: { what: string }) => (
  <p class="loading" role="status" aria-live="polite">
    Loading {what}…
  </p>
);

export const ErrorBox = ({ error, what }: { error: Error; what: string }) => (
  <div class="error" role="alert" data-testid="error">
    <strong>Could not load {what}.</strong>{' '}
    {error instanceof ApiError && error.code === 'no_model'
      ? 'No segmentation model has been trained yet: run a retrain, then reload.'
      : error.message}
  </div>
);

/** Renders an Async: loading, error or the content. */
export const Show = <T,>({
  value,
  what,
  children,
}: {
  value: Async<T>;
  what: string;
  children: (value: T) => ComponentChildren;
}) =>
  value.state === 'loading' ? (
    <Loading what={what} />
  ) : value.state === 'error' ? (
    <ErrorBox error={value.error} what={what} />
  ) : (
    children(value.value)
  );

/** A labelled figure; `value` is the raw number the text was written from (tests compare both). */
export const Stat = ({
  label,
  field,
  value,
  children,
}: {
  label: string;
  field: string;
  value?: number | string | null;
  children: ComponentChildren;
}) => (
  <div class="stat">
    <dt>{label}</dt>
    <dd
      data-field={field}
      {...(value === undefined || value === null ? {} : { 'data-value': String(value) })}
    >
      {children}
    </dd>
  </div>
);

/** A horizontal bar, `fraction` of the track, with its text beside it. */
export const Bar = ({
  fraction,
  tone = 'a',
  label,
}: {
  fraction: number;
  tone?: 'a' | 'b';
  label: string;
}) => (
  <div class="bar-row">
    <div class="bar-track" aria-hidden="true">
      <div class={`bar bar-${tone}`} style={{ width: `${Math.max(0, Math.min(1, fraction)) * 100}%` }} />
    </div>
    <span class="bar-label">{label}</span>
  </div>
);

export const PALETTE = [
  '#1f5fbf',
  '#c2410c',
  '#047857',
  '#7c3aed',
  '#b91c1c',
  '#0e7490',
  '#a16207',
  '#be185d',
  '#4d7c0f',
  '#475569',
];

/** A uPlot chart sized to its container; the figure is described in text and shown as a table too. */
export const Chart = ({
  options,
  data,
  label,
}: {
  options: Omit<uPlot.Options, 'width' | 'height'> & { height?: number };
  data: uPlot.AlignedData;
  label: string;
}) => {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const width = () => Math.max(240, Math.floor(el.clientWidth));
    const plot = new uPlot({ ...options, width: width(), height: options.height ?? 260 }, data, el);
    const observer = new ResizeObserver(() =>
      plot.setSize({ width: width(), height: options.height ?? 260 }),
    );
    observer.observe(el);
    return () => {
      observer.disconnect();
      plot.destroy();
    };
  }, [options, data]);
  return <div class="chart" ref={ref} role="img" aria-label={label} />;
};

export const DataTable = ({
  caption,
  head,
  rows,
  testId,
}: {
  caption: string;
  head: readonly string[];
  rows: readonly (readonly ComponentChildren[])[];
  testId?: string;
}) => (
  <div class="table-wrap">
    <table data-testid={testId}>
      <caption>{caption}</caption>
      <thead>
        <tr>
          {head.map((h) => (
            <th scope="col" key={h}>
              {h}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {rows.map((row, i) => (
          <tr key={i}>
            {row.map((cell, j) =>
              j === 0 ? (
                <th scope="row" key={j}>
                  {cell}
                </th>
              ) : (
                <td key={j}>{cell}</td>
              ),
            )}
          </tr>
        ))}
      </tbody>
    </table>
  </div>
);
