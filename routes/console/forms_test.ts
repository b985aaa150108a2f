import assert from "node:assert/strict";
import { Hono } from "hono";
import { dayStart, formBody, oneOf, reviewFilter, trimmed, withoutUndefined } from "./forms.ts";

Deno.test("dayStart() reads YYYY-MM-DD as the start of that UTC day, else undefined", () => {
  assert.equal(dayStart("2024-02-28"), "2024-02-28T00:00:00.000Z");
  assert.equal(dayStart("2024-02-28", 1), "2024-02-29T00:00:00.000Z");
  assert.equal(dayStart("2024-13-01"), undefined);
  assert.equal(dayStart("2024-1-01"), undefined);
  assert.equal(dayStart("yesterday"), undefined);
  assert.equal(dayStart(undefined), undefined);
  assert.equal(dayStart("9999-12-31", 1), undefined, "outside the years the database holds");
  assert.equal(dayStart("0001-01-01"), undefined);
});

Deno.test("trimmed() drops blank, overlong and NUL-bearing values", () => {
  assert.equal(trimmed("  sport "), "sport");
  assert.equal(trimmed("   "), undefined);
  assert.equal(trimmed("x".repeat(201)), undefined);
  assert.equal(trimmed("x".repeat(20), 16), undefined);
  assert.equal(trimmed("a\u0000b"), undefined);
  assert.equal(oneOf(["a", "b"] as const, "b"), "b");
  assert.equal(oneOf(["a", "b"] as const, "c"), undefined);
});

Deno.test("reviewFilter() keeps the valid filters and drops the rest", () => {
  assert.deepEqual(
    withoutUndefined(reviewFilter({
      status: "queued",
      reason: "audit",
      label: " sport ",
      minScore: "0.5",
      since: "2024-01-01",
      until: "2024-01-31",
    })),
    {
      status: "queued",
      reason: "audit",
      label: "sport",
      minScore: 0.5,
      since: "2024-01-01T00:00:00.000Z",
      until: "2024-02-01T00:00:00.000Z",
    },
  );
  assert.deepEqual(
    withoutUndefined(reviewFilter({ minScore: "2", status: "gone", reason: "bored" })),
    {},
  );
  assert.deepEqual(withoutUndefined(reviewFilter({ minScore: "-0.1", since: "soon" })), {});
});

Deno.test("formBody() reads form fields as strings and ignores other bodies", async () => {
  const app = new Hono().post("/", async (c) => c.json(await formBody(c)));
  const posted = async (body: BodyInit, type?: string) => {
    const headers: Record<string, string> = type ? { "content-type": type } : {};
    return await (await app.request("/", { method: "POST", body, headers })).json();
  };
  assert.deepEqual(
    await posted("a=1&b=two", "application/x-www-form-urlencoded"),
    { a: "1", b: "two" },
  );
  const multipart = new FormData();
  multipart.set("a", "1");
  multipart.set("file", new File(["x"], "x.txt"));
  assert.deepEqual(await posted(multipart), { a: "1" });
  assert.deepEqual(await posted('{"a":"1"}', "application/json"), {});
});
