import assert from "node:assert/strict";
import { claimNext, enqueueLabelIssues } from "../../../db/review/mod.ts";
import { registerTestModel, seedQueue } from "../../../testing/db/review/test_helpers.ts";
import { postgresTestDb, postgresTestUrl, testDatabases } from "../../../testing/db/test_db.ts";
import { openPostgres } from "../../../db/postgres.ts";
import {
  ALICE_KEY,
  BOB_KEY,
  postJson,
  testApp,
  withKey,
} from "../../../testing/routes/test_app.ts";

const CAROL_KEY = "carol-secret-key-0003";
const keys = `alice=${ALICE_KEY};bob=${BOB_KEY};carol:admin=${CAROL_KEY}`;

const put = (body: unknown, key: string | null = ALICE_KEY): RequestInit => ({
  ...postJson(body, key),
  method: "PUT",
});

for (const { name, open } of testDatabases()) {
  Deno.test(`/v1/review API (${name})`, async (t) => {
    const { db, reset, close } = await open();
    const { app } = testApp(db, { API_KEYS: keys, REVIEW_OVERLAP: "2" });
    const fresh = async (n: number, overlap = 2) => {
      await reset();
      await registerTestModel(db);
      await seedQueue(db, n, {
        policy: { threshold: 1.01, auditRate: 0, overlap, languages: [] },
      });
    };
    const claim = async (key: string, body: unknown = {}) => {
      const res = await app.request("/v1/review/claim", postJson(body, key));
      assert.equal(res.status, 200);
      return (await res.json()).items as Array<
        { id: number; predictedLabel: string; labels: string[] }
      >;
    };
    const decideReq = (id: number, body: unknown, key = ALICE_KEY) =>
      app.request(`/v1/review/items/${id}/decision`, postJson(body, key));
    try {
      await t.step("writes need a key; the key's name is the reviewer", async () => {
        await fresh(3);
        const res = await app.request("/v1/review/claim", postJson({}, null));
        assert.equal(res.status, 401);
        assert.equal((await res.json()).error.code, "unauthorized");
        const noBody = await app.request("/v1/review/claim", {
          method: "POST",
          headers: { "x-api-key": ALICE_KEY },
        });
        assert.equal(noBody.status, 200);
        const [item] = (await noBody.json()).items;
        assert.equal(item.leaseHolder, "alice");
        const mine = await (await app.request("/v1/review/claims", {
          headers: { "x-api-key": ALICE_KEY },
        })).json();
        assert.deepEqual(mine.items.map((i: { id: number }) => i.id), [item.id]);
        assert.equal((await app.request("/v1/review/claims")).status, 401);
      });

      await t.step("claim → decide round trip, with 409 and 422 paths", async () => {
        await fresh(3);
        const [item] = await claim(ALICE_KEY);
        const wrong = await decideReq(item.id, { action: "label", label: "gardening" });
        assert.equal(wrong.status, 422);
        assert.match(wrong.headers.get("content-type")!, /application\/json/);
        const body = await wrong.json();
        assert.equal(body.error.code, "unknownLabel");
        assert.ok(body.error.requestId);
        const shape = await decideReq(item.id, { action: "flag" });
        assert.equal(shape.status, 422);
        assert.equal((await shape.json()).error.code, "validationFailed");
        const notYours = await decideReq(item.id, { action: "accept" }, BOB_KEY);
        assert.equal(notYours.status, 409);
        assert.equal((await notYours.json()).error.code, "itemNotHeld");
        const missing = await decideReq(999_999, { action: "accept" });
        assert.equal(missing.status, 404);
        const ok = await decideReq(item.id, { action: "label", label: item.labels[0] });
        assert.equal(ok.status, 200);
        const after = await ok.json();
        assert.deepEqual([after.status, after.labelCount, after.leaseHolder], [
          "labelled",
          1,
          null,
        ]);
      });

      await t.step("an expired lease is a 409 with a clear message", async () => {
        await fresh(1);
        const [item] = await claim(ALICE_KEY);
        await db.query("UPDATE review_items SET lease_expires_at = now() - interval '1 second'");
        const res = await decideReq(item.id, { action: "accept" });
        assert.equal(res.status, 409);
        const { error } = await res.json();
        assert.equal(error.code, "leaseExpired");
        assert.match(error.message, /expired at .*; claim it again/);
      });

      await t.step(
        "overlap: disagreement → adjudication; stats show agreement and kappa",
        async () => {
          await fresh(2);
          const items = await claim(ALICE_KEY, { limit: 2, order: "oldest" });
          for (const i of items) {
            assert.equal((await decideReq(i.id, { action: "accept" })).status, 200);
          }
          const bobs = await claim(BOB_KEY, { limit: 2, order: "oldest" });
          assert.deepEqual(
            bobs.map((i) => i.id),
            items.map((i) => i.id),
          );
          await decideReq(bobs[0].id, { action: "accept" }, BOB_KEY);
          const other = bobs[1].labels.find((l) => l !== bobs[1].predictedLabel)!;
          const disputed =
            await (await decideReq(bobs[1].id, { action: "label", label: other }, BOB_KEY)).json();
          assert.equal(disputed.status, "needs_adjudication");

          const stats = await (await app.request("/v1/review/stats", withKey())).json();
          assert.equal(stats.byStatus.done, 1);
          assert.equal(stats.byStatus.needs_adjudication, 1);
          assert.equal(stats.agreement.items, 2);
          assert.equal(stats.agreement.percent, 0.5);
          assert.deepEqual(stats.agreement.pairs.map((p: { raters: string[] }) => p.raters), [[
            "alice",
            "bob",
          ]]);
          const alice = stats.byReviewer.find((r: { reviewer: string }) => r.reviewer === "alice");
          assert.deepEqual([alice.decisions, alice.agreementItems, alice.agreementPercent], [
            2,
            2,
            0.5,
          ]);
          assert.equal(typeof stats.learning.newReviewedLabels, "number");

          const early = await app.request(
            `/v1/review/items/${items[0].id}/adjudicate`,
            postJson({ action: "accept" }, CAROL_KEY),
          );
          assert.equal(early.status, 409);
          const settled = await app.request(
            `/v1/review/items/${bobs[1].id}/adjudicate`,
            postJson({ action: "label", label: other, note: "bob is right" }, CAROL_KEY),
          );
          assert.equal(settled.status, 200);
          const settledItem = await settled.json();
          assert.deepEqual([settledItem.finalLabel, settledItem.adjudicatedBy], [other, "carol"]);
          const detail = await (await app.request(`/v1/review/items/${bobs[1].id}`, withKey()))
            .json();
          assert.deepEqual(detail.history.map((h: { event: string }) => h.event), [
            "queued",
            "decided",
            "decided",
            "adjudicated",
          ]);
          assert.equal(detail.decisions.length, 2);
          assert.equal(detail.item.article.body.length > 0, true);
        },
      );

      await t.step("undo, then redo", async () => {
        await fresh(2, 1);
        const nothing = await app.request("/v1/review/undo", postJson({}));
        assert.equal(nothing.status, 409);
        const [item] = await claim(ALICE_KEY);
        await decideReq(item.id, { action: "skip" });
        const res = await app.request("/v1/review/undo", postJson({}));
        assert.equal(res.status, 200);
        const body = await res.json();
        assert.deepEqual([body.undone.action, body.item.id, body.item.leaseHolder], [
          "skip",
          item.id,
          "alice",
        ]);
        assert.equal((await decideReq(item.id, { action: "accept" })).status, 200);
      });

      await t.step(
        "a settled label is the article's topic; the prediction stays beside it",
        async () => {
          await fresh(1, 1);
          const [item] = await claim(ALICE_KEY);
          const other = item.labels.find((l) => l !== item.predictedLabel)!;
          const decided = await decideReq(item.id, { action: "label", label: other });
          assert.equal(decided.status, 200);
          const { article } = await decided.json();
          const res = await app.request(`/v1/articles/${article.id}`, withKey());
          assert.equal(res.status, 200);
          const shown = await res.json();
          assert.deepEqual(
            [shown.topic, shown.topicReviewed, shown.predictedTopic, shown.topicScore],
            [other, true, item.predictedLabel, null],
          );
        },
      );

      await t.step("bulk accept (an admin's) needs a filter and accepts by it", async () => {
        await fresh(9, 1);
        const reviewer = await app.request("/v1/review/bulk-accept", postJson({ label: "sport" }));
        assert.equal(reviewer.status, 403);
        const none = await app.request("/v1/review/bulk-accept", postJson({}, CAROL_KEY));
        assert.equal(none.status, 422);
        assert.equal((await none.json()).error.code, "filterRequired");
        const badRange = await app.request(
          "/v1/review/bulk-accept",
          postJson({ minScore: 0.9, maxScore: 0.1 }, CAROL_KEY),
        );
        assert.equal(badRange.status, 422);
        const res = await app.request(
          "/v1/review/bulk-accept",
          postJson({ label: "sport", minScore: 0 }, CAROL_KEY),
        );
        assert.equal(res.status, 200);
        const { accepted } = await res.json();
        assert.equal(accepted, 3);
        const list = await (await app.request("/v1/review/items?status=done&limit=50", withKey()))
          .json();
        assert.equal(list.items.length, 3);
        assert.ok(list.items.every((i: { finalLabel: string }) => i.finalLabel === "sport"));
        const audit = await (await app.request("/v1/review/audit?event=bulk_accepted", withKey()))
          .json();
        assert.equal(audit.items.length, 3);
      });

      await t.step("the queue listing pages by cursor in margin order", async () => {
        await fresh(7, 1);
        const seen: number[] = [];
        let margins: number[] = [];
        let cursor: string | null = null;
        do {
          const url: string = `/v1/review/items?limit=3${cursor ? `&cursor=${cursor}` : ""}`;
          const page: { items: Array<{ id: number; margin: number }>; nextCursor: string | null } =
            await (await app.request(url, withKey())).json();
          seen.push(...page.items.map((i) => i.id));
          margins = [...margins, ...page.items.map((i) => i.margin)];
          cursor = page.nextCursor;
        } while (cursor);
        assert.equal(new Set(seen).size, 7);
        assert.deepEqual(margins, [...margins].sort((a, b) => a - b));
        assert.equal((await app.request("/v1/review/items?cursor=bogus", withKey())).status, 422);
        assert.equal((await app.request("/v1/review/items?status=nope", withKey())).status, 422);
      });

      await t.step("the audit log pages by cursor, newest first", async () => {
        type AuditPage = { items: Array<{ id: number }>; nextCursor: string | null };
        await fresh(5, 1);
        const ids: number[] = [];
        let cursor: string | null = null;
        do {
          const url: string = `/v1/review/audit?limit=2${
            cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""
          }`;
          const res = await app.request(url, withKey());
          assert.equal(res.status, 200);
          const page: AuditPage = await res.json();
          ids.push(...page.items.map((e) => e.id));
          cursor = page.nextCursor;
        } while (cursor);
        assert.equal(ids.length, 5);
        assert.deepEqual(ids, [...ids].sort((a, b) => b - a));
        // A bare id, the form these cursors once took, still pages.
        const older = await (await app.request(`/v1/review/audit?cursor=${ids[1]}`, withKey()))
          .json();
        assert.deepEqual(older.items.map((e: { id: number }) => e.id), ids.slice(2));
        const bad = await app.request("/v1/review/audit?cursor=bogus", withKey());
        assert.equal(bad.status, 422);
        assert.equal((await bad.json()).error.code, "invalidCursor");
        const foreign =
          (await (await app.request("/v1/review/items?limit=1", withKey())).json()).nextCursor;
        assert.equal(
          (await app.request(`/v1/review/audit?cursor=${encodeURIComponent(foreign)}`, withKey()))
            .status,
          422,
        );
      });

      await t.step("manual queueing and shadow mode", async () => {
        await fresh(1, 1);
        const missing = await app.request("/v1/review/items", postJson({ articleId: 999_999 }));
        assert.equal(missing.status, 404);
        const noTaxonomy = await app.request(
          "/v1/review/items",
          postJson({ articleId: 1, taxonomy: "nope" }),
        );
        assert.equal(noTaxonomy.status, 404);
        assert.equal((await noTaxonomy.json()).error.code, "unknownTaxonomy");
        const badTaxonomy = await app.request(
          "/v1/review/items",
          postJson({ articleId: 1, taxonomy: "Not a name" }),
        );
        assert.equal(badTaxonomy.status, 422);
        const reviewer = await app.request("/v1/review/shadow", put({ version: "test-model-v1" }));
        assert.equal(reviewer.status, 403, "setting the shadow model is an admin action");
        const shadow404 = await app.request(
          "/v1/review/shadow",
          put({ version: "nope" }, CAROL_KEY),
        );
        assert.equal(shadow404.status, 404);
        const on = await app.request(
          "/v1/review/shadow",
          put({ version: "test-model-v1" }, CAROL_KEY),
        );
        assert.equal(on.status, 200);
        assert.equal((await on.json()).version, "test-model-v1");
        const off = await app.request("/v1/review/shadow", {
          method: "DELETE",
          headers: { "x-api-key": CAROL_KEY },
        });
        assert.equal((await off.json()).version, null);
      });

      await t.step("a label issue reads with the given label beside the suggestion", async () => {
        await reset();
        await registerTestModel(db);
        const [articleId] = await seedQueue(db, 1, {
          policy: { threshold: 0, auditRate: 0, overlap: 1, languages: [] },
        });
        const { queued: [id] } = await enqueueLabelIssues(db, [{
          articleId,
          modelVersion: "test-model-v1",
          given: "sport",
          suggested: "markets",
          score: 0.08,
          scores: { markets: 0.8, science: 0.15, sport: 0.05 },
          requiredLabels: 1,
        }], { actor: "seed" });
        const res = await app.request(`/v1/review/items/${id}`, withKey(ALICE_KEY));
        assert.equal(res.status, 200);
        assert.match(res.headers.get("content-type")!, /application\/json/);
        const { item } = await res.json();
        assert.deepEqual(item.reasons, ["label_issue"]);
        assert.deepEqual(item.labelIssue, { given: "sport", suggested: "markets", score: 0.08 });
        assert.equal(item.predictedLabel, "markets");
        const listed = await app.request("/v1/review/items?reason=label_issue", withKey(ALICE_KEY));
        assert.equal(listed.status, 200);
        const { items } = await listed.json();
        assert.deepEqual(items.map((i: { id: number }) => i.id), [id]);
        const [claimed] = await claim(ALICE_KEY, { filters: { reason: "label_issue" } });
        assert.equal(claimed.id, id);
        assert.deepEqual((claimed as { labelIssue?: unknown }).labelIssue, item.labelIssue);
        const low = await seedQueue(db, 1, { prefix: "other" });
        const other = await app.request(
          "/v1/review/items?reason=low_confidence",
          withKey(ALICE_KEY),
        );
        const [plain] = (await other.json()).items;
        assert.equal(plain.articleId, low[0]);
        assert.equal(plain.labelIssue, null);
      });

      await t.step("export streams JSON Lines and CSV", async () => {
        await fresh(3, 1);
        const items = await claimNext(db, "alice", { limit: 3 });
        for (const i of items) await decideReq(i.id, { action: "accept" });
        const jsonl = await app.request("/v1/review/export?format=jsonl", withKey());
        assert.equal(jsonl.status, 200);
        assert.equal(jsonl.headers.get("content-type"), "application/x-ndjson");
        const rows = (await jsonl.text()).trim().split("\n").map((l) => JSON.parse(l));
        assert.equal(rows.length, 3);
        assert.ok(rows.every((r) => r.label && r.title && r.reviewers[0] === "alice"));
        const csv = await app.request("/v1/review/export?format=csv", withKey());
        assert.match(csv.headers.get("content-type")!, /^text\/csv/);
        const lines = (await csv.text()).trim().split("\r\n");
        assert.equal(lines.length, 4);
        assert.match(lines[0], /^itemId,articleId,/);
        assert.equal((await app.request("/v1/review/export?format=xml", withKey())).status, 422);
        // One taxonomy's reviews per export (`topic` by default).
        assert.ok(rows.every((r) => r.taxonomy === "topic"));
        assert.match(
          jsonl.headers.get("content-disposition")!,
          /filename="reviews-topic-\d{4}-\d\d-\d\d\.jsonl"/,
        );
        const unknown = await app.request("/v1/review/export?taxonomy=nope", withKey());
        assert.equal(unknown.status, 404);
        assert.equal((await unknown.json()).error.code, "unknownTaxonomy");
        assert.equal(
          (await app.request("/v1/review/export?taxonomy=Bad%20Name!", withKey())).status,
          422,
        );
      });

      await t.step("every review endpoint is in the OpenAPI document", async () => {
        const doc = await (await app.request("/openapi.json")).json();
        for (
          const path of [
            "/v1/review/items",
            "/v1/review/items/{id}",
            "/v1/review/claim",
            "/v1/review/claims",
            "/v1/review/items/{id}/decision",
            "/v1/review/items/{id}/release",
            "/v1/review/items/{id}/adjudicate",
            "/v1/review/undo",
            "/v1/review/bulk-accept",
            "/v1/review/stats",
            "/v1/review/export",
            "/v1/review/audit",
            "/v1/review/shadow",
          ]
        ) assert.ok(doc.paths[path], `${path} missing`);
      });
    } finally {
      await close();
    }
  });
}

