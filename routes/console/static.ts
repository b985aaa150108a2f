/**
 * The console's static assets: the stylesheet, icons and the island build
 * under `/static/`, read once and kept in memory with a content-hash ETag.
 * Chunk names carry their content hash and are cached for a year; everything
 * else is revalidated (cheap 304s).
 */
import { Hono } from "hono";
import type { Context } from "hono";
import { createHash } from "node:crypto";
import { AppError } from "../../lib/errors.ts";
import type { AppEnv } from "../env.ts";

/** `name.ext` or `build/name.ext`: no dot files, no traversal. */
const STATIC_NAME = /^(build\/)?[A-Za-z0-9_][\w.-]*$/;

const STATIC_TYPES: Record<string, string> = {
  css: "text/css; charset=utf-8",
  js: "text/javascript; charset=utf-8",
  json: "application/json",
  png: "image/png",
  svg: "image/svg+xml",
};

/** One file as served: its bytes and its ETag. */
export interface StaticFile {
  body: Uint8Array;
  etag: string;
}

/** The files under the static folder, read on first use and cached. */
export interface StaticAssets {
  /** The file at `rel` (relative to the folder), or null if there is none. */
  read(rel: string): Promise<StaticFile | null>;
  /** Changes whenever the stylesheet or the island build changes (pages add it to URLs). */
  version(): Promise<string>;
}

/** The assets under `dir` (a folder URL ending in `/`). */
export function staticAssets(dir: URL): StaticAssets {
  const files = new Map<string, StaticFile>();
  let assetVersion: string | null = null;

  const read = async (rel: string) => {
    const hit = files.get(rel);
    if (hit) return hit;
    const body = await Deno.readFile(new URL(rel, dir)).catch(() => null);
    if (!body) return null;
    const etag = `"${createHash("sha256").update(body).digest("base64url").slice(0, 16)}"`;
    const entry = { body, etag };
    files.set(rel, entry);
    return entry;
  };

  const version = async () => {
    if (assetVersion) return assetVersion;
    const css = await read("console.css");
    const manifest = await read("build/manifest.json");
    assetVersion = createHash("sha256")
      .update(css?.etag ?? "").update(manifest?.etag ?? "").digest("hex").slice(0, 10);
    return assetVersion;
  };

  return { read, version };
}

/** `GET /static/:file` and `GET /static/build/:file`, open to everyone. */
export function staticApp(assets: StaticAssets): Hono<AppEnv> {
  async function serveStatic(c: Context, rel: string): Promise<Response> {
    const file = STATIC_NAME.test(rel) ? await assets.read(rel) : null;
    const type = STATIC_TYPES[rel.split(".").pop() ?? ""];
    if (!file || !type) {
      throw new AppError(404, "notFound", `No static file ${rel}.`);
    }
    c.header("etag", file.etag);
    c.header(
      "cache-control",
      /^build\/chunk-/.test(rel) ? "public, max-age=31536000, immutable" : "no-cache",
    );
    if (c.req.header("if-none-match") === file.etag) return c.body(null, 304);
    c.header("content-type", type);
    return c.body(file.body as Uint8Array<ArrayBuffer>, 200);
  }

  const app = new Hono<AppEnv>();
  app.get("/static/:file", (c) => serveStatic(c, c.req.param("file")));
  app.get("/static/build/:file", (c) => serveStatic(c, `build/${c.req.param("file")}`));
  return app;
}
