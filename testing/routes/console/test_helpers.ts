/** Helpers for the console's HTTP tests: form posts, cookies, signing in through the form. */
import assert from "node:assert/strict";
import { ALICE_KEY, type testApp } from "../test_app.ts";

/** The origin `app.request()` uses for a bare path. */
export const ORIGIN = "http://localhost";

export type App = ReturnType<typeof testApp>["app"];

/** Cookie header value from a response's Set-Cookie headers (name=value pairs). */
export function cookiesOf(res: Response): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of res.headers.getSetCookie()) {
    const [pair] = line.split(";");
    const i = pair.indexOf("=");
    out.set(pair.slice(0, i), pair.slice(i + 1));
  }
  return out;
}

/** A same-origin urlencoded form post of `fields`. */
export function form(
  fields: Record<string, string>,
  headers: Record<string, string> = {},
): RequestInit {
  return {
    method: "POST",
    headers: {
      "content-type": "application/x-www-form-urlencoded",
      origin: ORIGIN,
      "sec-fetch-site": "same-origin",
      ...headers,
    },
    body: new URLSearchParams(fields).toString(),
  };
}

/** Signs in through the form; returns the session cookie header and the CSRF token. */
export async function signIn(app: App, key = ALICE_KEY): Promise<{ cookie: string; csrf: string }> {
  const page = await app.request("/login");
  const token = /name="_csrf" value="([^"]+)"/.exec(await page.text())![1];
  const loginCookie = cookiesOf(page).get("ni_login")!;
  const res = await app.request(
    "/login",
    form({ _csrf: token, key, next: "/" }, { cookie: `ni_login=${loginCookie}` }),
  );
  assert.equal(res.status, 303);
  const cookie = `ni_session=${cookiesOf(res).get("ni_session")}`;
  const home = await app.request("/review", { headers: { cookie } });
  const csrf = /<meta name="csrf-token" content="([^"]+)"/.exec(await home.text())![1];
  return { cookie, csrf };
}
