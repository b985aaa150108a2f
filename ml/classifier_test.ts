import assert from "node:assert/strict";
import { join } from "node:path";
import { loadClassifier, MAX_RUN_CHARS, runsOf } from "./classifier.ts";
import { denseVector, encodeWords, modelLogits, softmax } from "./model.ts";
import { toyVectorProvider, writeToyVectorsFile } from "../testing/ml/test_word_vectors.ts";
import { ModelDirError, writeModelDir } from "./model_dir.ts";
import { normalizeNewsText } from "./normalize.ts";
import { createWordSplitter } from "./word_splitter.ts";
import { toyCorpus } from "../testing/ml/toy_corpus.ts";
import { trainTextClassifier } from "./train.ts";
import { HEADLINE_REPEATS } from "./article_text.ts";

const model = await trainTextClassifier(toyCorpus(300), {
  buckets: 4096,
  epochs: 8,
  validationFraction: 0.2,
});
const META = { name: "toy", version: "2", trainingData: { sha256: "cd".repeat(32), size: 300 } };
const modelDir = await Deno.makeTempDir({ prefix: "classifier_test_" });
await writeModelDir(modelDir, model, META);

const TEXTS = [
  "The striker scored a late goal as the league season ended.",
  "Shares rose after the bank beat earnings forecasts #39;s  quot;again quot;",
  "NASA's new telescope and a robot\\ launch tuesday",
  "",
  "goal",
  "zzz unknown words only",
  "match ".repeat(300),
  // Unseen words: WordPiece splits them into pieces whose n-gram weights the graph sums.
  "Strikers scoring goalless matches; telescopes photographed",
];

Deno.test("ONNX export gives the TypeScript model's calibrated probabilities", async () => {
  const classifier = await loadClassifier({ kind: "dir", dir: modelDir });
  const predictions = await classifier.classify(TEXTS);
  const split = createWordSplitter();
  TEXTS.forEach((text, i) => {
    const expected = softmax(
      modelLogits(model, encodeWords(model, split(normalizeNewsText(text)))),
    );
    model.labels.forEach((label, c) => {
      const got = predictions[i].scores[label];
      assert.ok(Math.abs(got - expected[c]) < 1e-4, `${text}: ${label} ${got} vs ${expected[c]}`);
    });
  });
  await classifier.dispose();
});

Deno.test("writeModelDir() writes a WordPiece tokenizer for a model with sub-word pieces", async () => {
  const json = JSON.parse(await Deno.readTextFile(join(modelDir, "tokenizer.json")));
  assert.equal(json.model.type, "WordPiece");
  assert.ok(model.uniformMix !== undefined);
});

Deno.test("classify() returns one prediction per text, in order, over all labels", async () => {
  const classifier = await loadClassifier({ kind: "dir", dir: modelDir }, { batchSize: 2 });
  assert.equal(classifier.name, "toy");
  assert.equal(classifier.version, "2");
  assert.deepEqual(classifier.labels, model.labels);
  assert.equal(classifier.manifest?.trainingData.size, 300);
  const batched = await classifier.classify(TEXTS);
  assert.equal(batched.length, TEXTS.length);
  for (const [i, text] of TEXTS.entries()) {
    const [single] = await classifier.classify([text]);
    assert.equal(batched[i].label, single.label);
    assert.ok(Math.abs(batched[i].score - single.score) < 1e-5);
    const scores = Object.values(batched[i].scores);
    assert.deepEqual(Object.keys(batched[i].scores).sort(), [...model.labels].sort());
    assert.ok(Math.abs(scores.reduce((a, b) => a + b, 0) - 1) < 1e-5);
    assert.equal(batched[i].score, Math.max(...scores));
    assert.equal(batched[i].scores[batched[i].label], batched[i].score);
  }
  assert.equal(batched[0].label, "sport");
  assert.equal(batched[1].label, "markets");
  assert.equal(batched[2].label, "science");
  assert.deepEqual(await classifier.classify([]), []);
  await classifier.dispose();
});

Deno.test("runsOf() caps each model run by texts and by characters", () => {
  const lengths = [10, 10, 10, MAX_RUN_CHARS, 10, MAX_RUN_CHARS - 15, 10];
  assert.deepEqual(runsOf([0, 1, 2, 3, 4, 5, 6], (i) => lengths[i], 2), [
    [0, 1],
    [2],
    [3], // one text over the cap runs alone
    [4, 5],
    [6],
  ]);
  assert.deepEqual(runsOf([], () => 1, 4), []);
});

