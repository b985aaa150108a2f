/**
 * Hostile input for the adversarial suite (routes/fuzz_test.ts): the strings,
 * numbers, dates, methods and headers an attacker sends first, as fixed lists
 * (swept over every parameter) and as fast-check arbitraries (mixed at random).
 * Bodies built from a route's JSON schema: testing/routes/hostile_schema.ts.
 */
import fc from "fast-check";

/** `A.` repeated: sentence splitting that scans back from every full stop is quadratic here. */
export const sentenceRun = (n: number): string => "A.".repeat(n);

/** Strings for text fields and query values; the heavy ones are the point. */
export const HOSTILE_STRINGS: readonly string[] = [
  "x".repeat(100_000), // 100k characters, no space
  sentenceRun(16_000),
  "Word. ".repeat(16_000), // many short sentences
  "word ".repeat(20_000), // many words
  "a" + "\u0301".repeat(10_000), // combining marks
  "😀".repeat(10_000),
  "\ud800", // lone surrogates
  "a\udfffb\ud800",
  "\u202eevil\u202c \u200f\u200e", // RTL and direction marks
  "\u200b\u200c\u200d\ufeff", // zero-width
  "\u0000",
  "a\u0000b",
  "\u0001\u001f\u007f\u0085\u2028\u2029",
  "'; DROP TABLE articles; --",
  "<script>alert(1)</script>",
  "../../../../etc/passwd",
  "$1 $2 $$ ${} %s %n {{7*7}}",
  "__proto__",
  "",
  " \t\n ",
];

/** Values that read as numbers, or almost, for integer and number parameters. */
export const HOSTILE_NUMBERS: readonly string[] = [
  "-1",
  "0",
  "-0",
  "1.5",
  "1e308",
  "1e309",
  "-1e308",
  "9007199254740993",
  "99999999999999999999999",
  "-99999999999999999999",
  "0x1f",
  "1_000",
  "NaN",
  "Infinity",
  "-Infinity",
  "null",
  " 7 ",
  "9".repeat(10_000),
];

/** Dates at the ends of the calendar and in the formats parsers disagree on. */
export const HOSTILE_DATES: readonly string[] = [
  "0001-01-01T00:00:00Z",
  "9999-12-31T23:59:59Z",
  "0001-01-01",
  "9999-12-31",
  "0000-01-01T00:00:00Z",
  "-000001-01-01T00:00:00Z",
  "+275760-09-13T00:00:00Z",
  "+275760-09-13T00:00:00.001Z",
  "2024-02-30T00:00:00Z",
  "2024-13-01",
  "2024-01-01T24:00:00Z",
  "2024-01-01T00:00:00+23:59",
  "2024-01-01T00:00:00.123456789Z",
  "2024-01-01 00:00:00",
  "20240101T000000Z",
  "2024-W01-1",
  "1700000000",
  "now",
  "NaN",
  "Infinity",
];

/** [from, to] pairs: the widest ranges (in the ISO and the date-only form), and inverted. */
export const HOSTILE_RANGES: readonly [string, string][] = [
  ["0001-01-01T00:00:00Z", "9999-12-31T00:00:00Z"],
  ["0001-01-01", "9999-12-31"],
  ["1900-01-01T00:00:00Z", "2100-01-01T00:00:00Z"],
  ["1900-01-01", "2100-01-01"],
  ["9999-12-31T00:00:00Z", "0001-01-01T00:00:00Z"],
  ["2024-01-01T00:00:00+14:00", "2024-01-01T00:00:00-12:00"],
];

/**
 * Query values sent exactly as written (already percent-encoded): invalid
 * UTF-8, an encoded surrogate, overlong and truncated escapes.
 */
export const RAW_QUERY_VALUES: readonly string[] = [
  "%ff%fe",
  "%ED%A0%80",
  "%C0%AF",
  "%",
  "%zz",
  "%00",
  "%E2%80%AE",
  "a%26b%3Dc",
];

