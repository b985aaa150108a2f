/**
 * Refuses text the database cannot store before any route sees it: a NUL
 * character (PostgreSQL text cannot hold one) or an unpaired UTF-16 surrogate
 * (not Unicode; `jsonb` refuses its escape) in the path, a query parameter or a
 * string anywhere in a JSON body. One check here instead of one per field keeps
 * every route, present and future, covered. The walk is iterative and linear in
 * the body, which the body limit already caps.
 */
import type { MiddlewareHandler } from "hono";
import { AppError } from "../lib/errors.ts";
import { yieldToEventLoop } from "../lib/slices.ts";
import { requestText } from "./body_text.ts";
import type { AppEnv } from "./env.ts";

/** True for text a PostgreSQL `text` or `jsonb` value can hold. */
export function isStorableText(s: string): boolean {
  return s.isWellFormed() && !s.includes("\0");
}

/** The path (`a.b.0`) of the first string in `value` that is not storable, or null. */
export function firstUnstorable(value: unknown): string | null {
  const stack: Array<[unknown, string]> = [[value, ""]];
  while (stack.length > 0) {
    const [v, path] = stack.pop()!;
    if (typeof v === "string") {
      if (!isStorableText(v)) return path;
    } else if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) stack.push([v[i], path ? `${path}.${i}` : `${i}`]);
    } else if (v !== null && typeof v === "object") {
      for (const [k, child] of Object.entries(v)) {
        const at = path ? `${path}.${k}` : k;
        if (!isStorableText(k)) return at;
        stack.push([child, at]);
      }
    }
  }
  return null;
}

/** A JSON body over this size (or of unknown size) is checked and validated in turns of its own. */
export const LARGE_BODY_BYTES = 256 * 1024;

function refuse(where: string): never {
  throw new AppError(
    422,
    "validationFailed",
    "Text may not contain a NUL character or an unpaired surrogate.",
    [{ path: where, message: "contains a NUL character or an unpaired surrogate" }],
  );
}

/**
 * Checks the path and query of every request, and the JSON body of requests
 * that send one (a body that does not parse is left to the route's validator,
 * which answers 400).
 */
export function wellFormedText(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    if (!isStorableText(c.req.path)) refuse("path");
    for (const [name, values] of Object.entries(c.req.queries())) {
      if (!isStorableText(name)) refuse("query");
      for (const v of values) if (!isStorableText(v)) refuse(`query.${name}`);
    }
    if (c.req.header("content-type")?.toLowerCase().includes("json")) {
      // Decoded (a large body a piece at a time, routes/body_text.ts), and kept where Hono's
      // body readers find it (the stream can be read only once).
      const text = requestText(c.req.raw);
      (c.req.bodyCache as { text?: Promise<string> }).text = text;
      const large = Number(c.req.header("content-length") ?? Infinity) > LARGE_BODY_BYTES;
      // Decoding, parsing, walking and the route's validation of a body of megabytes take
      // tens of ms each: each gets a turn of its own.
      let body: unknown;
      try {
        const decoded = await text;
        if (large) await yieldToEventLoop();
        body = JSON.parse(decoded);
      } catch {
        return await next();
      }
      if (large) await yieldToEventLoop();
      const at = firstUnstorable(body);
      if (at !== null) refuse(at ? `body.${at}` : "body");
      // Hono's `c.req.json()` parses the body's text again on every call: the route's
      // validator gets the value checked here instead of a second parse (a 5 MB batch
      // took 40-60 ms a parse).
      const parsed = Promise.resolve(body);
      c.req.json = <T>() => parsed as Promise<T>;
      if (large) await yieldToEventLoop();
    }
    await next();
  };
}
