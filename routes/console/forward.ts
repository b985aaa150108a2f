/**
 * Forwarding a console form's write to the `/v1` JSON API in-process, as the
 * signed-in session (its cookie, its CSRF token, our origin), so validation,
 * audit and error messages are the API's own.
 */
import type { Context } from "hono";
import type { Session } from "../../lib/console_session.ts";
import type { AppEnv } from "../env.ts";

/** A POST to the API on behalf of a session; `body` is sent as JSON when given. */
export interface ApiCall {
  session: Session;
  path: string;
  body?: unknown;
}

/** The API's answer: `data` is the JSON body, `message` its error message (or `HTTP <status>`). */
export interface ApiReply<T> {
  ok: boolean;
  status: number;
  data: T;
  message: string;
}

/** Makes `call` through the app and reads its answer. */
export type Forward = <T>(c: Context<AppEnv>, call: ApiCall) => Promise<ApiReply<T>>;

/** A {@link Forward} through `api`, the app's own fetch. */
export function apiForwarder(
  api: (req: Request, env?: unknown) => Response | Promise<Response>,
): Forward {
  return async (c, { session, path, body }) => {
    const url = new URL(path, c.req.url);
    const headers = new Headers({
      cookie: c.req.header("cookie") ?? "",
      origin: url.origin,
      "sec-fetch-site": "same-origin",
      "x-csrf-token": session.csrf,
      "x-request-id": c.get("requestId"),
    });
    if (body !== undefined) headers.set("content-type", "application/json");
    const res = await api(
      new Request(url, {
        method: "POST",
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
      }),
      // The connection's details, so the API sees the same client address.
      c.env,
    );
    const json = await res.json().catch(() => null);
    return {
      ok: res.ok,
      status: res.status,
      data: json,
      message: (json?.error?.message as string | undefined) ?? `HTTP ${res.status}`,
    };
  };
}