Deno.test("classify() of many long texts runs in bounded pieces and keeps every prediction", async () => {
  const classifier = await loadClassifier({ kind: "dir", dir: modelDir });
  // More characters than one run may take: the call is split, in order, same answers.
  const long = Array.from(
    { length: 12 },
    (_, i) => `${TEXTS[i % TEXTS.length]} `.repeat(Math.ceil(20_000 / (TEXTS[0].length + 1))),
  );
  assert.ok(long.reduce((n, t) => n + t.length, 0) > MAX_RUN_CHARS);
  const all = await classifier.classify(long);
  for (const [i, text] of long.entries()) {
    const [one] = await classifier.classify([text]);
    assert.equal(all[i].label, one.label);
    assert.ok(Math.abs(all[i].score - one.score) < 1e-5);
  }
  await classifier.dispose();
});

Deno.test("loadClassifier() refuses a tampered model directory", async () => {
  const dir = await Deno.makeTempDir({ prefix: "classifier_test_" });
  await writeModelDir(dir, model, META);
  const path = join(dir, "tokenizer.json");
  const bytes = await Deno.readFile(path);
  bytes[10] ^= 1;
  await Deno.writeFile(path, bytes);
  await assert.rejects(
    () => loadClassifier({ kind: "dir", dir }),
    (e) =>
      e instanceof ModelDirError && /tokenizer\.json does not match its manifest/.test(e.message),
  );
  await Deno.remove(dir, { recursive: true });
});

Deno.test("loadClassifier() loads a plain Hugging Face directory and names missing files", async () => {
  const dir = await Deno.makeTempDir({ prefix: "classifier_test_" });
  await writeModelDir(dir, model, META);
  await Deno.remove(join(dir, "manifest.json"));
  const classifier = await loadClassifier({ kind: "dir", dir });
  assert.equal(classifier.version, "unversioned");
  assert.deepEqual(classifier.labels, model.labels);
  assert.equal((await classifier.classify(["a goal in the match"]))[0].label, "sport");
  await classifier.dispose();
  await Deno.remove(join(dir, "onnx/model.onnx"));
  await assert.rejects(
    () => loadClassifier({ kind: "dir", dir }),
    (e) => e instanceof ModelDirError && /has no onnx\/model\.onnx/.test(e.message),
  );
  await assert.rejects(
    () => loadClassifier({ kind: "dir", dir: join(dir, "missing") }),
    (e) => e instanceof ModelDirError && /does not exist/.test(e.message),
  );
  await Deno.remove(dir, { recursive: true });
});

Deno.test("loadClassifier() downloads from a hub at the pinned revision", async () => {
  const revision = "0123456789abcdef0123456789abcdef01234567";
  const repo = "newsintel/toy-topics";
  const requested: string[] = [];
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (req) => {
    const path = decodeURIComponent(new URL(req.url).pathname);
    requested.push(path);
    const prefix = `/${repo}/resolve/${revision}/`;
    if (!path.startsWith(prefix)) return new Response("Entry not found", { status: 404 });
    try {
      return new Response(await Deno.readFile(join(modelDir, path.slice(prefix.length))));
    } catch {
      return new Response("Entry not found", { status: 404 });
    }
  });
  const endpoint = `http://127.0.0.1:${server.addr.port}/`;
  const cacheDir = await Deno.makeTempDir({ prefix: "hub_cache_" });
  try {
    const classifier = await loadClassifier({ kind: "hub", repo, revision, endpoint, cacheDir });
    assert.equal(classifier.name, repo);
    assert.equal(classifier.version, revision);
    assert.deepEqual(classifier.labels, model.labels);
    const [p] = await classifier.classify(["Shares and profit at the bank"]);
    assert.equal(p.label, "markets");
    await classifier.dispose();
    for (const file of ["config.json", "tokenizer.json", "onnx/model.onnx"]) {
      assert.ok(
        requested.includes(`/${repo}/resolve/${revision}/${file}`),
        `${file}: ${requested}`,
      );
    }
    assert.ok(requested.every((p) => p.includes(`/resolve/${revision}/`)), String(requested));

    await assert.rejects(
      () => loadClassifier({ kind: "hub", repo, revision: "deadbeef", endpoint, cacheDir }),
      /Could not load newsintel\/toy-topics at revision deadbeef/,
    );
  } finally {
    await server.shutdown();
    await Deno.remove(cacheDir, { recursive: true });
  }
});

