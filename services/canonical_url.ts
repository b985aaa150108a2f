/**
 * The one spelling of a url that copies of an article share, for dedup keys:
 * `https://EX.com:443/a/?#top`, `https://ex.com/a` and `https://ex.com/a?` are
 * one article. Parsed with the WHATWG `URL` class, which already lower-cases
 * the scheme and host (and writes an international host in punycode), drops a
 * default port and percent-encodes the path; on top of that the fragment, an
 * empty query (`?`) and trailing slashes of the path (never the root `/`) go.
 * The query is kept as sent, order included: `?a=1&b=2` and `?b=2&a=1` can be
 * different pages.
 */

/** Schemes whose path is hierarchical (`/a/b`), so a trailing slash can be dropped. */
const HIERARCHICAL = new Set(["http:", "https:"]);

/**
 * The canonical form of `raw`, or `raw` trimmed and in Unicode NFC when it is
 * not a url at all.
 *
 * @example
 * ```ts
 * canonicalUrl("HTTPS://Ex.com:443/a/?#top"); // "https://ex.com/a"
 * ```
 */
export function canonicalUrl(raw: string): string {
  // NFC first: é written as one code point or as e + accent encodes the same way.
  const text = raw.trim().normalize("NFC");
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return text;
  }
  url.hash = "";
  // Setting an empty search drops a lone "?" too.
  if (url.search === "") url.search = "";
  if (HIERARCHICAL.has(url.protocol)) {
    const path = url.pathname;
    let end = path.length;
    while (end > 1 && path[end - 1] === "/") end--;
    if (end < path.length) url.pathname = path.slice(0, end);
  }
  return url.href;
}
