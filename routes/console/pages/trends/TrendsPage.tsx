/** Topic trends: the TrendsChart island, first data rendered on the server. */
import TrendsChart from "../../../../islands/TrendsChart.tsx";
import { Island } from "../../../pages/Island.tsx";
import { Layout, type PageContext, PageHead } from "../../../pages/Layout.tsx";
import type { TrendsPageData } from "./load.ts";
import { TaxonomySwitch } from "../../../pages/TaxonomySwitch.tsx";

export function TrendsPage(
  props: { ctx: PageContext; trends: TrendsPageData; taxonomies: string[] },
) {
  const { ctx, trends } = props;
  return (
    <Layout
      title="Trends"
      ctx={ctx}
      assetVersion={ctx.assetVersion}
      islands={["TrendsChart"]}
      styles={["build/uplot.css"]}
    >
      <PageHead title="Trends">
        <TaxonomySwitch
          taxonomies={props.taxonomies}
          current={trends.query.taxonomy}
          action="/trends"
        />
        {trends.dataRange && (
          <span class="muted small">
            Data from {trends.dataRange.first.slice(0, 10)} to {trends.dataRange.last.slice(0, 10)}
          </span>
        )}
      </PageHead>
      <div class="card">
        <Island
          name="TrendsChart"
          component={TrendsChart}
          props={{ initial: null, query: trends.query }}
        />
      </div>
    </Layout>
  );
}
