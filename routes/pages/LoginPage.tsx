/** Sign-in with an API key. */
import { Layout } from "./Layout.tsx";

export function LoginPage(props: {
  assetVersion: string;
  next: string;
  formToken: string;
  error?: string | null;
  notice?: string | null;
}) {
  return (
    <Layout title="Sign in" ctx={null} assetVersion={props.assetVersion}>
      <div class="card login">
        <h1>Sign in</h1>
        <p class="muted small">
          Use an API key of this service (<code>API_KEY</code> /{" "}
          <code>API_KEYS</code>; a local install keeps one in{" "}
          <code>data/.api-key</code>). Your decisions are recorded under the key's name. The key is
          checked once and never stored in your browser.
        </p>
        {props.error && <div class="flash error" role="alert">{props.error}</div>}
        {props.notice && <div class="flash" role="status">{props.notice}</div>}
        <form method="post" action="/login">
          <input type="hidden" name="_csrf" value={props.formToken} />
          <input type="hidden" name="next" value={props.next} />
          <label class="field">
            API key
            <input
              type="password"
              name="key"
              autocomplete="current-password"
              required
              autofocus
              maxLength={512}
            />
          </label>
          <button type="submit" class="primary">Sign in</button>
        </form>
      </div>
    </Layout>
  );
}
