import assert from "node:assert/strict";
import { handleRare, rareLabels } from "./rare_classes.ts";

const data = [
  ...Array.from({ length: 12 }, (_, i) => ({ text: `p${i}`, label: "POLITICS" })),
  ...Array.from({ length: 5 }, (_, i) => ({ text: `l${i}`, label: "LATINO VOICES" })),
  ...Array.from({ length: 2 }, (_, i) => ({ text: `w${i}`, label: "WEDDINGS" })),
];

Deno.test("rareLabels() lists labels under the threshold, fewest first", () => {
  assert.deepEqual(rareLabels(data), [
    { label: "WEDDINGS", rows: 2 },
    { label: "LATINO VOICES", rows: 5 },
  ]);
  assert.deepEqual(rareLabels(data, 3), [{ label: "WEDDINGS", rows: 2 }]);
  assert.deepEqual(rareLabels(data, 1), []);
});

Deno.test("handleRare() merges rare labels into one name or drops their rows", () => {
  const rare = rareLabels(data);
  const merged = handleRare(data, rare, { merge: "OTHER" });
  assert.equal(merged.length, data.length);
  assert.equal(merged.filter((e) => e.label === "OTHER").length, 7);
  assert.equal(merged.filter((e) => e.label === "POLITICS").length, 12);
  const dropped = handleRare(data, rare, { drop: true });
  assert.deepEqual([...new Set(dropped.map((e) => e.label))], ["POLITICS"]);
});
