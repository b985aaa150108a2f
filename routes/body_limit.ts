/**
 * One body limit for every request, applied before anything reads the body:
 * `/v1` takes `MAX_BODY_BYTES`, every other path (sign-in, console forms, and
 * paths that match no route at all) the few kilobytes a form needs. A declared
 * `Content-Length` over the limit is refused without reading; a streamed body
 * is counted as it arrives and refused as soon as it passes the limit, so no
 * caller — signed in or not — can make the process hold more than the limit.
 */
import type { MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import { AppError } from "../lib/errors.ts";
import type { AppEnv } from "./env.ts";

/** The largest body outside `/v1`: console forms are a few short fields. */
export const FORM_MAX_BYTES = 64 * 1024;

/** Refuses a body over `maxSize` bytes with 413, counting as it reads. */
export function bodyLimitOf(maxSize: number): MiddlewareHandler<AppEnv> {
  return bodyLimit({
    maxSize,
    onError: () => {
      throw new AppError(413, "payloadTooLarge", `The body is larger than ${maxSize} bytes.`);
    },
  });
}

/**
 * The limit of every path: `api` bytes under `/v1`, `other` bytes elsewhere.
 *
 * @example
 * ```ts
 * app.use(bodyLimits({ api: config.maxBodyBytes, other: FORM_MAX_BYTES }));
 * ```
 */
export function bodyLimits(options: { api: number; other: number }): MiddlewareHandler<AppEnv> {
  const api = bodyLimitOf(options.api);
  const other = bodyLimitOf(options.other);
  return (c, next) => {
    const path = c.req.path;
    return (path === "/v1" || path.startsWith("/v1/") ? api : other)(c, next);
  };
}
