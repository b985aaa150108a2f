/** `newsintel train --out` as users run it: a subprocess on small files with their own field names. */
import assert from "node:assert/strict";
import { join } from "node:path";
import { toyCorpus } from "../testing/ml/toy_corpus.ts";
import { newsintel } from "../testing/cli/test_run.ts";

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "newsintel-train-" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

const envOf = (dir: string) => ({ DATA_DIR: dir, MODEL_DIR: join(dir, "models") });

/** Toy rows as HuffPost-shaped JSON Lines (headline, short_description, category), plus 3 rows of a rare label. */
async function huffpostShaped(dir: string): Promise<string> {
  const rows = toyCorpus(90, 4).map((e) => {
    const [headline, ...rest] = e.text.split(" ");
    return { headline, short_description: rest.join(" "), category: e.label.toUpperCase() };
  });
  for (let i = 0; i < 3; i++) {
    rows.push({
      headline: `wedding ${i}`,
      short_description: "vows and cake",
      category: "WEDDINGS",
    });
  }
  const file = join(dir, "news.jsonl");
  await Deno.writeTextFile(file, rows.map((r) => JSON.stringify(r)).join("\n") + "\n");
  return file;
}

const FIELDS = ["--text-field", "headline,short_description", "--label-field", "category"];

Deno.test("newsintel train reads any field names, warns about rare labels and keeps them", async () => {
  await withDir(async (dir) => {
    const file = await huffpostShaped(dir);
    const run = await newsintel(
      ["train", file, ...FIELDS, "--folds", "2", "--no-search", "--out", join(dir, "m"), "--json"],
      envOf(dir),
    );
    assert.equal(run.code, 0, run.stderr);
    const manifest = JSON.parse(run.stdout);
    assert.deepEqual(manifest.labels, ["MARKETS", "SCIENCE", "SPORT", "WEDDINGS"]);
    assert.equal(manifest.trainingData.size, 93);
    assert.match(run.stderr, /1 labels have fewer than 10 rows, kept .*: WEDDINGS \(3\)/);
    assert.equal(manifest.metrics.search, undefined, "--no-search");
  });
});

Deno.test("newsintel train --merge-rare OTHER trains the rare labels' rows as OTHER; the search is recorded", async () => {
  await withDir(async (dir) => {
    const file = await huffpostShaped(dir);
    const run = await newsintel(
      [
        "train",
        file,
        ...FIELDS,
        "--folds",
        "2",
        "--merge-rare",
        "OTHER",
        "--out",
        join(dir, "m"),
        "--json",
      ],
      envOf(dir),
    );
    assert.equal(run.code, 0, run.stderr);
    const manifest = JSON.parse(run.stdout);
    assert.deepEqual(manifest.labels, ["MARKETS", "OTHER", "SCIENCE", "SPORT"]);
    assert.match(run.stderr, /merged into OTHER: WEDDINGS \(3\)/);
    const search = manifest.metrics.search;
    assert.equal(search.metric, "macroF1+accuracy");
    assert.ok(search.trials.length >= 2);
    assert.equal(
      manifest.hyperparameters.classWeightPower,
      search.trials[search.chosen].hyperparameters.classWeightPower,
    );
  });
});

Deno.test("newsintel train --drop-rare leaves the rare labels out", async () => {
  await withDir(async (dir) => {
    const file = await huffpostShaped(dir);
    const run = await newsintel(
      ["train", file, ...FIELDS, "--folds", "0", "--drop-rare", "--out", join(dir, "m"), "--json"],
      envOf(dir),
    );
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(JSON.parse(run.stdout).labels, ["MARKETS", "SCIENCE", "SPORT"]);
  });
});

Deno.test("newsintel train exits non-zero naming the missing field and the line, writing nothing", async () => {
  await withDir(async (dir) => {
    const file = await huffpostShaped(dir);
    const out = join(dir, "m");
    const run = await newsintel(
      ["train", file, "--text-field", "headline", "--label-field", "section", "--out", out],
      envOf(dir),
    );
    assert.notEqual(run.code, 0);
    assert.match(run.stderr, /news\.jsonl:1: no label field "section"/);
    const written = await Deno.stat(out).then(() => true, () => false);
    assert.ok(!written || [...Deno.readDirSync(out)].length === 0);
  });
});

Deno.test("newsintel train refuses bad flag combinations with a one-line reason", async () => {
  await withDir(async (dir) => {
    const file = await huffpostShaped(dir);
    const cases: Array<[string[], RegExp]> = [
      [["--merge-rare", "OTHER", "--drop-rare"], /one of --merge-rare and --drop-rare/],
      [["--folds", "0", "--clean", "drop"], /--clean needs cross-fitting/],
      [["--clean", "maybe"], /--clean/],
      [["--text-field", "a,,b"], /--text-field takes 1 to 16 comma-separated field names/],
      [["--min-class-rows", "0"], /--min-class-rows takes a whole number/],
    ];
    for (const [flags, reason] of cases) {
      const run = await newsintel(
        ["train", file, ...FIELDS, ...flags, "--out", join(dir, "m")],
        envOf(dir),
      );
      assert.notEqual(run.code, 0, flags.join(" "));
      assert.match(run.stderr, reason, flags.join(" "));
    }
  });
});
