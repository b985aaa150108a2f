import assert from "node:assert/strict";
import { testDatabases } from "../testing/db/test_db.ts";
import { loadConfig } from "../lib/config.ts";
import { createSession, verifySession } from "../lib/console_session.ts";
import { withSessionSecret } from "./serve.ts";

const KEYS = "ops:admin=ops-admin-key-0123456789;alice=alice-key-0123456789";

for (const { name, open } of testDatabases()) {
  Deno.test(`withSessionSecret() makes one random secret per install, shared by replicas (${name})`, async () => {
    const { db, close } = await open();
    try {
      const config = loadConfig({ API_KEYS: KEYS });
      const first = await withSessionSecret(db, config);
      const second = await withSessionSecret(db, config);
      assert.ok(first.sessionSecret && first.sessionSecret.length >= 43);
      assert.equal(second.sessionSecret, first.sessionSecret);
      // Not derived from the keys: another install with the same keys has another secret.
      const other = await open();
      try {
        assert.notEqual(
          (await withSessionSecret(other.db, config)).sessionSecret,
          first.sessionSecret,
        );
      } finally {
        await other.close();
      }
      // A cookie signed by one replica verifies on another.
      const { value } = createSession(first.sessionSecret!, config.apiKeys[1], { ttlSeconds: 60 });
      assert.equal(verifySession(second.sessionSecret!, value, config.apiKeys)?.name, "alice");
    } finally {
      await close();
    }
  });

  Deno.test(`withSessionSecret() keeps SESSION_SECRET and stores nothing (${name})`, async () => {
    const { db, close } = await open();
    try {
      const secret = "a-configured-session-secret-0123456789";
      const config = loadConfig({ API_KEYS: KEYS, SESSION_SECRET: secret });
      assert.equal((await withSessionSecret(db, config)).sessionSecret, secret);
      assert.deepEqual(await db.query("SELECT name FROM install_secrets"), []);
    } finally {
      await close();
    }
  });
}
