import assert from "node:assert/strict";
import { readDataset } from "../datasets/mod.ts";
import type { ReviewedLabel } from "../db/review/mod.ts";
import { articleText } from "../ml/article_text.ts";
import { DEFAULT_TRAINING_DATA } from "./model_runtime.ts";
import {
  fixedEvalExamples,
  HELD_OUT_SHARE,
  isBundledSample,
  isHeldOut,
  retrainData,
  withoutHeldOut,
} from "./retrain_data.ts";
import { examplesFrom } from "./training.ts";

const label = (articleId: number, text: string, l: string): ReviewedLabel => ({
  articleId,
  title: text,
  body: "",
  label: l,
  predictedLabel: l,
  modelVersion: "v",
  decidedAt: new Date(0).toISOString(),
});

Deno.test("fixedEvalExamples() defaults to the bundled sample's held-out tenth, which training leaves out", async () => {
  const bundled = await examplesFrom(readDataset(DEFAULT_TRAINING_DATA));
  const fixed = await fixedEvalExamples();
  assert.ok(
    Math.abs(fixed.length - bundled.length * HELD_OUT_SHARE) < 100,
    `${fixed.length} of ${bundled.length}`,
  );
  assert.ok(fixed.every((e) => isHeldOut(e)));
  const kept = withoutHeldOut(bundled);
  assert.equal(kept.length + fixed.length, bundled.length);
  assert.ok(!kept.some((e) => isHeldOut(e)));
  // Every class is in the fixed file.
  assert.equal(new Set(fixed.map((e) => e.label)).size, 4);
  assert.ok(isBundledSample(DEFAULT_TRAINING_DATA));
  assert.ok(!isBundledSample("data/none.csv"));
});

Deno.test("fixedEvalExamples() refuses a file without labelled examples", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/empty.jsonl`, "");
    await assert.rejects(
      () => fixedEvalExamples(`${dir}/empty.jsonl`),
      /holds no labelled examples/,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("retrainData() judges by the fixed file and agreed labels only; the rest is trained on", () => {
  const fixed = [{ text: "fixed one", label: "a" }, { text: "fixed two", label: "b" }];
  const base = [{ text: "base", label: "a" }, { text: "FIXED  one", label: "b" }];
  // Share 0.9: nearly every id would be held out if its label were agreed.
  const reviewed = Array.from({ length: 20 }, (_, i) => label(i + 1, `text ${i}`, "b"));
  const agreed = new Set([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  const data = retrainData(base, reviewed, { evalShare: 0.9, fixed, agreed });
  assert.deepEqual(data.eval.slice(0, 2), fixed);
  assert.equal(data.fixedSize, 2);
  const judged = data.eval.slice(2).map((e) => e.text);
  assert.ok(judged.length > 0 && judged.length <= 10);
  for (const t of judged) assert.ok(Number(t.split(" ")[1]) < 10, `${t} was agreed`);
  // Labels nobody agreed with are all trained on; a copy of a fixed text is not.
  const trained = new Set(data.train.map((e) => e.text));
  for (let i = 10; i < 20; i++) assert.ok(trained.has(articleText(`text ${i}`, "")));
  assert.ok(!trained.has("FIXED  one"));
  assert.equal(data.train.length + judged.length, 1 + 20);
});

Deno.test("isHeldOut() picks an article by its text with the headline once, whatever the text's shape", async () => {
  const bundled = await examplesFrom(readDataset(DEFAULT_TRAINING_DATA));
  for (const e of bundled.slice(0, 2_000)) {
    const once = { text: articleText(e.article!.title, e.article!.body, 1), label: e.label };
    assert.equal(isHeldOut(e), isHeldOut(once));
  }
  assert.ok(bundled.slice(0, 2_000).some((e) => isHeldOut(e)));
});
