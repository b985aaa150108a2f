import assert from "node:assert/strict";
import { AppError } from "../lib/errors.ts";
import { done, refuse } from "../services/outcome.ts";
import { orRefuse, serviceRefusalError } from "./refusals.ts";

Deno.test("serviceRefusalError() keeps the service's code and message under its status", () => {
  const cases = [
    ["unknownTaxonomy", 404],
    ["articleNotFound", 404],
    ["invalidRange", 422],
    ["tooManyBuckets", 422],
    ["noPrediction", 409],
    ["alreadyQueued", 409],
  ] as const;
  for (const [code, status] of cases) {
    const err = serviceRefusalError(refuse(code, `why ${code}`));
    assert.ok(err instanceof AppError);
    assert.deepEqual([err.status, err.code, err.message], [status, code, `why ${code}`]);
  }
});

Deno.test("orRefuse() answers the value and throws a refusal as its HTTP error", () => {
  assert.deepEqual(orRefuse(done({ n: 1 })), { n: 1 });
  assert.throws(
    () => orRefuse(refuse("alreadyQueued", "Article 3 is already in the topic review queue.")),
    (e: unknown) => e instanceof AppError && e.status === 409 && e.code === "alreadyQueued",
  );
});
