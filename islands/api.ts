/**
 * The islands' client for the `/v1` JSON API: same-origin requests carrying
 * the session cookie, with the CSRF token from `<meta name="csrf-token">` on
 * writes. Results are `{ok, data}` or `{ok: false, status, code, message}`.
 */

export type ApiResult<T> =
  | { ok: true; data: T }
  | { ok: false; status: number; code: string; message: string };

function csrfToken(): string {
  return document.querySelector<HTMLMetaElement>('meta[name="csrf-token"]')?.content ?? "";
}

/** Calls the API; never throws (network failures come back as `code: "network"`). */
export async function api<T>(
  method: "GET" | "POST" | "PUT" | "DELETE",
  path: string,
  body?: unknown,
): Promise<ApiResult<T>> {
  const headers: Record<string, string> = { accept: "application/json" };
  if (method !== "GET") headers["x-csrf-token"] = csrfToken();
  if (body !== undefined) headers["content-type"] = "application/json";
  let res: Response;
  try {
    res = await fetch(path, {
      method,
      headers,
      credentials: "same-origin",
      body: body === undefined ? undefined : JSON.stringify(body),
      // A write (a review decision queued a moment ago) still lands if the page goes.
      keepalive: method !== "GET",
    });
  } catch (e) {
    return { ok: false, status: 0, code: "network", message: `Network error: ${String(e)}` };
  }
  const json = await res.json().catch(() => null);
  if (res.ok) return { ok: true, data: json as T };
  if (res.status === 401 || (res.status === 403 && json?.error?.code === "csrfFailed")) {
    // The session ended (signed out elsewhere, expired, key rotated): sign in again.
    location.href = `/login?next=${encodeURIComponent(location.pathname + location.search)}`;
  }
  return {
    ok: false,
    status: res.status,
    code: json?.error?.code ?? "httpError",
    message: json?.error?.message ?? `HTTP ${res.status}`,
  };
}

/**
 * A JSON write sent as the page goes away (`keepalive`: it outlives the page, with
 * the session cookie and the CSRF token, so it is checked like any other write;
 * browsers cap such bodies at 64 KB). Nothing can be done with its answer any more,
 * so none is awaited.
 */
export function sendOnExit(path: string, body: unknown): void {
  fetch(path, {
    method: "POST",
    headers: {
      accept: "application/json",
      "content-type": "application/json",
      "x-csrf-token": csrfToken(),
    },
    credentials: "same-origin",
    body: JSON.stringify(body),
    keepalive: true,
  }).catch(() => {});
}
