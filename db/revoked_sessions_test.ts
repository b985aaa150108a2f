import assert from "node:assert/strict";
import { createSession, verifySession } from "../lib/console_session.ts";
import { isSessionRevoked, revokeSession } from "./revoked_sessions.ts";
import { testDatabases } from "../testing/db/test_db.ts";

for (const { name, open } of testDatabases()) {
  Deno.test(`signed-out sessions stay revoked until they would have expired (${name})`, async () => {
    const { db, close } = await open();
    try {
      const key = { name: "ann", key: "ann-key-0001", role: "reviewer" as const };
      const { value, session } = createSession("secret", key, { ttlSeconds: 600 });
      // The id is the same when the cookie comes back.
      assert.equal(verifySession("secret", value, [key])!.id, session.id);
      assert.equal(await isSessionRevoked(db, session.id), false);
      await revokeSession(db, session.id, session.expires);
      await revokeSession(db, session.id, session.expires); // twice is fine
      assert.equal(await isSessionRevoked(db, session.id), true);

      const now = Math.floor(Date.now() / 1000);
      await revokeSession(db, "expired", now - 1);
      assert.equal(await isSessionRevoked(db, "expired"), true);
      // The next sign-out clears revocations that no longer matter.
      await revokeSession(db, "later", now + 600);
      assert.equal(await isSessionRevoked(db, "expired"), false);
      assert.equal(await isSessionRevoked(db, session.id), true);
    } finally {
      await close();
    }
  });
}
