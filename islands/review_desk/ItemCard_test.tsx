import assert from "node:assert/strict";
import { renderToString } from "preact-render-to-string";
import { ItemCard } from "./ItemCard.tsx";
import { reviewItem } from "../../testing/islands/review_desk/test_items.ts";

Deno.test("ItemCard shows a suspected label error's given and suggested label", () => {
  const html = renderToString(
    <ItemCard
      entry={{
        item: reviewItem(1, {
          reasons: ["label_issue"],
          predictedLabel: "Sports",
          labelIssue: { given: "World", suggested: "Sports", score: 0.0812 },
        }),
        decision: null,
      }}
    />,
  );
  assert.match(html, /suspected label error/);
  assert.match(html, /data-testid="label-issue"[^>]*>given: World · suggested: Sports \(0\.08\)</);
});

Deno.test("ItemCard says nothing of labels for other items", () => {
  const html = renderToString(<ItemCard entry={{ item: reviewItem(2), decision: null }} />);
  assert.doesNotMatch(html, /label-issue|given:/);
});
