/** Where the console goes after sign-in: the `next` parameter, kept to local paths. */

/** A fixed origin that `next` is resolved against; nothing is ever fetched from it. */
const NEXT_BASE = "http://x.invalid";

/**
 * `next` after sign-in: a path on our own origin, else `/`. The value is resolved the way a
 * browser resolves a `Location` header (dot segments, `%2e`, backslashes, tabs and newlines
 * all normalised), and the resolved path is what is returned and checked, so `/.//host`
 * cannot turn into the protocol-relative `//host` after the check.
 */
export function safeNext(next: string | undefined | null): string {
  if (!next || next.length > 2000) return "/";
  let url: URL;
  try {
    url = new URL(next, NEXT_BASE);
  } catch {
    return "/";
  }
  if (url.origin !== NEXT_BASE) return "/";
  const path = url.pathname + url.search;
  if (!path.startsWith("/") || path.startsWith("//") || path.startsWith("/\\")) return "/";
  if (url.pathname === "/login" || url.pathname === "/logout") return "/";
  return path;
}
