"use client";
// The charts of a run, drawn with vega-embed (loaded lazily, SVG, no
// actions: nothing links to the online Vega editor; ast: Vega's
// expressions are interpreted, not compiled with the Function constructor
// the page's Content-Security-Policy forbids). Each chart is a figure
// named by its title and described by the spec's description. For a sweep,
// the reader picks the value the per-value charts show; the choice is this
// reader's own, not written to the shared notebook.
import { useEffect, useMemo, useRef, useState } from "react";
import type { Results } from "../engine/index.ts";
import { perValueCharts, sweepLines, type ChartSpec } from "../charts/specs.ts";
import { shownSweepValue, sweepValueLabel } from "../charts/sweep.ts";

function Chart({ spec }: { spec: ChartSpec }) {
  const ref = useRef<HTMLDivElement>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let finalize = () => {};
    let cancelled = false;
    import("vega-embed")
      .then(({ default: embed }) => {
        if (cancelled || !ref.current) return;
        return embed(ref.current, spec as never, { actions: false, renderer: "svg", mode: "vega-lite", ast: true }).then((r) => {
          if (cancelled) r.finalize();
          else finalize = () => r.finalize();
        });
      })
      .catch((e: Error) => setError(e.message));
    return () => {
      cancelled = true;
      finalize();
    };
  }, [spec]);
  return (
    <figure className="chart" role="figure" aria-label={spec.title}>
      <div ref={ref} className="chart-body" />
      {error && <p className="error">chart failed: {error}</p>}
      <figcaption>{spec.description}</figcaption>
    </figure>
  );
}

function SweepPicker({ results, value, onPick }: { results: Results; value: number; onPick: (v: number) => void }) {
  const sweep = results.sweep!;
  return (
    <label className="sweep-pick">
      Charts below at {sweep.param} ={" "}
      <select aria-label="Sweep value shown" value={String(value)} onChange={(e) => onPick(Number(e.currentTarget.value))}>
        {sweep.values.map((v) => (
          <option key={v} value={String(v)}>
            {sweepValueLabel(sweep.param, v)}
          </option>
        ))}
      </select>{" "}
      <span className="hint">(the chart above shows every value)</span>
    </label>
  );
}

export function Charts({ results }: { results: Results }) {
  const [picked, setPicked] = useState<number | null>(null);
  // A new run may not hold the value picked before: then the first.
  const value = shownSweepValue(results, picked);
  // The same specs for the same results and value: a new spec object
  // re-embeds its chart (vega-lite compile, parse, render), and the cell
  // re-renders on every progress report of the next run.
  const sweep = useMemo(() => sweepLines(results), [results]);
  const perValue = useMemo(() => perValueCharts(results, value), [results, value]);
  return (
    <div className="charts">
      {sweep && <Chart key="sweep" spec={sweep} />}
      {value !== null && <SweepPicker results={results} value={value} onPick={setPicked} />}
      {/* Keyed by place, not title: picking a value redraws the same figures. */}
      {perValue.map((spec, i) => (
        <Chart key={i} spec={spec} />
      ))}
    </div>
  );
}
