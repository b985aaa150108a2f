/** A confirmation step for a consequential action (bulk accept, promote, rollback). */
import { Layout, type PageContext } from "./Layout.tsx";

export function ConfirmPage(props: {
  ctx: PageContext;
  title: string;
  action: string;
  fields: Record<string, string>;
  confirmLabel: string;
  cancelHref: string;
  danger?: boolean;
  /** What will happen, in a sentence or two. */
  message: string;
}) {
  const { ctx } = props;
  return (
    <Layout title={props.title} ctx={ctx} assetVersion={ctx.assetVersion}>
      <div class="card">
        <h1>{props.title}</h1>
        <p data-testid="confirm-message">{props.message}</p>
        <form method="post" action={props.action} class="actions">
          <input type="hidden" name="_csrf" value={ctx.csrf} />
          <input type="hidden" name="confirm" value="yes" />
          {Object.entries(props.fields).map(([k, v]) => (
            <input key={k} type="hidden" name={k} value={v} />
          ))}
          <button type="submit" class={props.danger ? "danger" : "primary"}>
            {props.confirmLabel}
          </button>
          <a class="button" href={props.cancelHref}>Cancel</a>
        </form>
      </div>
    </Layout>
  );
}
