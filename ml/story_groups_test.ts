// ml/story_groups_test.ts — choosing the story of each new article.
import assert from "node:assert/strict";
import { bandKeys, minhashSignature } from "./minhash.ts";
import { chooseStories, type NewStoryItem, STORY_WINDOW_MS } from "./story_groups.ts";

const DAY = 24 * 3_600_000;
function item(text: string, at: number, candidates: NewStoryItem["candidates"] = []): NewStoryItem {
  const sig = minhashSignature(new Set(text.split(" ")));
  return { at, sig, keys: sig ? bandKeys(sig) : [], candidates };
}
const sigOf = (text: string) => minhashSignature(new Set(text.split(" ")))!;

Deno.test("chooseStories() joins the most similar stored candidate within the window", () => {
  const text = "sudan talks nigeria deadlocked rebels government abuja";
  const [choice] = chooseStories([
    item(text, 10 * DAY, [
      {
        storyId: 7,
        at: 9 * DAY,
        sig: sigOf("sudan talks nigeria stalled rebels government abuja"),
      },
      { storyId: 8, at: 9 * DAY, sig: sigOf("football cup final goal late winner") },
    ]),
  ]);
  assert.deepEqual(choice, { story: 7 });
});

Deno.test("chooseStories() starts a story for a dissimilar or too distant article", () => {
  const text = "sudan talks nigeria deadlocked rebels government abuja";
  const choices = chooseStories([
    item(text, 10 * DAY, [{ storyId: 8, at: 10 * DAY, sig: sigOf("football cup final goal") }]),
    item(text, 20 * DAY, [{ storyId: 9, at: 20 * DAY - STORY_WINDOW_MS - 1, sig: sigOf(text) }]),
    item("", 20 * DAY, [{ storyId: 9, at: 20 * DAY, sig: sigOf(text) }]),
  ]);
  assert.deepEqual(choices, [{ newStory: 0 }, { newStory: 1 }, { newStory: 2 }]);
});

Deno.test("chooseStories() groups near duplicates within one batch", () => {
  const choices = chooseStories([
    item("apple plans eu expansion itunes next month", 0),
    item("intel milestone shrinking chips", 0),
    item("apple plans eu expansion itunes next month reuters", DAY),
  ]);
  assert.deepEqual(choices, [{ newStory: 0 }, { newStory: 1 }, { newStory: 0 }]);
});