/** Path segments for `{id}`, `{version}` and static files, as written. */
export const HOSTILE_SEGMENTS: readonly string[] = [
  "-1",
  "0",
  "1e3",
  "99999999999999999999",
  "9".repeat(1_000),
  "NaN",
  "%00",
  "%ff",
  "%",
  "%2e%2e",
  "..%2f..%2fdeno.json",
  "..%2F..%2F..%2Fetc%2Fpasswd",
  "%2e%2e%2f%2e%2e%2fdeno.json",
  "%252e%252e%252fdeno.json",
  "x".repeat(100_000),
  "a%0d%0aSet-Cookie:%20x=1",
  "%E2%80%AE",
];

/** Methods beyond the route's own; TRACE/CONNECT-like ones go through {@link requestWithMethod}. */
export const ODD_METHODS: readonly string[] = [
  "FOOBAR",
  "get",
  "PROPFIND",
  "M-SEARCH",
  "patch",
  "TRACE",
  "CONNECT",
  "TRACK",
  "PATCH",
  "OPTIONS",
  "HEAD",
  "DELETE",
  "A".repeat(1_000),
];

/** Content types a client may claim for a JSON body. */
export const HOSTILE_CONTENT_TYPES: readonly string[] = [
  "text/plain",
  "application/json; charset=utf-16",
  "application/json; charset=iso-8859-1",
  'application/json; charset="',
  "application/json, text/html",
  "application/x-www-form-urlencoded",
  "multipart/form-data",
  "multipart/form-data; boundary=",
  "application/xml",
  "",
  "application/json" + "; a=b".repeat(2_000),
];

/** `x-request-id` values a client may send: none of them should be echoed as is. */
export const HOSTILE_REQUEST_IDS: readonly string[] = [
  "../../etc/passwd",
  "x".repeat(10_000),
  "id with spaces",
  "é\u00ff",
  "a\tb",
  "<script>",
  "",
];

/** Header sets: huge, many cookies, forged sessions, spoofed addresses and hosts. */
export const HOSTILE_HEADERS: readonly Record<string, string>[] = [
  { "x-padding": "x".repeat(64 * 1024) },
  { cookie: Array.from({ length: 2_000 }, (_, i) => `c${i}=${i}`).join("; ") },
  { cookie: `ni_session=${"A".repeat(3_000)}.${"B".repeat(43)}` },
  { cookie: "ni_session=e30.AAAA; ni_session=x.y; ni_login=" },
  { cookie: "ni_session=%ff%fe.%00; =; ;;; a" },
  { "x-forwarded-for": "1.2.3.4, " + "9.9.9.9, ".repeat(1_000) },
  { "x-forwarded-for": "not an address" },
  { "x-forwarded-proto": "javascript" },
  { host: "evil.example" },
  { origin: "null" },
  { origin: "http://evil.example", "sec-fetch-site": "cross-site" },
  { accept: "text/plain, application/json;q=" + "9".repeat(1_000) },
  { "accept-encoding": "gzip;q=0, br, zstd, " + "x, ".repeat(1_000) },
  { "if-none-match": '"' + "x".repeat(10_000) + '"' },
  { "content-length": "-1" },
  { "x-api-key": "x".repeat(100_000) },
  { "x-api-key": "é\u00ff" },
  { "x-lf": "a\r\nSet-Cookie: evil=1" }, // refused by the fetch API, dropped by the suite
  { "x-nul": "a\u0000b" },
  { "x-wide": "\u0100\u2028" },
];

/** `next` targets: each must stay on our origin. */
export const HOSTILE_NEXT: readonly string[] = [
  "/.//evil.example",
  "/%2e//evil.example",
  "/a/..//evil.example",
  "//evil.example",
  "/\\evil.example",
  "/\t/evil.example",
  "/%2f%2fevil.example",
  "/%5c%5cevil.example",
  "https://evil.example",
  "javascript:alert(1)",
  "/./../..//evil.example",
  "/%2e%2e/%2e%2e//evil.example",
  "\u0000//evil.example",
  "/" + "a".repeat(3_000),
  "/queue?x=" + "y".repeat(3_000),
];

/** JSON numbers for body leaves, plus a marker for `1e999` (which `JSON.stringify` cannot write). */
export const HUGE_JSON_NUMBER = "__1e999__";
export const JSON_NUMBERS: readonly unknown[] = [
  -1,
  0,
  -0,
  1.5,
  1e308,
  -1e308,
  5e-324,
  2 ** 53 + 2,
  -(2 ** 31) - 1,
  2 ** 31,
  HUGE_JSON_NUMBER,
  "NaN",
  "Infinity",
  "1",
];

