import assert from "node:assert/strict";
import { join } from "node:path";
import { loadClassifier } from "./classifier.ts";
import { cappedFetch, COMMIT_ID, DownloadTooLargeError } from "./hub_fetch.ts";
import { writeModelDir } from "./model_dir.ts";
import { toyCorpus } from "../testing/ml/toy_corpus.ts";
import { trainTextClassifier } from "./train.ts";

/** A loopback server sending `size` bytes, with a Content-Length or streamed without one. */
function serveBytes(size: number, withLength: boolean) {
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, () => {
    if (withLength) return new Response(new Uint8Array(size));
    let sent = 0;
    return new Response(
      new ReadableStream({
        pull(controller) {
          if (sent >= size) return controller.close();
          const chunk = Math.min(8192, size - sent);
          sent += chunk;
          controller.enqueue(new Uint8Array(chunk));
        },
      }),
    );
  });
  return { url: `http://127.0.0.1:${server.addr.port}/file`, close: () => server.shutdown() };
}

Deno.test("cappedFetch() refuses a Content-Length over the cap before reading the body", async () => {
  const server = serveBytes(64 << 10, true);
  try {
    await assert.rejects(
      () => cappedFetch(32 << 10)(server.url),
      (e) => e instanceof DownloadTooLargeError && /larger than 32768 bytes/.test(e.message),
    );
  } finally {
    await server.close();
  }
});

Deno.test("cappedFetch() cuts off a body without Content-Length past the cap", async () => {
  const server = serveBytes(64 << 10, false);
  try {
    const res = await cappedFetch(32 << 10)(server.url);
    await assert.rejects(() => res.arrayBuffer(), DownloadTooLargeError);
  } finally {
    await server.close();
  }
});

Deno.test("cappedFetch() passes a body within the cap through unchanged", async () => {
  for (const withLength of [true, false]) {
    const server = serveBytes(32 << 10, withLength);
    try {
      const res = await cappedFetch(32 << 10)(server.url);
      assert.equal(res.status, 200);
      assert.equal((await res.arrayBuffer()).byteLength, 32 << 10);
    } finally {
      await server.close();
    }
  }
});

Deno.test("COMMIT_ID accepts full commit ids only", () => {
  assert.ok(COMMIT_ID.test("0123456789abcdef0123456789abcdef01234567"));
  for (
    const r of ["main", "v1.0", "0123abc", "refs/pr/1", "0123456789ABCDEF0123456789ABCDEF01234567"]
  ) {
    assert.ok(!COMMIT_ID.test(r), r);
  }
});

Deno.test("loadClassifier() refuses a hub model file over the cap and caches none of it", async () => {
  const model = await trainTextClassifier(toyCorpus(60), { buckets: 256, epochs: 2 });
  const modelDir = await Deno.makeTempDir({ prefix: "hub_fetch_test_" });
  await writeModelDir(modelDir, model, {
    name: "toy",
    version: "1",
    trainingData: { sha256: "ab".repeat(32), size: 60 },
  });
  const revision = "0123456789abcdef0123456789abcdef01234567";
  const repo = "newsintel/toy-topics";
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (req) => {
    const path = decodeURIComponent(new URL(req.url).pathname);
    const prefix = `/${repo}/resolve/${revision}/`;
    const bytes = path.startsWith(prefix)
      ? await Deno.readFile(join(modelDir, path.slice(prefix.length))).catch(() => null)
      : null;
    return bytes ? new Response(bytes) : new Response("Entry not found", { status: 404 });
  });
  const cacheDir = await Deno.makeTempDir({ prefix: "hub_cache_" });
  const onnxBytes = (await Deno.stat(join(modelDir, "onnx/model.onnx"))).size;
  try {
    await assert.rejects(
      () =>
        loadClassifier({
          kind: "hub",
          repo,
          revision,
          endpoint: `http://127.0.0.1:${server.addr.port}/`,
          cacheDir,
          maxBytes: onnxBytes - 1,
        }),
      /larger than/,
    );
    const cached: string[] = [];
    for await (const e of Deno.readDir(cacheDir)) cached.push(e.name);
    const onnx = await Deno.stat(join(cacheDir, repo, "onnx/model.onnx")).catch(() => null);
    assert.equal(onnx, null, `no model.onnx in the cache (${cached})`);
  } finally {
    await server.shutdown();
    await Deno.remove(cacheDir, { recursive: true });
    await Deno.remove(modelDir, { recursive: true });
  }
});
