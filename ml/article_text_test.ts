import assert from "node:assert/strict";
import { articleText, HEADLINE_REPEATS, headlineRepeatsOf } from "./article_text.ts";

Deno.test("articleText() joins title and body in AG News's `title . description` shape", () => {
  assert.equal(
    articleText("Stocks fall", "Shares slid on Monday.", 1),
    "Stocks fall . Shares slid on Monday.",
  );
});

Deno.test("articleText() is the title alone when the body is empty", () => {
  assert.equal(articleText("Stocks fall", "", 1), "Stocks fall");
});

Deno.test("articleText() opens with the headline twice by default, body or not", () => {
  assert.equal(HEADLINE_REPEATS, 2);
  assert.equal(
    articleText("Stocks fall", "Shares slid on Monday."),
    "Stocks fall . Stocks fall . Shares slid on Monday.",
  );
  assert.equal(articleText("Stocks fall", ""), "Stocks fall . Stocks fall");
});

Deno.test("headlineRepeatsOf() reads a model's hyperparameters; 1 when absent or out of range", () => {
  assert.equal(headlineRepeatsOf({ headlineRepeats: 2 }), 2);
  assert.equal(headlineRepeatsOf({}), 1);
  assert.equal(headlineRepeatsOf(undefined), 1);
  assert.equal(headlineRepeatsOf({ headlineRepeats: 0 }), 1);
  assert.equal(headlineRepeatsOf({ headlineRepeats: 1.5 }), 1);
  assert.equal(headlineRepeatsOf({ headlineRepeats: 1000 }), 1);
  assert.equal(headlineRepeatsOf({ headlineRepeats: "2" }), 1);
});