/** JSON text for a body: `1e999` markers become the literal. */
export function jsonText(value: unknown): string {
  return JSON.stringify(value).replaceAll(`"${HUGE_JSON_NUMBER}"`, "1e999");
}

/** Raw bodies whose bytes or nesting are the attack. */
export const RAW_BODIES: readonly (string | Uint8Array)[] = [
  "[".repeat(10_000) + "]".repeat(10_000),
  '{"a":'.repeat(10_000) + "1" + "}".repeat(10_000),
  new Uint8Array([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x3a, 0x31, 0x7d]),
  "\ufeff{}",
  "1e999",
  "",
  "null",
  "[]",
  '"' + "x".repeat(100_000) + '"',
  '{"__proto__":{"polluted":1},"constructor":{"prototype":{"polluted":1}}}',
  '{"text":"a","text":"b","title":"a","title":"b"}',
  "{" + Array.from({ length: 20_000 }, (_, i) => `"k${i}":${i}`).join(",") + "}",
];

/** Arbitrary text: the hostile list, `A.` runs of 16k–50k, and generated strings. */
export const hostileText: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(...HOSTILE_STRINGS),
  fc.integer({ min: 16_000, max: 50_000 }).map(sentenceRun),
  fc.string({ unit: "grapheme", maxLength: 200 }),
  fc.string({ unit: "binary", maxLength: 200 }),
);

/** A value for a query parameter of the given kind, or any other kind's. */
export function hostileQueryValue(kind: ParamKind): fc.Arbitrary<string> {
  const typed = kind === "date"
    ? fc.oneof(
      fc.constantFrom(...HOSTILE_DATES),
      fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
    )
    : kind === "integer" || kind === "number"
    ? fc.oneof(fc.constantFrom(...HOSTILE_NUMBERS), fc.double().map(String))
    : hostileText;
  return fc.oneof({ weight: 4, arbitrary: typed }, { weight: 1, arbitrary: hostileText });
}

/** How the suite treats a parameter's value. */
export type ParamKind = "string" | "integer" | "number" | "date";

/** Percent-encodes for a query or path; lone surrogates become U+FFFD first. */
export function enc(s: string): string {
  return encodeURIComponent(s.toWellFormed());
}

/**
 * A request with any method, including those `new Request()` refuses (TRACE,
 * CONNECT): the server hands such requests to the app, so the app sees them here too.
 */
export function requestWithMethod(url: string, method: string, init: RequestInit): Request {
  try {
    return new Request(url, { ...init, method });
  } catch {
    return new (class extends Request {
      override get method() {
        return method;
      }
    })(url, { ...init, method: "POST" });
  }
}

/** Headers from a record, dropping those the fetch API refuses (CR/LF, NUL, non-Latin-1). */
export function headersOf(record: Record<string, string>): Headers {
  const h = new Headers();
  for (const [k, v] of Object.entries(record)) {
    try {
      h.append(k, v);
    } catch { /* the fetch API refuses it, so no client can send it through one */ }
  }
  return h;
}

/** A short, printable account of a value: long strings as `"abc"…(N chars)`. */
export function brief(value: unknown, max = 80): string {
  const text = typeof value === "string" ? value : (() => {
    try {
      return JSON.stringify(
        value,
        (_k, v) => typeof v === "string" && v.length > 40 ? short(v, 24) : v,
      ) ?? String(value);
    } catch {
      return String(value);
    }
  })();
  return short(text, max);
}

function short(s: string, keep: number): string {
  if (s.length <= keep) return JSON.stringify(s).slice(1, -1);
  // A run of one short unit (up to six characters) is named by the unit and its count.
  for (let n = 1; n <= 6; n++) {
    const unit = s.slice(0, n);
    if (unit && s === unit.repeat(s.length / unit.length)) {
      return `${JSON.stringify(unit).slice(1, -1)}×${s.length / unit.length}`;
    }
  }
  return `${JSON.stringify(s.slice(0, keep)).slice(1, -1)}…(${s.length} chars)`;
}
