import assert from "node:assert/strict";
import {
  type Db,
  DbBusyError,
  DbUnavailableError,
  DEFAULT_DB_OPTIONS,
  type Queryable,
} from "./mod.ts";
import { openPostgres } from "./postgres.ts";
import { freshSchema, postgresTestUrl, testDatabases } from "../testing/db/test_db.ts";

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

const pgUrl = postgresTestUrl();

/** A private schema on the test server, and a pool on it opened with `options`. */
async function pool(options: Parameters<typeof openPostgres>[1]) {
  const schema = await freshSchema(pgUrl!, "pool");
  const db = openPostgres(schema.url, options);
  return {
    db,
    async close() {
      await db.close();
      await schema.drop();
    },
  };
}

Deno.test({
  name: "every PostgreSQL connection carries the configured statement and idle timeouts",
  ignore: !pgUrl,
  async fn() {
    const set = await pool({ max: 2, statementTimeoutMs: 1234, idleInTransactionTimeoutMs: 5678 });
    const defaults = await pool({ max: 1 });
    try {
      const show = async (q: Queryable) => [
        (await q.query<{ statement_timeout: string }>("SHOW statement_timeout"))[0]
          .statement_timeout,
        (await q.query<{ idle_in_transaction_session_timeout: string }>(
          "SHOW idle_in_transaction_session_timeout",
        ))[0].idle_in_transaction_session_timeout,
      ];
      // Both connections of the pool, and inside a transaction.
      const shown = await Promise.all([
        show(set.db),
        set.db.transaction(async (tx) => {
          await tx.query("SELECT pg_sleep(0.05)");
          return await show(tx);
        }),
      ]);
      assert.deepEqual(shown, [["1234ms", "5678ms"], ["1234ms", "5678ms"]]);
      assert.deepEqual(await show(defaults.db), [
        `${DEFAULT_DB_OPTIONS.statementTimeoutMs / 1000}s`,
        `${DEFAULT_DB_OPTIONS.idleInTransactionTimeoutMs / 60_000}min`,
      ]);
    } finally {
      await set.close();
      await defaults.close();
    }
  },
});

Deno.test({
  name: "a statement past statement_timeout fails with DbBusyError queryTimeout (postgres)",
  ignore: !pgUrl,
  async fn() {
    const t = await pool({ max: 1, statementTimeoutMs: 100 });
    try {
      const timedOut = (err: unknown) => err instanceof DbBusyError && err.code === "queryTimeout";
      await assert.rejects(t.db.query("SELECT pg_sleep(5)"), timedOut);
      await assert.rejects(t.db.transaction((tx) => tx.query("SELECT pg_sleep(5)")), timedOut);
      // Work that may run long lifts the limit for its own transaction only.
      await t.db.transaction(async (tx) => {
        await tx.exec("SET LOCAL statement_timeout = 0");
        await tx.query("SELECT pg_sleep(0.3)");
      });
      await assert.rejects(t.db.query("SELECT pg_sleep(5)"), timedOut);
    } finally {
      await t.close();
    }
  },
});

Deno.test({
  name:
    "a transaction left idle past its timeout is ended and fails as unavailable, not 500 (postgres)",
  ignore: !pgUrl,
  async fn() {
    const t = await pool({ max: 1, idleInTransactionTimeoutMs: 100 });
    try {
      // The server ends the session; postgres.js reports the closed connection
      // (or, when the notice wins the race, the timeout itself).
      await assert.rejects(
        t.db.transaction(async (tx) => {
          await tx.query("SELECT 1");
          await new Promise((resolve) => setTimeout(resolve, 1000));
          await tx.query("SELECT 1");
        }),
        (err) => err instanceof DbBusyError || err instanceof DbUnavailableError,
      );
      // The pool opens a new connection for what comes next.
      assert.deepEqual(await t.db.query("SELECT 1 AS one"), [{ one: 1 }]);
    } finally {
      await t.close();
    }
  },
});

/**
 * Two transactions that lock rows 1 and 2 in opposite order, each taking its
 * second lock only once both hold their first: one is chosen as a deadlock's
 * victim. Returns how often each transaction's body ran, and their outcomes.
 */
