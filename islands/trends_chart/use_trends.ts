/** The trends island's data: the first load from the props, then `/v1/trends` on each change. */
import { useEffect, useRef, useState } from "preact/hooks";
import { api } from "../api.ts";
import type { TrendsResult } from "../types.ts";
import { type TrendsChartProps, type TrendsQueryProps, trendsUrl } from "./query.ts";

/** The current query (and its setter), its result, its error, and whether it is loading. */
export function useTrends(props: TrendsChartProps) {
  const [data, setData] = useState<TrendsResult | null>(props.initial);
  const [query, setQuery] = useState<TrendsQueryProps>(props.query);
  const [error, setError] = useState<string | null>(props.error ?? null);
  const [loading, setLoading] = useState(!props.initial && !props.error);
  const first = useRef(true);

  // Load when the query changes, and on mount unless the props carried the data.
  useEffect(() => {
    if (first.current) {
      first.current = false;
      if (props.initial) return;
    }
    let stale = false;
    setLoading(true);
    api<TrendsResult>("GET", trendsUrl(query, props.compact ? 0 : 8)).then((r) => {
      if (stale) return;
      setLoading(false);
      if (r.ok) {
        setData(r.data);
        setError(null);
      } else setError(r.message);
    });
    return () => {
      stale = true;
    };
  }, [query.bucket, query.from, query.to, query.source, query.recent]);

  return { data, query, setQuery, error, loading };
}
