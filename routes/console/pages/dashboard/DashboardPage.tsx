/** Dashboard: service health, traffic, review throughput and a small trends chart. */
import TrendsChart from "../../../../islands/TrendsChart.tsx";
import { Bar, Stat } from "../../../pages/Figures.tsx";
import { num } from "../../../pages/format.ts";
import { Island } from "../../../pages/Island.tsx";
import { Layout, type PageContext, PageHead } from "../../../pages/Layout.tsx";
import type { dashboardData } from "./load.ts";
import { TaxonomySwitch } from "../../../pages/TaxonomySwitch.tsx";

type Data = Awaited<ReturnType<typeof dashboardData>>;
type Metrics = Data["metrics"];

function duration(s: number): string {
  if (s < 120) return `${s}s`;
  if (s < 7200) return `${Math.round(s / 60)} min`;
  if (s < 172_800) return `${(s / 3600).toFixed(1)} h`;
  return `${(s / 86400).toFixed(1)} days`;
}

export function DashboardPage(props: { ctx: PageContext; data: Data }) {
  const { ctx, data } = props;
  return (
    <Layout
      title="Dashboard"
      ctx={ctx}
      assetVersion={ctx.assetVersion}
      islands={data.trends?.dataRange ? ["TrendsChart"] : []}
      styles={["build/uplot.css"]}
    >
      <PageHead title="Dashboard">
        <TaxonomySwitch taxonomies={data.taxonomies} current={data.taxonomy} action="/" />
        <a
          class="button primary"
          href={data.taxonomy === "topic" ? "/review" : `/review?taxonomy=${data.taxonomy}`}
        >
          Start reviewing
        </a>
      </PageHead>
      <div class="grid">
        <ServiceCard data={data} />
        <TrafficCard m={data.metrics} />
        <ThroughputCard data={data} />
      </div>
      <TrendsCard trends={data.trends} />
      <StoriesCard />
      <SlowestRoutes routes={data.metrics.routes} />
    </Layout>
  );
}

/** Readiness, database and migrations, uptime, stored articles and memory. */
function ServiceCard({ data }: { data: Data }) {
  const m = data.metrics;
  return (
    <section class="card" data-testid="health">
      <h2>Service</h2>
      <p>
        <span class={`badge ${data.ready ? "ok" : "bad"}`}>
          {data.ready ? "ready" : "not ready"}
        </span>{" "}
        <span class="muted small">
          database {data.database} · migrations {data.migrations} · up {duration(m.uptimeSeconds)}
        </span>
      </p>
      <div class="stats">
        <Stat label="articles stored" value={num(m.gauges.newsintel_articles_stored)} />
        <Stat
          label="memory (RSS)"
          value={`${Math.round(m.process.residentMemoryBytes / 1048576)} MB`}
        />
      </div>
      <SeedingLine gauges={m.gauges} />
    </section>
  );
}

/** The first start's background seeding of the sample articles, while it runs. */
function SeedingLine({ gauges }: { gauges: Record<string, number> }) {
  const total = gauges.newsintel_seed_records_total ?? 0;
  const read = gauges.newsintel_seed_records_read ?? 0;
  if (total <= 0 || read >= total) return null;
  return (
    <p data-testid="seeding">
      <span class="muted small">
        seeding the sample articles: {num(read)} of {num(total)}
      </span>
      <Bar value={read} max={total} />
    </p>
  );
}

/** Request rate and errors since start, and the busiest API route's latency. */
function TrafficCard({ m }: { m: Metrics }) {
  const rate = m.uptimeSeconds > 0 ? m.requests.total / m.uptimeSeconds : 0;
  const busiest = m.routes.find((r) => r.route.startsWith("/v1")) ?? m.routes[0];
  return (
    <section class="card" data-testid="traffic">
      <h2>Requests</h2>
      <div class="stats">
        <Stat label="req/s since start" value={rate.toFixed(rate < 10 ? 2 : 0)} />
        <Stat label="requests" value={num(m.requests.total)} />
        <Stat
          label="4xx / 5xx"
          value={`${m.requests.clientErrors} / ${m.requests.serverErrors}`}
        />
      </div>
      <p class="small muted">
        {busiest
          ? `Busiest: ${busiest.method} ${busiest.route}, p50 ${
            busiest.latencyMs.p50.toFixed(1)
          } ms, p99 ${busiest.latencyMs.p99.toFixed(1)} ms (last 10 min).`
          : "No requests yet."}
      </p>
    </section>
  );
}

/** Open items, recent decisions and the share of queued items finished. */
function ThroughputCard({ data }: { data: Data }) {
  const c = data.counts;
  const open = c ? c.byStatus.queued + c.byStatus.claimed + c.byStatus.labelled : 0;
  const finished = c
    ? c.byStatus.done + c.byStatus.skipped + c.byStatus.flagged + c.byStatus.needs_adjudication
    : 0;
  return (
    <section class="card" data-testid="throughput">
      <h2>Review</h2>
      <div class="stats">
        <Stat label="open items" value={num(open)} />
        <Stat label="decisions, last hour" value={num(data.throughput.lastHour)} />
        <Stat
          label="decisions, 24 h"
          value={`${num(data.throughput.lastDay)}${data.throughput.capped ? "+" : ""}`}
        />
      </div>
      {c && c.total > 0 && (
        <>
          <p class="small muted">
            {num(finished)} of {num(c.total)} queued items finished
          </p>
          <Bar value={finished} max={c.total} variant="top" />
        </>
      )}
    </section>
  );
}

/** The way to the developing stories. */
function StoriesCard() {
  return (
    <section class="card">
      <div class="page-head">
        <h2>Stories</h2>
        <a href="/stories" data-testid="stories-link">Open developing stories →</a>
      </div>
      <p class="small muted">Articles grouped by the event they report, fastest growing first.</p>
    </section>
  );
}

/** A compact trends chart (an island that loads `/v1/trends` itself). */
function TrendsCard({ trends }: { trends: Data["trends"] }) {
  return (
    <section class="card">
      <div class="page-head">
        <h2>Topic trends</h2>
        <a href="/trends">Open trends →</a>
      </div>
      {trends?.dataRange
        ? (
          <Island
            name="TrendsChart"
            component={TrendsChart}
            props={{ initial: null, query: trends.query, compact: true }}
          />
        )
        : <p class="muted">No trend data yet.</p>}
    </section>
  );
}

/** The six routes with the highest p99 latency. */
function SlowestRoutes({ routes }: { routes: Metrics["routes"] }) {
  const slowest = [...routes].sort((a, b) => b.latencyMs.p99 - a.latencyMs.p99).slice(0, 6);
  return (
    <section class="card">
      <h2>Slowest routes (p99)</h2>
      <div class="table-wrap">
        <table>
          <thead>
            <tr>
              <th>route</th>
              <th class="num">requests</th>
              <th class="num">errors</th>
              <th class="num">p50 ms</th>
              <th class="num">p99 ms</th>
            </tr>
          </thead>
          <tbody>
            {slowest.map((r) => (
              <tr>
                <td class="mono">{r.method} {r.route}</td>
                <td class="num">{num(r.count)}</td>
                <td class="num">{num(r.errors)}</td>
                <td class="num">{r.latencyMs.p50.toFixed(1)}</td>
                <td class="num">{r.latencyMs.p99.toFixed(1)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
