/**
 * `/v1/review/...`: the human review queue, one sub-app per concern — the
 * queue, single items, decisions (one or a batch), the audit log, figures and export, shadow
 * mode. Reviewers are API-key names (`c.get("principal")`); every route needs
 * a key, bulk accept, adjudication and queueing label issues an admin key.
 */
import { OpenAPIHono } from "@hono/zod-openapi";
import type { AppDeps, AppEnv } from "../../env.ts";
import { auditApi } from "./audit.ts";
import { batchApi } from "./batch.ts";
import { decisionsApi } from "./decisions.ts";
import { itemsApi } from "./items.ts";
import { labelIssuesApi } from "./label_issues.ts";
import { queueApi } from "./queue.ts";
import { shadowApi } from "./shadow.ts";
import { statsApi } from "./stats.ts";

/** Every review endpoint, to mount under `/v1`. */
export function reviewApi(deps: AppDeps) {
  return new OpenAPIHono<AppEnv>()
    .route("/", queueApi(deps))
    .route("/", itemsApi(deps))
    .route("/", decisionsApi(deps))
    .route("/", batchApi(deps))
    .route("/", statsApi(deps))
    .route("/", auditApi(deps))
    .route("/", shadowApi(deps))
    .route("/", labelIssuesApi(deps));
}
