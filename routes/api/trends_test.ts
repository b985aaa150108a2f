import assert from "node:assert/strict";
import { testDatabases } from "../../testing/db/test_db.ts";
import { ALICE_KEY, postJson, testApp } from "../../testing/routes/test_app.ts";

const withKey: RequestInit = { headers: { "x-api-key": ALICE_KEY } };

/** Ten days of two articles a day, then a day of twelve about one new word. */
function articles() {
  const out = [];
  for (let d = 1; d <= 10; d++) {
    const day = `2024-05-${String(d).padStart(2, "0")}`;
    out.push({
      title: `Markets report ${d}`,
      body: "Shares rose.",
      publishedAt: `${day}T09:00:00Z`,
    });
    out.push({ title: `Weather note ${d}`, body: "Rain later.", publishedAt: `${day}T15:00:00Z` });
  }
  for (let i = 0; i < 12; i++) {
    out.push({
      title: `Heatwave warning ${i}`,
      body: "The heatwave closed schools.",
      publishedAt: "2024-05-11T12:00:00Z",
    });
  }
  return out;
}

for (const { name, open } of testDatabases()) {
  Deno.test(`GET /v1/trends (${name})`, async (t) => {
    const { db, reset, close } = await open();
    const { app } = testApp(db);
    const get = (query: string) => app.request(`/v1/trends?${query}`, withKey);
    try {
      await reset();
      const ingest = await app.request("/v1/articles", postJson({ articles: articles() }));
      assert.equal(ingest.status, 201);

      await t.step("a day query answers 200 with the documented shape", async () => {
        const res = await get("bucket=day&from=2024-05-05T00:00:00Z&to=2024-05-12T00:00:00Z");
        assert.equal(res.status, 200);
        assert.match(res.headers.get("content-type")!, /application\/json/);
        const body = await res.json();
        assert.equal(body.bucket, "day");
        assert.equal(body.from, "2024-05-05T00:00:00.000Z");
        assert.equal(body.to, "2024-05-12T00:00:00.000Z");
        assert.equal(body.dataRange.first, "2024-05-01T09:00:00.000Z");
        assert.equal(body.topics.length, 1);
        const [topic] = body.topics;
        assert.equal(topic.topic, "(unclassified)");
        assert.equal(topic.total, 6 * 2 + 12);
        assert.equal(topic.series.length, 7);
        assert.deepEqual(Object.keys(topic.series[0]).sort(), [
          "bucket",
          "count",
          "score",
          "share",
          "spike",
        ]);
        assert.deepEqual(Object.keys(topic.change).sort(), [
          "current",
          "delta",
          "direction",
          "percent",
          "previous",
        ]);
        assert.ok(Array.isArray(topic.spikes));
        assert.equal(topic.risingTerms[0].term, "heatwave");
        assert.deepEqual(body.risingPeriod, {
          baselineFrom: "2024-05-04T00:00:00.000Z",
          from: "2024-05-11T00:00:00.000Z",
          to: "2024-05-12T00:00:00.000Z",
        });
      });

      await t.step("rising terms carry their counts, phrases and an explained score", async () => {
        const res = await get("bucket=day&from=2024-05-05T00:00:00Z&to=2024-05-12T00:00:00Z");
        const [topic] = (await res.json()).topics;
        const heatwave = topic.risingTerms[0];
        assert.equal(heatwave.count, 24); // title and body of 12 articles
        assert.equal(heatwave.baselineCount, 0);
        assert.equal(heatwave.phrase, false);
        assert.ok(heatwave.g2 > 10.83);
        assert.match(heatwave.explanation, /^G² = 2·Σ O·ln\(O\/E\) = [\d.]+/);
        assert.ok(heatwave.explanation.includes(`24 of ${heatwave.total} words now`));
        const phrase = topic.risingTerms.find((r: { term: string }) =>
          r.term === "heatwave warning"
        );
        assert.equal(phrase?.phrase, true);
        assert.equal(phrase?.count, 12);
        assert.ok(phrase?.explanation.includes("phrases now"));
      });

      await t.step("recent widens the rising period; outside 1-12 it is refused", async () => {
        const res = await get(
          "bucket=day&from=2024-05-05T00:00:00Z&to=2024-05-12T00:00:00Z&recent=3",
        );
        assert.equal(res.status, 200);
        assert.equal((await res.json()).risingPeriod.from, "2024-05-09T00:00:00.000Z");
        for (const recent of ["0", "13", "x"]) {
          const bad = await get(`recent=${recent}`);
          assert.equal(bad.status, 422, `recent=${recent}`);
          assert.equal((await bad.json()).error.details[0].path, "recent");
        }
      });

      await t.step("terms=0 leaves rising terms out and terms=100 is accepted", async () => {
        const none = await get("from=2024-05-05T00:00:00Z&to=2024-05-12T00:00:00Z&terms=0");
        assert.equal(none.status, 200);
        assert.deepEqual((await none.json()).topics[0].risingTerms, []);
        const most = await get("from=2024-05-05T00:00:00Z&to=2024-05-12T00:00:00Z&terms=100");
        assert.equal(most.status, 200);
      });

      await t.step("terms outside 0-100 or not an integer is refused with 422", async () => {
        for (const terms of ["101", "-1", "2.5", "abc", "1e400"]) {
          const res = await get(`terms=${terms}`);
          assert.equal(res.status, 422, `terms=${terms}`);
          const body = await res.json();
          assert.equal(body.error.code, "validationFailed");
          assert.equal(body.error.details[0].path, "terms");
        }
      });

      await t.step("an unknown bucket is refused with 422", async () => {
        const res = await get("bucket=year");
        assert.equal(res.status, 422);
        assert.match(res.headers.get("content-type")!, /application\/json/);
        const body = await res.json();
        assert.equal(body.error.code, "validationFailed");
        assert.equal(body.error.details[0].path, "bucket");
      });

      await t.step("label (or the older topic) keeps one label's trend", async () => {
        const range = "bucket=day&from=2024-05-05T00:00:00Z&to=2024-05-12T00:00:00Z";
        const all = await (await get(range)).json();
        assert.equal(all.topics.length, 1);
        const byLabel = await get(`${range}&label=Sports`);
        assert.equal(byLabel.status, 200);
        const text = await byLabel.text();
        assert.deepEqual(JSON.parse(text).topics, []);
        for (const q of ["topic=Sports", "label=Sports&topic=Sports"]) {
          const res = await get(`${range}&${q}`);
          assert.equal(res.status, 200, q);
          assert.equal(await res.text(), text, q);
        }
        const both = await get(`${range}&label=Sports&topic=World`);
        assert.equal(both.status, 422);
        const body = await both.json();
        assert.equal(body.error.code, "validationFailed");
        assert.deepEqual(body.error.details.map((d: { path: string }) => d.path), ["topic"]);
      });

      await t.step(
        "the OpenAPI document marks `topic` deprecated in favour of `label`",
        async () => {
          const doc = await (await app.request("/openapi.json")).json();
          const params: Array<{ name: string; deprecated?: boolean }> =
            doc.paths["/v1/trends"].get.parameters;
          assert.equal(params.find((p) => p.name === "topic")?.deprecated, true);
          assert.equal(params.find((p) => p.name === "label")?.deprecated, undefined);
        },
      );

      await t.step("`from` at or after `to` is refused with 422", async () => {
        for (const from of ["2024-05-12T00:00:00Z", "2024-06-01T00:00:00Z"]) {
          const res = await get(`from=${from}&to=2024-05-12T00:00:00Z`);
          assert.equal(res.status, 422);
          assert.equal((await res.json()).error.code, "invalidRange");
        }
      });

      await t.step(
        "hours from year 0001 to 9999 are refused with 422 naming both dates",
        async () => {
          const res = await get("bucket=hour&from=0001-01-01T00:00:00Z&to=9999-12-31T00:00:00Z");
          assert.equal(res.status, 422);
          assert.match(res.headers.get("content-type")!, /application\/json/);
          const body = await res.json();
          assert.equal(body.error.code, "validationFailed");
          assert.deepEqual(body.error.details.map((d: { path: string }) => d.path).sort(), [
            "from",
            "to",
          ]);
          assert.match(body.error.details[0].message, /1900 to 2199/);
        },
      );

      await t.step("hours over the two allowed centuries are counted and refused", async () => {
        const res = await get("bucket=hour&from=1900-01-01T00:00:00Z&to=2199-12-31T00:00:00Z");
        assert.equal(res.status, 422);
        const body = await res.json();
        assert.equal(body.error.code, "tooManyBuckets");
        assert.match(body.error.message, /2629728 hour buckets/);
      });

      await t.step("an article dated outside 1900-2199 is refused at ingestion", async () => {
        for (const publishedAt of ["9999-12-31T23:00:00Z", "0001-01-01T00:00:00Z"]) {
          const res = await app.request("/v1/articles", postJson({ title: "Far", publishedAt }));
          assert.equal(res.status, 422);
          const body = await res.json();
          assert.equal(body.error.details[0].path, "publishedAt");
        }
        const res = await get("bucket=hour");
        assert.equal(res.status, 200);
        assert.equal((await res.json()).to, "2024-05-11T13:00:00.000Z");
      });

      await t.step("1,000 buckets are allowed and 1,001 are not", async () => {
        // 2024-05-01 plus 1,000 hours is 2024-06-11T16:00Z.
        const ok = await get("bucket=hour&from=2024-05-01T00:00:00Z&to=2024-06-11T16:00:00Z");
        assert.equal(ok.status, 200);
        const over = await get("bucket=hour&from=2024-05-01T00:00:00Z&to=2024-06-11T16:00:01Z");
        assert.equal(over.status, 422);
        assert.equal((await over.json()).error.code, "tooManyBuckets");
      });
    } finally {
      await close();
    }
  });
}
