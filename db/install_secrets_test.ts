import assert from "node:assert/strict";
import { installSecret } from "./install_secrets.ts";
import { testDatabases } from "../testing/db/test_db.ts";

for (const { name, open } of testDatabases()) {
  Deno.test(`installSecret() stores the first value and hands it to every later caller (${name})`, async () => {
    const { db, close } = await open();
    try {
      const first = await installSecret(db, "session", () => "first-random-value");
      assert.equal(first, "first-random-value");
      // Another replica starting later (or at once) gets the stored one, not its own.
      const later = await Promise.all(
        [1, 2, 3].map((i) => installSecret(db, "session", () => `other-${i}`)),
      );
      assert.deepEqual(later, ["first-random-value", "first-random-value", "first-random-value"]);
      assert.equal(await installSecret(db, "another", () => "separate"), "separate");
    } finally {
      await close();
    }
  });
}
