import assert from "node:assert/strict";
import { canonicalUrl } from "./canonical_url.ts";

Deno.test("canonicalUrl() folds case of scheme and host, default ports, fragments, '?' and '/'", () => {
  const same = [
    "https://ex.com/a",
    "https://EX.com/a",
    "HTTPS://ex.com/a",
    "https://ex.com:443/a",
    "https://ex.com/a/",
    "https://ex.com/a//",
    "https://ex.com/a?",
    "https://ex.com/a#comments",
    "  https://ex.com/a/?#x ",
  ];
  for (const u of same) assert.equal(canonicalUrl(u), "https://ex.com/a", u);
  assert.equal(canonicalUrl("http://ex.com:80/"), "http://ex.com/");
  assert.equal(canonicalUrl("https://ex.com"), "https://ex.com/");
});

Deno.test("canonicalUrl() keeps what can name another page: path case, query and its order, port", () => {
  assert.equal(canonicalUrl("https://ex.com/A"), "https://ex.com/A");
  assert.equal(canonicalUrl("https://ex.com/a?b=2&a=1"), "https://ex.com/a?b=2&a=1");
  assert.notEqual(
    canonicalUrl("https://ex.com/a?a=1&b=2"),
    canonicalUrl("https://ex.com/a?b=2&a=1"),
  );
  assert.equal(canonicalUrl("https://ex.com:8443/a/"), "https://ex.com:8443/a");
  assert.equal(canonicalUrl("http://ex.com/a"), "http://ex.com/a");
});

Deno.test("canonicalUrl() treats NFC and NFD spellings alike, and leaves a non-url as NFC text", () => {
  assert.equal(
    canonicalUrl("https://ex.com/caf\u0065\u0301"),
    canonicalUrl("https://ex.com/caf\u00e9"),
  );
  assert.equal(canonicalUrl("https://B\u00fccher.example/"), "https://xn--bcher-kva.example/");
  assert.equal(canonicalUrl(" not a url \u0065\u0301"), "not a url \u00e9");
});