Deno.test({
  name: "loadClassifier() starts no onnxruntime thread pool per model",
  // Linux lists a process's threads in /proc; with one core there is no pool to start.
  ignore: Deno.build.os !== "linux" || navigator.hardwareConcurrency < 2,
  fn: async () => {
    // In a program of its own: under `deno test`, onnxruntime starts no pool either way.
    // Its pool threads carry the process's name; the runtime's I/O workers do not.
    const script = `
      import { loadClassifier } from ${JSON.stringify(import.meta.resolve("./classifier.ts"))};
      const named = () => [...Deno.readDirSync("/proc/self/task")].filter((t) =>
        Deno.readTextFileSync(\`/proc/self/task/\${t.name}/comm\`) ===
          Deno.readTextFileSync("/proc/self/comm")).length;
      const models = [await loadClassifier({ kind: "dir", dir: ${JSON.stringify(modelDir)} })];
      const before = named();
      for (let i = 0; i < 4; i++) {
        models.push(await loadClassifier({ kind: "dir", dir: ${JSON.stringify(modelDir)} }));
        await models.at(-1).classify(["The striker scored."]);
      }
      console.log(named() - before);
      for (const m of models) await m.dispose();
    `;
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["eval", "--quiet", script],
      stderr: "inherit",
    }).output();
    assert.ok(out.success);
    const started = Number(new TextDecoder().decode(out.stdout).trim());
    // The default would start one thread per extra core for each of the four models.
    assert.ok(started < 4, `${started} threads started by 4 more models`);
  },
});

Deno.test("a classifier gives the headline repeats its manifest records; 1 for a model from before", async () => {
  const now = await loadClassifier({ kind: "dir", dir: modelDir });
  assert.equal(model.hyperparameters.headlineRepeats, HEADLINE_REPEATS);
  assert.equal(now.headlineRepeats, HEADLINE_REPEATS);
  await now.dispose();
  const { headlineRepeats: _, ...before } = model.hyperparameters;
  const dir = await Deno.makeTempDir({ prefix: "classifier_test_before_" });
  try {
    await writeModelDir(dir, { ...model, hyperparameters: before }, META);
    const old = await loadClassifier({ kind: "dir", dir });
    assert.equal(old.headlineRepeats, 1);
    await old.dispose();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test({
  name: "classifier test cleanup",
  fn: async () => await Deno.remove(modelDir, { recursive: true }),
});

Deno.test("a model with word vectors gives each text's vector beside its prediction; one without gives none", async () => {
  const vectorsFile = await writeToyVectorsFile();
  const dir = await Deno.makeTempDir({ prefix: "classifier_vectors_test_" });
  try {
    const dense = await trainTextClassifier(toyCorpus(120), {
      buckets: 1024,
      epochs: 4,
      validationFraction: 0,
      vectors: toyVectorProvider(vectorsFile),
    });
    const manifest = await writeModelDir(dir, dense, META);
    assert.equal(manifest.vectors?.dim, 8);
    assert.equal(manifest.vectors?.encoding, "int8");
    const classifier = await loadClassifier({ kind: "dir", dir });
    try {
      const texts = ["The footballer scored a goal", "zzz"];
      const got = await classifier.classify(texts);
      const split = createWordSplitter();
      const expected = denseVector(dense, encodeWords(dense, split(normalizeNewsText(texts[0]))))!;
      assert.equal(got[0].vector?.length, 8);
      expected.forEach((x, j) => assert.ok(Math.abs(x - got[0].vector![j]) < 1e-2));
      assert.deepEqual([...got[1].vector!], new Array(8).fill(0), "no known word: a zero vector");
    } finally {
      await classifier.dispose();
    }
    await Deno.remove(dir, { recursive: true });
    await writeModelDir(dir, model, META);
    const plain = await loadClassifier({ kind: "dir", dir });
    try {
      const [p] = await plain.classify(["goal"]);
      assert.equal(p.vector, undefined);
    } finally {
      await plain.dispose();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
    await Deno.remove(vectorsFile);
  }
});
