"use client";
// The four charts of a run, drawn with vega-embed (loaded lazily, SVG, no
// actions: nothing links to the online Vega editor). Each chart is a figure
// named by its title and described by the spec's description.
import { useEffect, useMemo, useRef, useState } from "react";
import type { Results } from "../engine/index.ts";
import { charts, type ChartSpec } from "../charts/specs.ts";

function Chart({ spec }: { spec: ChartSpec }) {
  const ref = useRef<HTMLDivElement>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let finalize = () => {};
    let cancelled = false;
    import("vega-embed")
      .then(({ default: embed }) => {
        if (cancelled || !ref.current) return;
        return embed(ref.current, spec as never, { actions: false, renderer: "svg", mode: "vega-lite" }).then((r) => {
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

export function Charts({ results }: { results: Results }) {
  // The same specs for the same results: a new spec object re-embeds its
  // chart (vega-lite compile, parse, render), and the cell re-renders on
  // every progress report of the next run.
  const specs = useMemo(() => charts(results), [results]);
  return (
    <div className="charts">
      {specs.map((spec) => (
        <Chart key={spec.title} spec={spec} />
      ))}
    </div>
  );
}
