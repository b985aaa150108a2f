/** The console's one layout: head, top bar with navigation and sign-out, main column. */
import type { ComponentChildren } from "preact";

/** What every signed-in page knows about the request. */
export interface PageContext {
  /** The reviewer (API-key name). */
  name: string;
  /** Whether the key is an admin's: pages offer admin actions (promote, bulk accept) only then. */
  admin: boolean;
  /** This session's CSRF token, for forms and the islands' `x-csrf-token`. */
  csrf: string;
  /** Cache-busting suffix for static assets. */
  assetVersion: string;
  /** The path being shown, for the current-page marker in the nav. */
  path: string;
}

const NAV: Array<[string, string]> = [
  ["/", "Dashboard"],
  ["/review", "Review"],
  ["/queue", "Queue"],
  ["/articles", "Articles"],
  ["/stories", "Stories"],
  ["/models", "Models"],
  ["/runs", "Runs"],
  ["/trends", "Trends"],
];

function isCurrent(href: string, path: string): boolean {
  return href === "/" ? path === "/" : path === href || path.startsWith(href + "/");
}

/** The HTML document around a page; `islands` names the island bundles it needs. */
export function Layout(props: {
  title: string;
  ctx: PageContext | null;
  assetVersion: string;
  islands?: string[];
  styles?: string[];
  children: ComponentChildren;
}) {
  const { ctx, assetVersion: v } = props;
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{`${props.title} · newsintel`}</title>
        {ctx && <meta name="csrf-token" content={ctx.csrf} />}
        <link rel="icon" href={`/static/favicon.svg?v=${v}`} type="image/svg+xml" />
        <link rel="stylesheet" href={`/static/console.css?v=${v}`} />
        {(props.styles ?? []).map((s) => (
          <link key={s} rel="stylesheet" href={`/static/${s}?v=${v}`} />
        ))}
        {(props.islands ?? []).map((name) => (
          <script type="module" src={`/static/build/${name}.js?v=${v}`} />
        ))}
      </head>
      <body>
        <header class="topbar">
          <div class="topbar-inner">
            <a class="brand" href="/">newsintel</a>
            {ctx && (
              <nav class="nav" aria-label="Console">
                {NAV.map(([href, label]) => (
                  <a href={href} aria-current={isCurrent(href, ctx.path) ? "page" : undefined}>
                    {label}
                  </a>
                ))}
              </nav>
            )}
            {ctx && (
              <div class="who">
                <span class="name" title="Signed in with this API key">{ctx.name}</span>
                <form method="post" action="/logout">
                  <input type="hidden" name="_csrf" value={ctx.csrf} />
                  <button type="submit">Sign out</button>
                </form>
              </div>
            )}
          </div>
        </header>
        <main>{props.children}</main>
      </body>
    </html>
  );
}

/** A page heading with optional content on the right. */
export function PageHead(props: { title: string; children?: ComponentChildren }) {
  return (
    <div class="page-head">
      <h1>{props.title}</h1>
      {props.children && <div class="actions">{props.children}</div>}
    </div>
  );
}

/** A one-line message after a redirect (`?ok=` or `?error=`). */
export function Flash(props: { ok?: string | null; error?: string | null }) {
  if (props.error) return <div class="flash error" role="alert">{props.error}</div>;
  if (props.ok) return <div class="flash" role="status">{props.ok}</div>;
  return null;
}
