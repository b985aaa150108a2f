/**
 * `newsintel seed` as a subprocess: from a file, from a fake Hugging Face hub
 * on loopback, and its refusals. The steps share one embedded database so
 * only the first pays for creating it.
 */
import assert from "node:assert/strict";
import { type FakeHub, startFakeHub, textLabelParquet } from "../testing/datasets/fake_hub.ts";
import { newsintel, type Run } from "../testing/cli/test_run.ts";

const HUFFPOST = new URL("../datasets/testdata/huffpost.jsonl", import.meta.url).pathname;

interface SeedJson {
  read: number;
  created: number;
  duplicates: number;
  seconds: number;
}

function seedJson(run: Run): Omit<SeedJson, "seconds"> {
  assert.equal(run.code, 0, run.stderr);
  const { seconds, ...counts } = JSON.parse(run.stdout) as SeedJson;
  assert.equal(typeof seconds, "number");
  return counts;
}

/** A failed run: non-zero exit, nothing on stdout, and one `newsintel:` line on stderr. */
function oneLineFailure(run: Run): string {
  assert.notEqual(run.code, 0, run.stdout);
  assert.equal(run.stdout, "");
  const lines = run.stderr.trimEnd().split("\n");
  assert.equal(lines.length, 1, run.stderr);
  assert.match(lines[0], /^newsintel: /);
  return lines[0];
}

const NEWS_REV = "1111111111111111111111111111111111111111";
const AG_REV = "2222222222222222222222222222222222222222";

Deno.test("seed rejects bad option values before touching the database", async () => {
  const data = await Deno.makeTempDir();
  try {
    const env = { DB_URL: `pglite://${data}/db`, DATA_DIR: data };
    const cases: Array<[string[], RegExp]> = [
      [["--batch-size", "0"], /--batch-size takes a whole number from 1 to 500/],
      [["--batch-size", "501"], /--batch-size takes a whole number from 1 to 500/],
      [["--limit", "ten"], /--limit takes a whole number/],
      [["--format", "xml", HUFFPOST], /Allowed choices are agnews-csv, csv, bbc, jsonl, parquet/],
    ];
    const runs = await Promise.all(cases.map(([args]) => newsintel(["seed", ...args], env)));
    runs.forEach((run, i) => {
      assert.notEqual(run.code, 0, cases[i][0].join(" "));
      assert.match(run.stderr, cases[i][1]);
    });
    const both = await newsintel(["seed", HUFFPOST, "--hub", "owner/news"], env);
    assert.equal(oneLineFailure(both), "newsintel: give either a path or --hub, not both");
    assert.deepEqual([...Deno.readDirSync(data)], [], "no database was created");
  } finally {
    await Deno.remove(data, { recursive: true });
  }
});

