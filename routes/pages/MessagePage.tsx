/** A page that only says something: not found, forbidden, an action that failed. */
import { Layout, type PageContext } from "./Layout.tsx";

export function MessagePage(props: {
  ctx: PageContext | null;
  assetVersion: string;
  title: string;
  message: string;
  back?: string;
}) {
  return (
    <Layout title={props.title} ctx={props.ctx} assetVersion={props.assetVersion}>
      <div class="card">
        <h1>{props.title}</h1>
        <p data-testid="message">{props.message}</p>
        <p>
          <a href={props.back ?? "/"}>{props.back ? "Go back" : "Back to the dashboard"}</a>
        </p>
      </div>
    </Layout>
  );
}
