import assert from "node:assert/strict";
import fc from "fast-check";
import { redactDbUrl } from "./mod.ts";

Deno.test("redactDbUrl() hides the password of the user information", () => {
  const cases: [string, string][] = [
    ["postgres://app:secret@db:5432/news", "postgres://app:***@db:5432/news"],
    ["postgresql://app:secret@db/news", "postgresql://app:***@db/news"],
    // Unencoded `/`, `@`, `:`, `?` and `#` in the password.
    ["postgres://app:se/cr/et@db:5432/news", "postgres://app:***@db:5432/news"],
    ["postgres://app:p@ss@db/news", "postgres://app:***@db/news"],
    ["postgres://app:a:b:c@db/news", "postgres://app:***@db/news"],
    ["postgres://app:12/x@db/news", "postgres://app:***@db/news"],
    ["postgres://app:p?x=1@db/news", "postgres://app:***@db/news"],
    ["postgres://app:p#x@db/news", "postgres://app:***@db/news"],
    ["postgres://app:p@x/y@db/news", "postgres://app:***@db/news"],
    // Percent-encoded ones.
    ["postgres://app:p%40ss%2F%3Aw@db/news", "postgres://app:***@db/news"],
    // An empty password, a user alone, no user information.
    ["postgres://app:@db/news", "postgres://app:***@db/news"],
    ["postgres://app@db/news", "postgres://app@db/news"],
    ["postgres://db:5432/news", "postgres://db:5432/news"],
    ["pglite://data/db", "pglite://data/db"],
    ["pglite://memory", "pglite://memory"],
  ];
  for (const [url, want] of cases) assert.equal(redactDbUrl(url), want, url);
});

Deno.test("redactDbUrl() hides every password-like query parameter", () => {
  const cases: [string, string][] = [
    ["postgres://app@db/news?password=secret", "postgres://app@db/news?password=***"],
    [
      "postgres://db/news?sslmode=require&password=s/e@c:r?et&application_name=x",
      "postgres://***@c:r?et&application_name=x",
    ],
    [
      "postgres://app:pw@db/news?sslmode=verify-full&sslpassword=k&pass=p&PWD=q&sslkey=/k.pem",
      "postgres://app:***@db/news?sslmode=verify-full&sslpassword=***&pass=***&PWD=***&sslkey=***",
    ],
    ["postgres://db/news?pass%77ord=secret", "postgres://db/news?pass%77ord=***"],
    ["postgres://db/news?user=app&password=", "postgres://db/news?user=app&password=***"],
    ["postgres://db/news#password=secret", "postgres://db/news#password=***"],
    // Not secrets: kept for the reader.
    [
      "postgres://db/news?sslmode=require&options=-c%20search_path%3Dx",
      "postgres://db/news?sslmode=require&options=-c%20search_path%3Dx",
    ],
  ];
  for (const [url, want] of cases) assert.equal(redactDbUrl(url), want, url);
});

Deno.test("redactDbUrl() never throws and never shows a password, whatever the URL", () => {
  const passwordChar = fc.constantFrom(..."abcXYZ019/@:?#&=%;+ ~!$'()*,[]".split(""));
  fc.assert(
    fc.property(
      fc.string({ unit: passwordChar, minLength: 1, maxLength: 24 }),
      fc.constantFrom("", "?sslmode=require", "?application_name=a@b", "?password=q"),
      fc.boolean(),
      (password, query, encode) => {
        const secret = `SECRET${password}TERCES`;
        const written = encode ? encodeURIComponent(secret) : secret;
        const inUserinfo = redactDbUrl(`postgres://app:${written}@db:5432/news${query}`);
        assert.ok(!/SECRET|TERCES/.test(inUserinfo), inUserinfo);
        // A raw `&` or `#` would end the parameter for the driver too: encoded, all of it hides.
        const inQuery = redactDbUrl(`postgres://db/news?sslmode=require&password=${written}`);
        assert.ok(!(encode ? /SECRET|TERCES/ : /SECRET/).test(inQuery), inQuery);
      },
    ),
    { seed: 12, numRuns: 500 },
  );
  for (const odd of ["", "@", ":@", "://", "postgres://@", "postgres://:@?=&", "%", "?password"]) {
    assert.equal(typeof redactDbUrl(odd), "string");
  }
});