Deno.test("newsintel seed", async (t) => {
  const data = await Deno.makeTempDir();
  const db = { DB_URL: `pglite://${data}/db`, DATA_DIR: data };
  const hub: FakeHub = startFakeHub([
    {
      repo: "owner/news",
      revision: NEWS_REV,
      files: {
        "data/train-00000-of-00001.parquet": textLabelParquet([
          { text: "Hub article one . First body.", label: 0 },
          { text: "Hub article two . Second body.", label: 1 },
        ]),
        "README.md": new TextEncoder().encode("---\nlicense: cc-by-4.0\n---\n"),
      },
    },
    {
      repo: "x/ag_news",
      revision: AG_REV,
      files: {
        "data/train-00000-of-00001.parquet": textLabelParquet([
          { text: "AG train one . Body.", label: 2 },
          { text: "AG train two . Body.", label: 3 },
        ]),
        "data/test-00000-of-00001.parquet": textLabelParquet([
          { text: "AG test one . Body.", label: 1 },
        ]),
      },
    },
  ]);
  const hubEnv = { ...db, HF_ENDPOINT: hub.endpoint };
  try {
    await t.step("seed FILE --json stores the file once; a second run stores 0 new", async () => {
      assert.deepEqual(seedJson(await newsintel(["seed", HUFFPOST, "--json"], db)), {
        read: 3,
        created: 3,
        duplicates: 0,
      });
      assert.deepEqual(seedJson(await newsintel(["seed", HUFFPOST, "--json"], db)), {
        read: 3,
        created: 0,
        duplicates: 3,
      });
    });

    await t.step("seed FILE without --json prints one summary line", async () => {
      const run = await newsintel(["seed", HUFFPOST, "--limit", "2"], db);
      assert.equal(run.code, 0, run.stderr);
      assert.match(run.stdout, /^read 2, stored 0 new, 2 already present \(\d+(\.\d)?s\)\n$/);
    });

    await t.step("seed --hub owner/name downloads the HF_DATASET_JSON_REVISION pin", async () => {
      hub.requests.length = 0;
      const env = { ...hubEnv, HF_DATASET_JSON_REVISION: NEWS_REV };
      const run = await newsintel(["seed", "--hub", "owner/news", "--json"], env);
      assert.deepEqual(seedJson(run), { read: 2, created: 2, duplicates: 0 });
      assert.deepEqual(hub.requests, [
        `GET /api/datasets/owner/news/tree/${NEWS_REV}?recursive=true`,
        `GET /datasets/owner/news/resolve/${NEWS_REV}/data/train-00000-of-00001.parquet`,
      ]);
      const cached = `${data}/hub/owner/news/${NEWS_REV}/data/train-00000-of-00001.parquet`;
      assert.ok((await Deno.stat(cached)).isFile);

      hub.requests.length = 0;
      const again = await newsintel(["seed", "--hub", "owner/news", "--json"], env);
      assert.deepEqual(seedJson(again), { read: 2, created: 0, duplicates: 2 });
      assert.ok(hub.requests.every((r) => !r.includes("/resolve/")), "served from the cache");
    });

    await t.step("seed --hub x/ag_news uses HF_DATASET_AG_NEWS_REVISION and --split", async () => {
      hub.requests.length = 0;
      const run = await newsintel(["seed", "--hub", "x/ag_news", "--split", "test", "--json"], {
        ...hubEnv,
        HF_DATASET_AG_NEWS_REVISION: AG_REV,
        HF_DATASET_JSON_REVISION: NEWS_REV,
      });
      assert.deepEqual(seedJson(run), { read: 1, created: 1, duplicates: 0 });
      assert.deepEqual(hub.requests, [
        `GET /api/datasets/x/ag_news/tree/${AG_REV}?recursive=true`,
        `GET /datasets/x/ag_news/resolve/${AG_REV}/data/test-00000-of-00001.parquet`,
      ]);
    });

    await t.step("seed --hub --revision overrides the pin from the environment", async () => {
      hub.requests.length = 0;
      const run = await newsintel(
        ["seed", "--hub", "x/ag_news", "--revision", AG_REV, "--json"],
        { ...hubEnv, HF_DATASET_AG_NEWS_REVISION: "3".repeat(40) },
      );
      // Both splits now; the test split's row is already stored (and its file cached).
      assert.deepEqual(seedJson(run), { read: 3, created: 2, duplicates: 1 });
      assert.deepEqual(hub.requests, [
        `GET /api/datasets/x/ag_news/tree/${AG_REV}?recursive=true`,
        `GET /datasets/x/ag_news/resolve/${AG_REV}/data/train-00000-of-00001.parquet`,
      ]);
    });

    await t.step(
      "seed --hub without a pinned revision fails with one line naming the variable",
      async () => {
        hub.requests.length = 0;
        const json = oneLineFailure(await newsintel(["seed", "--hub", "owner/news"], hubEnv));
        assert.match(json, /HF_DATASET_JSON_REVISION or --revision/);
        const ag = oneLineFailure(
          await newsintel(["seed", "--hub", "x/ag_news"], {
            ...hubEnv,
            HF_DATASET_JSON_REVISION: NEWS_REV,
          }),
        );
        assert.match(ag, /HF_DATASET_AG_NEWS_REVISION or --revision/);
        assert.deepEqual(hub.requests, [], "nothing was asked of the hub");
      },
    );

    await t.step(
      "seed --hub with an unknown revision fails with one line mentioning 404; a tag is refused",
      async () => {
        const line = oneLineFailure(
          await newsintel(["seed", "--hub", "owner/news", "--revision", "4".repeat(40)], hubEnv),
        );
        assert.match(line, /answered 404/);
        hub.requests.length = 0;
        const tag = oneLineFailure(
          await newsintel(["seed", "--hub", "owner/news", "--revision", "v0-missing"], hubEnv),
        );
        assert.match(tag, /full 40-character commit id/);
        assert.deepEqual(hub.requests, [], "nothing was asked of the hub");
      },
    );
  } finally {
    await hub.close();
    await Deno.remove(data, { recursive: true });
  }
});

Deno.test({
  name: "seed --limit N with no path stores at most N sample articles",
  async fn() {
    const data = await Deno.makeTempDir();
    try {
      const run = await newsintel(["seed", "--limit", "5", "--json"], {
        DB_URL: `pglite://${data}/db`,
        DATA_DIR: data,
      });
      assert.deepEqual(seedJson(run), { read: 5, created: 5, duplicates: 0 });
    } finally {
      await Deno.remove(data, { recursive: true });
    }
  },
});
