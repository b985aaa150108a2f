/**
 * The review queue page and its one write, bulk accept: a filtered bulk
 * accept first shows what it would do and asks to confirm, then goes to the
 * API as the reviewer.
 */
import { Hono } from "hono";
import type { Context } from "hono";
import { REVIEW_REASONS, REVIEW_STATUSES, type ReviewFilter } from "../../../../db/review/mod.ts";
import type { Db } from "../../../../db/mod.ts";
import type { AppEnv } from "../../../env.ts";
import { ConfirmPage } from "../../../pages/ConfirmPage.tsx";
import type { PageContext } from "../../../pages/Layout.tsx";
import { countOpen, queueData } from "./load.ts";
import { QueuePage } from "./QueuePage.tsx";
import { dayStart, formLimit, oneOf, reviewFilter, withoutUndefined } from "../../forms.ts";
import type { ConsoleShared } from "../../shared.ts";
import { failurePage, html } from "../../render.ts";
import type { FormHandler, PageHandler } from "../../signed_in.ts";

/** One bulk accept decides at most this many items; the page offers to run it again. */
const BULK_LIMIT = 5000;

/** `GET /queue` and `POST /queue/bulk-accept`. */
export function queueApp(shared: ConsoleShared): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.get("/queue", shared.sessions.page(queuePage(shared.deps.db)));
  app.post("/queue/bulk-accept", formLimit, shared.sessions.form(bulkAccept(shared)));
  return app;
}

/** The queue's figures and first items, filtered and ordered by the query string. */
function queuePage(db: Db): PageHandler {
  return async (c, ctx) => {
    const q = c.req.query();
    const filter = reviewFilter(q);
    const order = oneOf(["margin", "oldest", "newest"] as const, q.order);
    const data = await queueData(db, { ...withoutUndefined(filter), order });
    const done = c.req.query("done");
    const n = Number(c.req.query("n") ?? 0);
    const ok = done === "bulk-accepted"
      ? `Accepted ${n} item${n === 1 ? "" : "s"}${
        c.req.query("more") ? "; more match: run it again to continue" : ""
      }.`
      : null;
    return html(
      c,
      QueuePage({
        ctx,
        data,
        params: {
          status: filter.status,
          reason: filter.reason,
          label: filter.label,
          source: filter.source,
          minScore: filter.minScore === undefined ? undefined : String(filter.minScore),
          since: dayStart(q.since) ? q.since : undefined,
          until: dayStart(q.until) ? q.until : undefined,
          order,
          taxonomy: data.taxonomy === "topic" ? undefined : data.taxonomy,
        },
        statuses: REVIEW_STATUSES,
        reasons: REVIEW_REASONS,
        flash: { ok },
      }),
    );
  };
}

/**
 * `POST /queue/bulk-accept`: needs at least one filter besides the status;
 * without `confirm=yes` it only counts and asks.
 */
function bulkAccept(shared: ConsoleShared): FormHandler {
  return async (c, { ctx, session, body }) => {
    const { status: _status, ...filter } = withoutUndefined(reviewFilter(body));
    if (Object.keys(filter).filter((k) => k !== "taxonomy").length === 0) {
      return failurePage(c, ctx, {
        status: 422,
        message:
          "Bulk accept needs at least one filter: a label, a minimum score, a source or dates.",
      });
    }
    // Bulk accept is an admin action: a reviewer is not asked to confirm; the API
    // refuses it (403, audited) and the page shows why.
    if (body.confirm !== "yes" && session.role === "admin") {
      return confirmBulkAccept(c, ctx, { body, filter, db: shared.deps.db });
    }
    const r = await shared.forward<{ accepted: number }>(c, {
      session,
      path: "/v1/review/bulk-accept",
      body: { ...filter, limit: BULK_LIMIT },
    });
    if (!r.ok) return failurePage(c, ctx, r);
    const more = r.data.accepted === BULK_LIMIT ? "&more=1" : "";
    return c.redirect(`/queue?done=bulk-accepted&n=${r.data.accepted}${more}`, 303);
  };
}

/** The confirmation page: how many open items match, and what accepting them records. */
async function confirmBulkAccept(
  c: Context,
  ctx: PageContext,
  ask: { body: Record<string, string>; filter: ReviewFilter; db: Db },
): Promise<Response> {
  const n = await countOpen(ask.db, ask.filter);
  const fields: Record<string, string> = {};
  for (const k of ["label", "minScore", "source", "since", "until", "reason", "taxonomy"]) {
    if (ask.body[k]) fields[k] = ask.body[k];
  }
  const described = Object.entries(fields).map(([k, v]) => `${k} ${v}`).join(", ");
  return html(
    c,
    ConfirmPage({
      ctx,
      title: "Accept these predictions?",
      action: "/queue/bulk-accept",
      fields,
      confirmLabel: `Accept ${n > 1000 ? "over 1,000" : n} item${n === 1 ? "" : "s"}`,
      cancelHref: "/queue",
      message:
        `${n > 1000 ? "More than 1,000" : n} open item${n === 1 ? "" : "s"} match ${described}. ` +
        "Each gets your decision “accept the predicted label”, recorded in the audit log under " +
        ctx.name +
        ". You can undo only your most recent decision.",
    }),
  );
}
