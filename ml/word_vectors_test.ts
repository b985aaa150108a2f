import assert from "node:assert/strict";
import { vectorsFileText, writeToyVectorsFile } from "../testing/ml/test_word_vectors.ts";
import {
  articleVector,
  cosine,
  normalised,
  readWordVectors,
  tokenWeights,
  VECTORS_PACKAGE,
  WordVectorsError,
} from "./word_vectors.ts";

Deno.test("readWordVectors() keeps the top words and the wanted ones, in the file's order", async () => {
  const path = await writeToyVectorsFile();
  try {
    const table = await readWordVectors(path, { top: 2, wanted: new Set(["goal", "zzz"]) });
    assert.equal(table.dim, 8);
    assert.deepEqual(table.words, ["the", "a", "goal"]);
    assert.equal(table.data.length, 3 * 8);
    assert.equal(table.source.name, VECTORS_PACKAGE);
    assert.match(table.source.sha256, /^[0-9a-f]{64}$/);
    const all = await readWordVectors(path, { top: 1000 });
    const goal = all.words.indexOf("goal");
    assert.deepEqual(table.data.subarray(16, 24), all.data.subarray(goal * 8, goal * 8 + 8));
  } finally {
    await Deno.remove(path);
  }
});

Deno.test("readWordVectors() decodes numbers with exponents and escaped words", async () => {
  const path = await Deno.makeTempFile();
  try {
    await Deno.writeTextFile(
      path,
      vectorsFileText({ 'say "hi"': [1e-2, -2.5], "vectors": [3, 0.125] }, 2),
    );
    const table = await readWordVectors(path, { top: 10 });
    assert.deepEqual(table.words, ['say "hi"', "vectors"]);
    assert.deepEqual([...table.data], [0.009999999776482582, -2.5, 3, 0.125]);
  } finally {
    await Deno.remove(path);
  }
});

Deno.test("readWordVectors() names the package and `deno install` for a missing or corrupt file", async () => {
  await assert.rejects(
    () => readWordVectors("/nonexistent/vectors.json"),
    (e: Error) =>
      e instanceof WordVectorsError && e.message.includes(VECTORS_PACKAGE) &&
      e.message.includes("deno install"),
  );
  const path = await writeToyVectorsFile();
  try {
    const text = await Deno.readTextFile(path);
    await Deno.writeTextFile(path, text.slice(0, text.length / 2));
    await assert.rejects(() => readWordVectors(path, { top: 5 }), WordVectorsError);
    await Deno.writeTextFile(path, text.replace("[", "[x"));
    await assert.rejects(() => readWordVectors(path, { top: 5 }), WordVectorsError);
    await Deno.writeTextFile(path, text);
    await assert.rejects(
      () => readWordVectors(path, { sha256: "0".repeat(64) }),
      /corrupt \(sha256/,
    );
  } finally {
    await Deno.remove(path);
  }
});

Deno.test("articleVector() is the normalised weighted sum; zero without known tokens", () => {
  const table = {
    vectors: Float32Array.of(0, 0, 1, 0, 0, 1),
    weights: Float32Array.of(0, 1, 3),
    dim: 2,
  };
  const v = articleVector([1, 2, 0], table);
  assert.ok(Math.abs(v[0] - 1 / Math.sqrt(10)) < 1e-6 && Math.abs(v[1] - 3 / Math.sqrt(10)) < 1e-6);
  assert.deepEqual([...articleVector([0, 0], table)], [0, 0]);
  assert.deepEqual([...normalised([0, 0])], [0, 0]);
});

Deno.test("cosine() is 1 for parallel vectors, 0 for orthogonal or zero ones", () => {
  assert.ok(Math.abs(cosine([1, 2], [2, 4]) - 1) < 1e-12);
  assert.equal(cosine([1, 0], [0, 3]), 0);
  assert.equal(cosine([0, 0], [1, 1]), 0);
});

Deno.test("tokenWeights() gives frequent words less SIF weight and none to tokens without a vector", () => {
  const stats = {
    counts: Float64Array.of(0, 100, 1, 5),
    df: Float64Array.of(0, 10, 1, 5),
    rows: 10,
  };
  const sif = tokenWeights((id) => id !== 3, stats, "sif");
  assert.equal(sif[3], 0);
  assert.ok(sif[2] > sif[1]);
  const idf = tokenWeights(() => true, stats, "idf");
  assert.ok(idf[2] > idf[3] && idf[3] > idf[1]);
});