Deno.test({
  name: "two replicas on one PostgreSQL never give one item to two reviewers (postgres)",
  ignore: !postgresTestUrl(),
  async fn() {
    const primary = await postgresTestDb(postgresTestUrl()!);
    // The second replica: its own pool and app on the same schema.
    const second = openPostgres(primary.url, { max: 4 });
    const reviewers = ["alice", "bob", "carol", "dave"].map((n) => [n, `${n}-secret-key-0042`]);
    const env = { API_KEYS: reviewers.map(([n, k]) => `${n}=${k}`).join(";") };
    const replicas = [testApp(primary.db, env).app, testApp(second, env).app];
    try {
      await registerTestModel(primary.db);
      const queued = await seedQueue(primary.db, 60, {
        policy: { threshold: 1.01, auditRate: 0, overlap: 1, languages: [] },
      });
      const decided: number[] = [];
      // Each reviewer works through one replica; all four claim and decide at once.
      await Promise.all(reviewers.map(async ([, key], i) => {
        const app = replicas[i % 2];
        for (;;) {
          const res = await app.request("/v1/review/claim", postJson({ limit: 3 }, key));
          assert.equal(res.status, 200);
          const { items } = await res.json() as { items: { id: number }[] };
          if (items.length === 0) return;
          for (const { id } of items) {
            const d = await app.request(
              `/v1/review/items/${id}/decision`,
              postJson({ action: "accept" }, key),
            );
            assert.equal(d.status, 200, await d.text());
            decided.push(id);
          }
        }
      }));
      // Every queued item decided, and none twice.
      assert.equal(decided.length, queued.length);
      assert.equal(new Set(decided).size, queued.length);
    } finally {
      await second.close();
      await primary.close();
    }
  },
});
