/** Where the console goes after sign-in: the `next` parameter, kept to local paths. */

/**
 * `next` after sign-in: a local path only (no scheme, host, `//` or
 * backslash tricks), else `/`.
 */
export function safeNext(next: string | undefined | null): string {
  const control = [...(next ?? "")].some((ch) => ch.charCodeAt(0) < 0x20 || ch === "\\");
  if (!next || next.length > 2000 || !next.startsWith("/") || control) {
    return "/";
  }
  if (next.startsWith("//")) return "/";
  try {
    const u = new URL(next, "http://console.invalid");
    if (u.origin !== "http://console.invalid") return "/";
    if (u.pathname === "/login" || u.pathname === "/logout") return "/";
    return u.pathname + u.search;
  } catch {
    return "/";
  }
}
