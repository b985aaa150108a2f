import assert from "node:assert/strict";
import { testDatabases } from "./test_db.ts";

for (const { name, open } of testDatabases()) {
  Deno.test(`pool() counts statements and transactions holding or awaiting a connection (${name})`, async () => {
    const t = await open();
    try {
      const { size } = t.db.pool();
      assert.equal(size, name === "pglite" ? 1 : 4);
      assert.deepEqual(t.db.pool(), { size, inUse: 0, waiting: 0 });
      const running = [
        ...Array.from({ length: size + 2 }, () => t.db.query("SELECT pg_sleep(0.01)")),
        t.db.transaction((tx) => tx.query("SELECT 1")),
      ];
      assert.deepEqual(t.db.pool(), { size, inUse: size, waiting: 3 });
      await Promise.all(running);
      assert.deepEqual(t.db.pool(), { size, inUse: 0, waiting: 0 });
      await assert.rejects(t.db.query("SELECT nonsense"));
      assert.deepEqual(t.db.pool(), { size, inUse: 0, waiting: 0 });
    } finally {
      await t.close();
    }
  });
}
