import assert from "node:assert/strict";
import { articleText } from "./article_text.ts";

Deno.test("articleText() joins title and body in AG News's `title . description` shape", () => {
  assert.equal(
    articleText("Stocks fall", "Shares slid on Monday."),
    "Stocks fall . Shares slid on Monday.",
  );
});

Deno.test("articleText() is the title alone when the body is empty", () => {
  assert.equal(articleText("Stocks fall", ""), "Stocks fall");
});
