/**
 * The models page and its writes, promote, roll back and retrain: each shows a
 * confirmation first, then goes to the API as the signed-in user.
 */
import { Hono } from "hono";
import type { Db } from "../../../../db/mod.ts";
import { previousModelVersion } from "../../../../db/models.ts";
import type { AppEnv } from "../../../env.ts";
import { ConfirmPage } from "../../../pages/ConfirmPage.tsx";
import { modelsData } from "./load.ts";
import { ModelsPage } from "./ModelsPage.tsx";
import { formLimit, taxonomyParam, trimmed } from "../../forms.ts";
import type { ConsoleShared } from "../../shared.ts";
import { failurePage, html } from "../../render.ts";
import type { FormHandler, PageHandler } from "../../signed_in.ts";

/** `GET /models`, `POST /models/promote`, `POST /models/rollback` and `POST /models/retrain`. */
export function modelsApp(shared: ConsoleShared): Hono<AppEnv> {
  const { page, form } = shared.sessions;
  const app = new Hono<AppEnv>();
  app.get("/models", page(modelsPage(shared.deps.db)));
  app.post("/models/promote", formLimit, form(promote(shared)));
  app.post("/models/rollback", formLimit, form(rollback(shared)));
  app.post("/models/retrain", formLimit, form(retrain(shared)));
  return app;
}

/** Every model with its figures; `?done=` after a promote or a rollback says what happened. */
function modelsPage(db: Db): PageHandler {
  return async (c, ctx) => {
    const done = c.req.query("done");
    const v = trimmed(c.req.query("v"));
    const ok = done === "promoted"
      ? `Promoted ${v}; every replica serves it within seconds.`
      : done === "rolled-back"
      ? `Rolled back to ${v}.`
      : done === "retrain-started"
      ? `Retrain ${v} started; its outcome appears under Retrains when it ends.`
      : null;
    return html(
      c,
      ModelsPage({
        ctx,
        data: await modelsData(db),
        selected: trimmed(c.req.query("version")) ?? null,
        flash: { ok },
      }),
    );
  };
}

/** `POST /models/promote` with the `version` to make active. */
function promote(shared: ConsoleShared): FormHandler {
  return async (c, { ctx, session, body }) => {
    const version = trimmed(body.version);
    if (!version) {
      return failurePage(c, ctx, { status: 422, message: "Which model? No version was given." });
    }
    // An admin action: a reviewer is not asked to confirm; the API refuses it (403,
    // audited) and the page shows why.
    if (body.confirm !== "yes" && session.role === "admin") {
      return html(
        c,
        ConfirmPage({
          ctx,
          title: `Promote ${version}?`,
          action: "/models/promote",
          fields: { version },
          confirmLabel: "Promote",
          cancelHref: "/models",
          message:
            "Every replica switches to this model within seconds, and new articles are classified " +
            "by it. You can roll back afterwards.",
        }),
      );
    }
    const r = await shared.forward(c, {
      session,
      path: `/v1/models/${encodeURIComponent(version)}/promote`,
    });
    if (!r.ok) return failurePage(c, ctx, r);
    return c.redirect(`/models?done=promoted&v=${encodeURIComponent(version)}`, 303);
  };
}

/**
 * `POST /models/rollback`: back to the model of a taxonomy (`taxonomy`, default `topic`)
 * that was active before its current one; the other taxonomies' models stay.
 */
function rollback(shared: ConsoleShared): FormHandler {
  return async (c, { ctx, session, body }) => {
    const taxonomy = taxonomyParam(body.taxonomy) ?? "topic";
    if (body.confirm !== "yes" && session.role === "admin") {
      const previous = await previousModelVersion(shared.deps.db, taxonomy);
      if (!previous) {
        return failurePage(c, ctx, {
          status: 409,
          message: `No earlier ${taxonomy} model was ever active.`,
        });
      }
      return html(
        c,
        ConfirmPage({
          ctx,
          title: `Roll back the active ${taxonomy} model?`,
          action: "/models/rollback",
          fields: { taxonomy },
          confirmLabel: `Roll back to ${previous}`,
          cancelHref: "/models",
          danger: true,
          message:
            `The ${taxonomy} model that was active before the current one (${previous}) becomes ` +
            "active again on every replica; the other taxonomies' models stay.",
        }),
      );
    }
    const r = await shared.forward<{ version: string }>(c, {
      session,
      path: `/v1/models/rollback?taxonomy=${encodeURIComponent(taxonomy)}`,
    });
    if (!r.ok) return failurePage(c, ctx, r);
    return c.redirect(`/models?done=rolled-back&v=${encodeURIComponent(r.data.version)}`, 303);
  };
}

/** `POST /models/retrain`: train a candidate on reviewed labels, promoted only if it passes the gate. */
function retrain(shared: ConsoleShared): FormHandler {
  return async (c, { ctx, session, body }) => {
    if (body.confirm !== "yes" && session.role === "admin") {
      return html(
        c,
        ConfirmPage({
          ctx,
          title: "Retrain the model?",
          action: "/models/retrain",
          fields: {},
          confirmLabel: "Retrain",
          cancelHref: "/models",
          message: "A new model is trained on the bundled data and the reviewed labels, in the " +
            "background. It becomes active only if it beats the active model by the configured " +
            "margin on the evaluation set (the fixed held-out file and labels two reviewers " +
            "agreed on) and is not worse on the fixed file; otherwise it runs as the shadow " +
            "model.",
        }),
      );
    }
    const r = await shared.forward<{ retrain: { id: number } }>(c, {
      session,
      path: "/v1/models/retrain",
    });
    if (!r.ok) return failurePage(c, ctx, r);
    return c.redirect(`/models?done=retrain-started&v=${r.data.retrain.id}`, 303);
  };
}