async function deadlock(db: Db) {
  await db.exec(
    "CREATE TABLE IF NOT EXISTS locks (id int PRIMARY KEY, n int NOT NULL DEFAULT 0);" +
      "TRUNCATE locks; INSERT INTO locks (id) VALUES (1), (2)",
  );
  const runs = [0, 0];
  let held = 0;
  let bothHeld: () => void;
  const barrier = new Promise<void>((resolve) => bothHeld = resolve);
  const transfer = (i: number, first: number, second: number) =>
    db.transaction(async (tx) => {
      runs[i]++;
      await tx.query("UPDATE locks SET n = n + 1 WHERE id = $1", [first]);
      if (runs[i] === 1 && ++held === 2) bothHeld();
      if (runs[i] === 1) await barrier;
      await tx.query("UPDATE locks SET n = n + 1 WHERE id = $1", [second]);
    });
  const outcomes = await Promise.allSettled([transfer(0, 1, 2), transfer(1, 2, 1)]);
  return { runs, outcomes };
}

Deno.test({
  name: "a transaction chosen as a deadlock's victim runs again and commits (postgres)",
  ignore: !pgUrl,
  async fn() {
    const t = await pool({ max: 2 });
    try {
      const { runs, outcomes } = await deadlock(t.db);
      assert.deepEqual(outcomes.map((o) => o.status), ["fulfilled", "fulfilled"]);
      assert.deepEqual(runs.toSorted(), [1, 2], "the victim ran twice, the other once");
      assert.deepEqual(
        await t.db.query("SELECT id, n FROM locks ORDER BY id"),
        [{ id: 1, n: 2 }, { id: 2, n: 2 }],
        "each transaction's updates counted once",
      );
    } finally {
      await t.close();
    }
  },
});

Deno.test({
  name: "a deadlock that retries do not clear becomes DbBusyError databaseBusy (postgres)",
  ignore: !pgUrl,
  async fn() {
    const t = await pool({ max: 2, transactionAttempts: 1 });
    try {
      const { outcomes } = await deadlock(t.db);
      const failed = outcomes.filter((o) => o.status === "rejected");
      assert.equal(failed.length, 1);
      const reason = (failed[0] as PromiseRejectedResult).reason;
      assert.ok(reason instanceof DbBusyError, String(reason));
      assert.equal(reason.code, "databaseBusy");
      assert.equal((reason.cause as { code?: string }).code, "40P01");
    } finally {
      await t.close();
    }
  },
});

Deno.test({
  name: "a statement sent with prepare is prepared once per connection, others never (postgres)",
  ignore: !pgUrl,
  async fn() {
    const t = await pool({ max: 1 });
    try {
      const prepared = (q: Queryable) =>
        q.query<{ statement: string }>(
          // The driver prepares statements of its own (type lookups, commit): only ours.
          "SELECT statement FROM pg_prepared_statements WHERE statement LIKE 'SELECT $%'",
        );
      const answers = await t.db.transaction(async (tx) => {
        const out = [];
        for (const n of [1, 2, 3]) {
          out.push(...await tx.query("SELECT $1::int AS n", [n], { prepare: true }));
          out.push(...await tx.query("SELECT $1::int + 1 AS n", [n]));
        }
        return out;
      });
      assert.deepEqual(answers.map((r) => r.n), [1, 2, 2, 3, 3, 4]);
      // The one connection of the pool, outside the transaction too.
      assert.deepEqual(await t.db.query("SELECT $1::int AS n", [7], { prepare: true }), [{ n: 7 }]);
      assert.deepEqual(
        (await prepared(t.db)).map((r) => r.statement),
        ["SELECT $1::int AS n"],
      );
      // Turned off for the pool (a pooler that cannot keep them): nothing is prepared.
      const off = await pool({ max: 1, preparedStatements: false });
      try {
        await off.db.query("SELECT $1::int AS n", [1], { prepare: true });
        await off.db.query("SELECT $1::int AS n", [2], { prepare: true });
        assert.deepEqual(await prepared(off.db), []);
      } finally {
        await off.close();
      }
    } finally {
      await t.close();
    }
  },
});
