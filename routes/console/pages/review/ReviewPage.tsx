/** The review desk page: the ReviewDesk island does the work. */
import ReviewDesk from "../../../../islands/ReviewDesk.tsx";
import { Island } from "../../../pages/Island.tsx";
import { Layout, type PageContext, PageHead } from "../../../pages/Layout.tsx";
import { TaxonomySwitch } from "../../../pages/TaxonomySwitch.tsx";

export function ReviewPage(
  props: { ctx: PageContext; flagReasons: string[]; taxonomies: string[]; taxonomy: string },
) {
  const { ctx, taxonomy } = props;
  return (
    <Layout title="Review" ctx={ctx} assetVersion={ctx.assetVersion} islands={["ReviewDesk"]}>
      <PageHead title="Review">
        <TaxonomySwitch taxonomies={props.taxonomies} current={taxonomy} action="/review" />
        <a href={taxonomy === "topic" ? "/queue" : `/queue?taxonomy=${taxonomy}`}>Queue</a>
      </PageHead>
      <Island
        name="ReviewDesk"
        component={ReviewDesk}
        props={{
          reviewer: ctx.name,
          flagReasons: props.flagReasons,
          ...(taxonomy === "topic" ? {} : { taxonomy }),
        }}
      />
      <noscript>
        <p class="flash error">The review desk needs JavaScript.</p>
      </noscript>
    </Layout>
  );
}
