import assert from "node:assert/strict";
import { normalizeNewsText } from "./normalize.ts";

Deno.test("normalizeNewsText() decodes ampersand-less entities from AG News", () => {
  assert.equal(
    normalizeNewsText("Messier #39;s lawyer said  quot;no quot; to \\$1.35 million, #36;2"),
    `Messier's lawyer said "no" to $1.35 million,$2`,
  );
  assert.equal(normalizeNewsText("Johnson  amp; Johnson, AT&amp;T"), "Johnson & Johnson, AT&T");
  assert.equal(normalizeNewsText("a  #151; b #147;c#148;"), "a — b“c”");
});

Deno.test("normalizeNewsText() removes escaped and raw HTML tags", () => {
  assert.equal(
    normalizeNewsText("rules interpreting campaign finance &lt;b&gt;...&lt;/b&gt; . A judge"),
    "rules interpreting campaign finance ... . A judge",
  );
  assert.equal(
    normalizeNewsText('Google Inc. &lt;A HREF=""http://x.com/q?t=GOOG""&gt;GOOG.O&lt;/A&gt; said'),
    "Google Inc. GOOG.O said",
  );
  assert.equal(normalizeNewsText("<p>Hello</p> <br/>world"), "Hello world");
});

Deno.test("normalizeNewsText() turns backslash line breaks and runs of spaces into one space", () => {
  assert.equal(
    normalizeNewsText("who\\officials say  are\\\\ here \n\t now "),
    "who officials say are here now",
  );
});

Deno.test("normalizeNewsText() leaves clean text and ordinary words alone", () => {
  const clean = "Stocks rose 3% on Tuesday; amp and quota are words.";
  assert.equal(normalizeNewsText(clean), clean);
  assert.equal(normalizeNewsText(""), "");
  assert.equal(normalizeNewsText("x < y and y > z"), "x < y and y > z");
});

Deno.test("normalizeNewsText() is idempotent", () => {
  const once = normalizeNewsText("There #39;s  quot;more quot; &lt;i&gt;here&lt;/i&gt;\\now");
  assert.equal(normalizeNewsText(once), once);
});
