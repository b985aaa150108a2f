import assert from "node:assert/strict";
import { claimNext, itemLabels } from "../../../db/review/mod.ts";
import { registerTestModel, seedQueue } from "../../../testing/db/review/test_helpers.ts";
import { testDatabases } from "../../../testing/db/test_db.ts";
import { ORIGIN, signIn } from "../../../testing/routes/console/test_helpers.ts";
import { ALICE_KEY, BOB_KEY, postJson, testApp } from "../../../testing/routes/test_app.ts";

const uuid = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, "0")}`;

for (const { name, open } of testDatabases()) {
  Deno.test(`/v1/review/decisions and /v1/review/release (${name})`, async (t) => {
    const { db, reset, close } = await open();
    const { app } = testApp(db);
    const fresh = async (n: number) => {
      await reset();
      await registerTestModel(db);
      await seedQueue(db, n);
    };
    const batch = (body: unknown, key: string | null = ALICE_KEY) =>
      app.request("/v1/review/decisions", postJson(body, key));
    try {
      await t.step("decides in order, refuses per decision, and gives items back", async () => {
        await fresh(5);
        const [a, b, c] = await claimNext(db, "alice", { limit: 3 });
        const [bobs] = await claimNext(db, "bob");
        const body = {
          decisions: [
            { decisionId: uuid(1), itemId: a.id, action: "accept" },
            { decisionId: uuid(2), itemId: bobs.id, action: "skip" },
            { decisionId: uuid(3), itemId: b.id, action: "label", label: "science" },
          ],
          release: [c.id, bobs.id],
        };
        const res = await batch(body);
        assert.equal(res.status, 200);
        assert.match(res.headers.get("content-type")!, /application\/json/);
        const out = await res.json();
        assert.deepEqual(
          out.results.map((r: { ok: boolean; code?: string; replayed?: boolean }) =>
            r.ok ? ["ok", r.replayed] : [r.code]
          ),
          [["ok", false], ["itemNotHeld"], ["ok", false]],
        );
        assert.equal(out.results[1].status, 409);
        assert.equal(out.results[2].item.finalLabel, "science");
        assert.deepEqual(out.released, [c.id]);
        assert.deepEqual(out.refused.map((r: { itemId: number; code: string }) => r.itemId), [
          bobs.id,
        ]);
        // Sent again (a retry): the same outcomes, nothing stored twice.
        const again = await (await batch(body)).json();
        assert.deepEqual(
          again.results.map((r: { ok: boolean; replayed?: boolean }) => r.ok && r.replayed),
          [true, false, true],
        );
        for (const id of [a.id, b.id]) {
          const labels = await itemLabels(db, id);
          assert.equal(labels.length, 1);
          assert.equal(labels[0].reviewer, "alice");
        }
        const detail = await (await app.request(`/v1/review/items/${a.id}`, {
          headers: { "x-api-key": ALICE_KEY },
        })).json();
        assert.equal(detail.decisions[0].decisionId, uuid(1));
      });

      await t.step("the single decision takes a decision id too", async () => {
        await fresh(2);
        const [item] = await claimNext(db, "alice");
        const send = () =>
          app.request(
            `/v1/review/items/${item.id}/decision`,
            postJson({ action: "accept", decisionId: uuid(9) }),
          );
        assert.equal((await send()).status, 200);
        const again = await send();
        assert.equal(again.status, 200);
        assert.equal((await again.json()).status, "done");
        assert.equal((await itemLabels(db, item.id)).length, 1);
        const other = (await claimNext(db, "alice"))[0];
        const reused = await app.request(
          `/v1/review/items/${other.id}/decision`,
          postJson({ action: "accept", decisionId: uuid(9) }),
        );
        assert.equal(reused.status, 409);
        assert.equal((await reused.json()).error.code, "decisionIdReused");
      });

      await t.step("a malformed batch is refused whole, before anything is written", async () => {
        await fresh(2);
        const [a] = await claimNext(db, "alice");
        const cases: unknown[] = [
          { decisions: [{ decisionId: uuid(1), itemId: a.id, action: "accept" }, { itemId: 1 }] },
          { decisions: [{ decisionId: "not-a-uuid", itemId: a.id, action: "accept" }] },
          { decisions: [{ decisionId: uuid(1), itemId: a.id, action: "flag" }] },
          { decisions: [], extra: 1 },
          { release: [a.id] },
          {
            decisions: Array.from({ length: 201 }, (_, i) => ({
              decisionId: uuid(i + 1),
              itemId: a.id,
              action: "skip",
            })),
          },
        ];
        for (const body of cases) {
          const res = await batch(body);
          assert.equal(res.status, 422, JSON.stringify(body).slice(0, 80));
          assert.equal((await res.json()).error.code, "validationFailed");
        }
        assert.equal((await itemLabels(db, a.id)).length, 0);
        const big = await batch({ decisions: [], release: [], pad: "x".repeat(70_000) });
        assert.equal(big.status, 413);
        assert.equal((await big.json()).error.code, "payloadTooLarge");
      });

      await t.step("needs a key, or the session cookie with its CSRF token", async () => {
        await fresh(2);
        const [a] = await claimNext(db, "alice");
        const body = { decisions: [{ decisionId: uuid(4), itemId: a.id, action: "accept" }] };
        assert.equal((await batch(body, null)).status, 401);
        const { cookie, csrf } = await signIn(app);
        const viaCookie = (headers: Record<string, string>) =>
          app.request("/v1/review/decisions", {
            method: "POST",
            headers: {
              "content-type": "application/json",
              cookie,
              origin: ORIGIN,
              "sec-fetch-site": "same-origin",
              ...headers,
            },
            body: JSON.stringify(body),
          });
        const noToken = await viaCookie({});
        assert.equal(noToken.status, 403);
        assert.equal((await noToken.json()).error.code, "csrfFailed");
        const crossSite = await viaCookie({
          "x-csrf-token": csrf,
          origin: "https://evil.example",
          "sec-fetch-site": "cross-site",
        });
        assert.equal(crossSite.status, 403);
        assert.equal((await itemLabels(db, a.id)).length, 0);
        const ok = await viaCookie({ "x-csrf-token": csrf });
        assert.equal(ok.status, 200);
        assert.equal((await ok.json()).results[0].ok, true);
      });

      await t.step("/v1/review/release gives back only what you hold", async () => {
        await fresh(4);
        const [a, b] = await claimNext(db, "alice", { limit: 2 });
        const [bobs] = await claimNext(db, "bob");
        const res = await app.request(
          "/v1/review/release",
          postJson({ itemIds: [a.id, bobs.id, b.id, 999_999] }),
        );
        assert.equal(res.status, 200);
        const out = await res.json();
        assert.deepEqual(out.released, [a.id, b.id]);
        assert.deepEqual(
          out.refused.map((r: { itemId: number; status: number }) => [r.itemId, r.status]),
          [[bobs.id, 409], [999_999, 404]],
        );
        const bad = await app.request("/v1/review/release", postJson({ itemIds: [] }));
        assert.equal(bad.status, 422);
        const bobLeft = await app.request(
          "/v1/review/release",
          postJson({ itemIds: [bobs.id] }, BOB_KEY),
        );
        assert.deepEqual((await bobLeft.json()).released, [bobs.id]);
      });
      await t.step(
        "a desk's items are given back by its id, answers never read included",
        async () => {
          await fresh(6);
          const desk = uuid(77);
          const claimed = await app.request("/v1/review/claim", postJson({ limit: 3, desk }));
          assert.equal(claimed.status, 200);
          const ids = (await claimed.json()).items.map((i: { id: number }) => i.id);
          assert.equal(ids.length, 3);
          const [kept] = await claimNext(db, "alice"); // claimed without the desk
          const res = await batch({
            decisions: [{ decisionId: uuid(5), itemId: ids[0], action: "accept" }],
            releaseDesk: desk,
          });
          assert.equal(res.status, 200);
          const out = await res.json();
          assert.equal(out.results[0].ok, true);
          assert.deepEqual(out.released, ids.slice(1).sort((a: number, b: number) => a - b));
          const held = await (await app.request("/v1/review/claims", {
            headers: { "x-api-key": ALICE_KEY },
          })).json();
          assert.deepEqual(held.items.map((i: { id: number }) => i.id), [kept.id]);
          // The desk is closed: a claim that arrives late takes nothing.
          const late = await app.request("/v1/review/claim", postJson({ limit: 2, desk }));
          assert.deepEqual((await late.json()).items, []);
          const byRelease = await app.request("/v1/review/release", postJson({ desk: uuid(78) }));
          assert.deepEqual(await byRelease.json(), { released: [], refused: [] });
          const neither = await app.request("/v1/review/release", postJson({}));
          assert.equal(neither.status, 422);
          const badDesk = await app.request("/v1/review/claim", postJson({ desk: "x" }));
          assert.equal(badDesk.status, 422);
        },
      );
    } finally {
      await close();
    }
  });
}
