/** Turning a page component into the console's HTML response, and the page for a failure. */
import type { Context } from "hono";
import type { VNode } from "preact";
import { render } from "preact-render-to-string";
import type { PageContext } from "../pages/Layout.tsx";
import { MessagePage } from "../pages/MessagePage.tsx";
import { safeNext } from "./next.ts";

/** The statuses a console page is sent with. */
export type PageStatus = 200 | 401 | 403 | 404 | 409 | 422 | 429;

/** Who a page is for: a signed-in page context, or (signed out) only the asset version. */
export type Viewer = PageContext | { assetVersion: string };

/** `node` as a whole HTML document; never cached (pages carry the session's CSRF token). */
export function html(c: Context, node: VNode, status: PageStatus = 200): Response {
  c.header("cache-control", "no-store");
  return c.html("<!DOCTYPE html>" + render(node), status);
}

/**
 * A refused request or an action that failed, as a page with its status (422
 * for any status a page is not sent with), and a way back for a signed-in viewer.
 */
export function failurePage(
  c: Context,
  viewer: Viewer,
  problem: { status: number; message: string },
): Response {
  const ctx = "csrf" in viewer ? viewer : null;
  const { status, message } = problem;
  return html(
    c,
    MessagePage({
      ctx,
      assetVersion: viewer.assetVersion,
      title: status === 403 ? "Not allowed" : status === 404 ? "Not found" : "That did not work",
      message,
      back: c.req.header("referer") && ctx
        ? safeNext(new URL(c.req.header("referer")!).pathname)
        : undefined,
    }),
    ([401, 403, 404, 409, 422].includes(status) ? status : 422) as PageStatus,
  );
}
