import assert from "node:assert/strict";
import { claimNext, decide } from "../../../db/review/mod.ts";
import { LABELS, registerTestModel, seedQueue } from "../../../testing/db/review/test_helpers.ts";
import { pgliteTestDb } from "../../../testing/db/test_db.ts";
import { scriptSafeJson } from "../../pages/Island.tsx";
import { listAccess } from "../../../db/access_audit.ts";
import { insertArticleVectors } from "../../../db/article_vectors.ts";
import { registerModel } from "../../../db/models.ts";
import { ADMIN_KEY, postJson, testApp, withKey } from "../../../testing/routes/test_app.ts";
import { form, signIn } from "../../../testing/routes/console/test_helpers.ts";

Deno.test("console pages", async (t) => {
  const { db, reset, close } = await pgliteTestDb();
  const { app } = testApp(db);
  const fresh = async (n = 4) => {
    await reset();
    await registerTestModel(db);
    await seedQueue(db, n);
  };
  try {
    await t.step("signed-in pages render with a strict CSP and the CSRF meta tag", async () => {
      await fresh();
      const { cookie, csrf } = await signIn(app);
      for (const path of ["/", "/review", "/queue", "/articles", "/models", "/trends", "/runs"]) {
        const res = await app.request(path, { headers: { cookie } });
        assert.equal(res.status, 200, path);
        assert.match(res.headers.get("content-type")!, /text\/html/);
        const csp = res.headers.get("content-security-policy")!;
        assert.match(csp, /script-src 'self'(;|$)/);
        assert.doesNotMatch(csp, /unsafe-inline/);
        assert.equal(res.headers.get("cache-control"), "no-store");
        const html = await res.text();
        assert.ok(html.includes(`content="${csrf}"`), path);
        assert.doesNotMatch(html, /<script>|<script type="module">[^<]/);
      }
    });

    await t.step("bulk accept asks an admin to confirm, then accepts through the API", async () => {
      await fresh(6);
      const { cookie, csrf } = await signIn(app, ADMIN_KEY);
      const ask = await app.request(
        "/queue/bulk-accept",
        form({ label: "sport", _csrf: csrf }, { cookie }),
      );
      assert.equal(ask.status, 200);
      const page = await ask.text();
      assert.match(page, /2 open items match label sport/);
      assert.match(page, /name="confirm" value="yes"/);
      assert.equal(
        (await (await app.request("/v1/review/stats", withKey())).json()).byStatus.done,
        0,
      );
      const done = await app.request(
        "/queue/bulk-accept",
        form({ label: "sport", _csrf: csrf, confirm: "yes" }, { cookie }),
      );
      assert.equal(done.status, 303);
      assert.equal(done.headers.get("location"), "/queue?done=bulk-accepted&n=2");
      const stats = await (await app.request("/v1/review/stats", withKey())).json();
      assert.equal(stats.byStatus.done, 2);
      assert.equal(stats.byReviewer[0].reviewer, "ops");
      const queue = await (await app.request("/queue?done=bulk-accepted&n=2", {
        headers: { cookie },
      })).text();
      assert.match(queue, /Accepted 2 items/);
    });

    await t.step("pages offer promotion, rollback and bulk accept to admins only", async () => {
      await fresh(2);
      await registerTestModel(db, "test-model-v2"); // a model one could promote
      const reviewer = await signIn(app);
      const admin = await signIn(app, ADMIN_KEY);
      const page = async (path: string, cookie: string) =>
        await (await app.request(path, { headers: { cookie } })).text();
      assert.doesNotMatch(await page("/queue", reviewer.cookie), /action="\/queue\/bulk-accept"/);
      assert.match(await page("/queue", reviewer.cookie), /Bulk accept needs an admin key/);
      assert.match(await page("/queue", admin.cookie), /action="\/queue\/bulk-accept"/);
      assert.doesNotMatch(
        await page("/models", reviewer.cookie),
        /action="\/models\/promote"/,
      );
      assert.match(await page("/models", admin.cookie), /action="\/models\/promote"/);
    });

    await t.step(
      "a reviewer's bulk accept, promotion and rollback are refused and say why",
      async () => {
        await fresh(6);
        const { cookie, csrf } = await signIn(app);
        for (
          const [path, fields, action] of [
            ["/queue/bulk-accept", { label: "sport" }, "bulkAccept"],
            ["/models/promote", { version: "test-model-v1" }, "promoteModel"],
            ["/models/rollback", {}, "rollbackModel"],
          ] as const
        ) {
          const res = await app.request(path, form({ ...fields, _csrf: csrf }, { cookie }));
          assert.equal(res.status, 403, path);
          assert.match(res.headers.get("content-type")!, /text\/html/);
          assert.match(await res.text(), /needs an admin key/);
          const [last] = await listAccess(db, { limit: 1 });
          assert.deepEqual([last.actor, last.action, last.outcome], ["alice", action, "denied"]);
        }
        assert.equal(
          (await (await app.request("/v1/review/stats", withKey())).json()).byStatus.done,
          0,
        );
      },
    );

    await t.step("a <script> payload in an article renders as text", async () => {
      await reset();
      await registerTestModel(db);
      const payload = `<script>alert("x")</script><img src=x onerror=alert(1)>`;
      const res = await app.request(
        "/v1/articles",
        postJson({ title: payload, body: `Body ${payload}`, source: "</script><b>src" }),
      );
      assert.equal(res.status, 201);
      const id = (await res.json()).items[0].id;
      const { cookie } = await signIn(app);
      for (const path of [`/articles/${id}`, "/articles", `/articles?q=alert`]) {
        const html = await (await app.request(path, { headers: { cookie } })).text();
        assert.ok(!html.includes("<script>alert"), path);
        assert.ok(!html.includes("<img src=x"), path);
        assert.ok(html.includes("&lt;script>alert") || html.includes("&lt;script&gt;alert"), path);
      }
    });

    await t.step("an article shows its reviewed topic beside the model's", async () => {
      await fresh(1);
      const [item] = await claimNext(db, "alice");
      const label = LABELS.find((l) => l !== item.predictedLabel)!;
      await decide(db, "alice", item.id, { action: "label", label });
      const { cookie } = await signIn(app);
      const html = await (await app.request(`/articles/${item.article.id}`, {
        headers: { cookie },
      })).text();
      assert.ok(html.includes(`${label} · reviewed (model: ${item.predictedLabel})`));
    });

    await t.step("an article page lists the other articles of its story", async () => {
      await reset();
      const body = "Intel says it has built memory chips with 65-nanometer transistors.";
      const res = await app.request(
        "/v1/articles",
        postJson({
          articles: [
            { title: "Intel lauds milestone in shrinking chips", body, source: "cnet" },
            { title: "Intel lauds milestone in shrinking chips (AP)", body, source: "ap" },
            { title: "Cup final settled by a late goal", body: "A late goal won the cup." },
          ],
        }),
      );
      const [a, b, c] = (await res.json()).items.map((i: { id: number }) => i.id);
      const { cookie } = await signIn(app);
      const html = await (await app.request(`/articles/${a}`, { headers: { cookie } })).text();
      assert.ok(html.includes('data-testid="story"'));
      assert.ok(html.includes(`href="/articles/${b}"`), "the other report is listed");
      assert.ok(html.includes("Intel lauds milestone in shrinking chips (AP)"));
      assert.ok(!html.includes(`href="/articles/${a}"`), "not the article itself");
      const alone = await (await app.request(`/articles/${c}`, { headers: { cookie } })).text();
      assert.ok(alone.includes("No other article tells this story."));
    });

    await t.step("an article page lists similar articles by stored vectors", async () => {
      await reset();
      await registerModel(db, {
        name: "v",
        version: "v",
        labels: ["a"],
        origin: "trained",
        location: "v",
      });
      const res = await app.request(
        "/v1/articles",
        postJson({
          articles: [
            { title: "Rocket reaches orbit", body: "A rocket reached orbit." },
            { title: "Satellite launched", body: "A satellite was launched." },
            { title: "Cup final settled", body: "A late goal won the cup." },
          ],
        }),
      );
      const [a, b, c] = (await res.json()).items.map((i: { id: number }) => i.id);
      const now = new Date().toISOString();
      await insertArticleVectors(db, [
        { articleId: a, modelVersion: "v", publishedAt: now, vector: [1, 0] },
        { articleId: b, modelVersion: "v", publishedAt: now, vector: [0.9, 0.2] },
      ]);
      const { cookie } = await signIn(app);
      const html = await (await app.request(`/articles/${a}`, { headers: { cookie } })).text();
      assert.ok(html.includes('data-testid="similar"'));
      assert.ok(html.includes("Similar articles"));
      assert.ok(html.includes(`href="/articles/${b}"`));
      const none = await (await app.request(`/articles/${c}`, { headers: { cookie } })).text();
      assert.ok(!none.includes('data-testid="similar"'), "no vector, no list");
    });

    await t.step("an unknown article is a 404 page; static files are served", async () => {
      const { cookie } = await signIn(app);
      const res = await app.request("/articles/999999", { headers: { cookie } });
      assert.equal(res.status, 404);
      assert.match(res.headers.get("content-type")!, /text\/html/);
      const css = await app.request("/static/console.css");
      assert.equal(css.status, 200);
      assert.match(css.headers.get("content-type")!, /text\/css/);
      const etag = css.headers.get("etag")!;
      await css.arrayBuffer();
      const again = await app.request("/static/console.css", {
        headers: { "if-none-match": etag },
      });
      assert.equal(again.status, 304);
      assert.equal((await app.request("/static/..%2Fdeno.json")).status, 404);
      assert.equal((await app.request("/static/build/nope.js")).status, 404);
    });
  } finally {
    await close();
  }
});

Deno.test("scriptSafeJson() cannot close the script element", () => {
  const json = scriptSafeJson({ t: "</script><script>alert(1)</script>", u: "\u2028&" });
  assert.ok(!json.includes("<"));
  assert.ok(!json.includes(">"));
  assert.deepEqual(JSON.parse(json), { t: "</script><script>alert(1)</script>", u: "\u2028&" });
});
