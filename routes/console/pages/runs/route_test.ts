import assert from "node:assert/strict";
import { pgliteTestDb } from "../../../../testing/db/test_db.ts";
import { seedRuns } from "../../../../testing/routes/api/runs_test_helpers.ts";
import { testApp } from "../../../../testing/routes/test_app.ts";
import { signIn } from "../../../../testing/routes/console/test_helpers.ts";

/** The text of the element with `data-testid=id` (up to its closing tag), or "". */
const section = (html: string, id: string, tag = "table") => {
  const start = html.indexOf(`data-testid="${id}"`);
  return start < 0 ? "" : html.slice(start, html.indexOf(`</${tag}>`, start));
};

Deno.test("the runs page lists runs and compares two side by side", async (t) => {
  const { db, close } = await pgliteTestDb();
  const { app } = testApp(db);
  try {
    await t.step("without runs it says how to make one; it needs a session", async () => {
      const anonymous = await app.request("/runs");
      assert.equal(anonymous.status, 302);
      assert.match(anonymous.headers.get("location")!, /^\/login\?next=%2Fruns/);
      const { cookie } = await signIn(app);
      const res = await app.request("/runs", { headers: { cookie } });
      assert.equal(res.status, 200);
      const html = await res.text();
      assert.match(html, /No training runs yet/);
      assert.match(html, /<a href="\/runs" aria-current="page">Runs<\/a>/);
    });

    const ids = await seedRuns(db);
    const { cookie } = await signIn(app);
    const get = async (path: string) => {
      const res = await app.request(path, { headers: { cookie } });
      assert.equal(res.status, 200, path);
      assert.match(res.headers.get("content-type")!, /text\/html/);
      return await res.text();
    };

    await t.step("the list shows status, figures, the model or the error (escaped)", async () => {
      const html = await get("/runs");
      const table = section(html, "runs");
      const rows = table.split("<tr").slice(2);
      assert.deepEqual(rows.map((r) => Number(/data-run="(\d+)"/.exec(r)![1])), [
        ids.failed,
        ids.b,
        ids.a,
      ]);
      assert.match(rows[0], /badge bad">failed/);
      assert.match(rows[0], /two distinct labels &lt;b>x&lt;\/b>/);
      assert.doesNotMatch(html, /<b>x<\/b>/);
      assert.match(rows[1], /badge ok">succeeded/);
      assert.match(rows[1], />90\.0%</);
      assert.match(rows[1], />301</);
      assert.match(rows[1], />v2</);
      assert.match(table, /name="a" value="1"/);
      assert.match(table, /name="b" value="2"/);
      assert.equal(section(html, "comparison", "section"), "", "nothing compared yet");
    });

    await t.step(
      "choosing A and B compares them: metrics, F1, confusion grid, parameters",
      async () => {
        const html = await get(`/runs?a=${ids.a}&b=${ids.b}`);
        assert.match(html, new RegExp(`name="a" value="${ids.a}" checked`));
        assert.match(html, new RegExp(`name="b" value="${ids.b}" checked`));
        const metrics = section(html, "compare-metrics");
        assert.match(
          metrics,
          /data-metric="accuracy"><td>accuracy<\/td><td class="num">80\.00%<\/td><td class="num">90\.00%<\/td><td class="num delta up">\+10\.00 pt/,
        );
        assert.match(metrics, /data-metric="eceAfter">.*?<td class="num delta">0</);
        const f1 = section(html, "compare-f1");
        assert.match(
          f1,
          /data-label="sport"><td>sport<\/td><td class="num">86\.0%<\/td><td class="num">95\.0%<\/td><td class="num delta up">\+9\.00 pt/,
        );
        const grid = section(html, "confusion-diff");
        // diff = [[1, 0, -1], [-1, 2, -1], [0, 0, 0]]: more right on the diagonal is
        // green, fewer mistakes off it too; nothing changed is grey.
        const cells = [...grid.matchAll(/<td class="(\w+)"[^>]*>([^<]*)<\/td>/g)].map((
          m,
        ) => [m[1], m[2]]);
        assert.deepEqual(cells, [
          ["dg2", "+1"],
          ["d0", "0"],
          ["dg2", "-1"],
          ["dg2", "-1"],
          ["dg4", "+2"],
          ["dg2", "-1"],
          ["d0", "0"],
          ["d0", "0"],
          ["d0", "0"],
        ]);
        const params = section(html, "compare-params");
        assert.match(
          params,
          /data-param="seed"><td>seed<\/td><td class="mono">1<\/td><td class="mono">2<\/td>/,
        );
        assert.match(params, /data-param="learningRate">.*0\.5.*0\.25/);
        assert.doesNotMatch(params, /data-param="epochs"/, "only parameters that differ");
      },
    );

    await t.step("a worse B is red; a failed run has no confusion to compare", async () => {
      const swapped = section(await get(`/runs?a=${ids.b}&b=${ids.a}`), "confusion-diff");
      assert.match(swapped, /<td class="db4"[^>]*>-2<\/td>/);
      const html = await get(`/runs?a=${ids.a}&b=${ids.failed}`);
      assert.match(html, /No confusion difference/);
      assert.match(
        section(html, "compare-metrics"),
        /data-metric="accuracy">.*?<td class="num">–<\/td><td class="num delta">–</,
      );
    });

    await t.step("an unknown run or a half choice says so instead of comparing", async () => {
      assert.match(await get(`/runs?a=${ids.a}&b=424242`), /No training run 424242\./);
      assert.match(await get(`/runs?a=${ids.a}`), /Choose two runs to compare/);
      for (const q of ["a=x&b=y", "a=-1&b=0", "a=1e3&b=2", `a=${"9".repeat(40)}&b=1`]) {
        const html = await get(`/runs?${q}`);
        assert.equal(section(html, "comparison", "section"), "", q);
      }
    });
  } finally {
    await close();
  }
});
