import assert from "node:assert/strict";
import { Hono } from "hono";
import { AppError } from "../../lib/errors.ts";
import type { AppEnv } from "../env.ts";
import { staticApp, staticAssets } from "./static.ts";

/** A static folder in a temp dir with the given files (paths relative to it). */
async function folder(files: Record<string, string>): Promise<URL> {
  const dir = await Deno.makeTempDir();
  await Deno.mkdir(`${dir}/build`);
  for (const [name, text] of Object.entries(files)) {
    await Deno.writeTextFile(`${dir}/${name}`, text);
  }
  return new URL(`file://${dir}/`);
}

function app(dir: URL) {
  const app = new Hono<AppEnv>().route("/", staticApp(staticAssets(dir)));
  app.onError((err, c) => c.text(err.message, err instanceof AppError ? err.status as 404 : 500));
  return app;
}

Deno.test("staticApp() caches hashed chunks for good and revalidates everything else", async () => {
  const dir = await folder({
    "console.css": "body{}",
    "build/chunk-AB12.js": "x",
    "build/a.js": "y",
  });
  const served = app(dir);
  const chunk = await served.request("/static/build/chunk-AB12.js");
  assert.equal(chunk.status, 200);
  assert.match(chunk.headers.get("content-type")!, /text\/javascript/);
  assert.equal(chunk.headers.get("cache-control"), "public, max-age=31536000, immutable");
  assert.equal(await chunk.text(), "x");
  for (const path of ["/static/build/a.js", "/static/console.css"]) {
    const res = await served.request(path);
    assert.equal(res.headers.get("cache-control"), "no-cache", path);
    const etag = res.headers.get("etag")!;
    await res.body?.cancel();
    const again = await served.request(path, { headers: { "if-none-match": etag } });
    assert.equal(again.status, 304, path);
  }
  await Deno.remove(dir, { recursive: true });
});

Deno.test("staticApp() serves no dot files, unknown types or missing files", async () => {
  const dir = await folder({ ".env": "SECRET=1", "notes.txt": "hi", "console.css": "" });
  const served = app(dir);
  for (
    const path of ["/static/.env", "/static/notes.txt", "/static/missing.css", "/static/..%2F"]
  ) {
    const res = await served.request(path);
    assert.equal(res.status, 404, path);
    await res.body?.cancel();
  }
  await Deno.remove(dir, { recursive: true });
});

Deno.test("staticAssets().version() follows the stylesheet and the island manifest", async () => {
  const a = await folder({ "console.css": "body{}", "build/manifest.json": "{}" });
  const b = await folder({ "console.css": "body{color:red}", "build/manifest.json": "{}" });
  const c = await folder({ "console.css": "body{}", "build/manifest.json": '{"x":1}' });
  const [va, vb, vc, va2] = await Promise.all(
    [a, b, c, a].map((dir) => staticAssets(dir).version()),
  );
  assert.match(va, /^[0-9a-f]{10}$/);
  assert.equal(va, va2);
  assert.notEqual(va, vb);
  assert.notEqual(va, vc);
  for (const dir of [a, b, c]) await Deno.remove(dir, { recursive: true });
});
