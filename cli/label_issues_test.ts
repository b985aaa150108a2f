/** `newsintel label-issues` as users run it: a subprocess on small JSON Lines files. */
import assert from "node:assert/strict";
import { join } from "node:path";
import { TOY_LABELS, toyCorpus } from "../testing/ml/toy_corpus.ts";
import { newsintel } from "../testing/cli/test_run.ts";

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "newsintel-label-issues-" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

const envOf = (dir: string) => ({ DATA_DIR: dir, MODEL_DIR: join(dir, "models") });

Deno.test("newsintel label-issues --json lists suspected rows by their index in the file", async () => {
  await withDir(async (dir) => {
    const data = toyCorpus(150, 3);
    const flipped = [7, 40, 101];
    for (const i of flipped) {
      data[i] = { ...data[i], label: TOY_LABELS[(TOY_LABELS.indexOf(data[i].label) + 1) % 3] };
    }
    const file = join(dir, "toy.jsonl");
    await Deno.writeTextFile(file, data.map((e) => JSON.stringify(e)).join("\n") + "\n");
    const run = await newsintel(
      ["label-issues", file, "--json", "--limit", "5", "--folds", "3", "--seed", "2"],
      envOf(dir),
    );
    assert.equal(run.code, 0, run.stderr);
    const out = JSON.parse(run.stdout);
    assert.deepEqual(Object.keys(out), ["issues"]);
    assert.ok(out.issues.length >= 1 && out.issues.length <= 5);
    for (const issue of out.issues) {
      assert.deepEqual(Object.keys(issue).sort(), ["given", "index", "score", "suggested"]);
      assert.ok(Number.isInteger(issue.index) && issue.index >= 0 && issue.index < data.length);
      assert.equal(issue.given, data[issue.index].label);
      assert.ok(TOY_LABELS.includes(issue.suggested) && issue.suggested !== issue.given);
      assert.ok(issue.score >= 0 && issue.score <= 1);
    }
    assert.ok(flipped.includes(out.issues[0].index), JSON.stringify(out.issues[0]));
  });
});

Deno.test("newsintel label-issues exits non-zero with a one-line reason on a bad file", async () => {
  await withDir(async (dir) => {
    const file = join(dir, "bad.jsonl");
    await Deno.writeTextFile(file, '{"text": "Shares fell", "label": "markets"}\nnot json\n');
    const run = await newsintel(["label-issues", file, "--json"], envOf(dir));
    assert.equal(run.code, 1);
    assert.equal(run.stdout, "");
    assert.equal(run.stderr.trim().split("\n").length, 1, run.stderr);
    assert.match(run.stderr, /^newsintel: .*bad\.jsonl:2: not valid JSON/);

    const one = join(dir, "one.jsonl");
    await Deno.writeTextFile(
      one,
      toyCorpus(12).map((e) => JSON.stringify({ ...e, label: "sport" })).join("\n"),
    );
    const single = await newsintel(["label-issues", one], envOf(dir));
    assert.equal(single.code, 1);
    assert.match(single.stderr.trim(), /^newsintel: .*two distinct labels$/);
  });
});
