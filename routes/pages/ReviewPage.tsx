/** The review desk page: the ReviewDesk island does the work. */
import ReviewDesk from "../../islands/ReviewDesk.tsx";
import { Island } from "./Island.tsx";
import { Layout, type PageContext, PageHead } from "./Layout.tsx";

export function ReviewPage(props: { ctx: PageContext; flagReasons: string[] }) {
  const { ctx } = props;
  return (
    <Layout title="Review" ctx={ctx} assetVersion={ctx.assetVersion} islands={["ReviewDesk"]}>
      <PageHead title="Review">
        <a href="/queue">Queue</a>
      </PageHead>
      <Island
        name="ReviewDesk"
        component={ReviewDesk}
        props={{ reviewer: ctx.name, flagReasons: props.flagReasons }}
      />
      <noscript>
        <p class="flash error">The review desk needs JavaScript.</p>
      </noscript>
    </Layout>
  );
}
