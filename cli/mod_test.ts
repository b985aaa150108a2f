/**
 * The `newsintel` program as users run it: a `deno run main.ts` subprocess,
 * checked by exit code, standard output and standard error.
 */
import assert from "node:assert/strict";
import { buildCli } from "./mod.ts";
import { newsintel } from "../testing/cli/test_run.ts";

Deno.test("newsintel --help and every subcommand's --help exit 0 with usage", async () => {
  const names = buildCli().commands.map((c) => c.name());
  assert.ok(names.includes("migrate") && names.includes("seed") && names.includes("serve"));
  const runs = await Promise.all([
    newsintel(["--help"]),
    ...names.map((name) => newsintel([name, "--help"])),
  ]);
  assert.equal(runs[0].code, 0, runs[0].stderr);
  assert.match(runs[0].stdout, /^Usage: newsintel \[options\] \[command\]/);
  for (const name of names) assert.match(runs[0].stdout, new RegExp(`^  ${name}\\b`, "m"));
  names.forEach((name, i) => {
    const run = runs[i + 1];
    assert.equal(run.code, 0, `${name} --help: ${run.stderr}`);
    assert.match(run.stdout, new RegExp(`^Usage: newsintel ${name} `), name);
    // Deno itself says so when another deno process holds node_modules at that moment.
    const ours = run.stderr.replace(/^Blocking waiting for file lock on .*\n/gm, "");
    assert.equal(ours, "", name);
  });
});

Deno.test("newsintel with an unknown subcommand exits non-zero and says so", async () => {
  const run = await newsintel(["frobnicate"]);
  assert.notEqual(run.code, 0);
  assert.match(run.stderr, /unknown command 'frobnicate'/);
});

Deno.test("an invalid environment exits 1 with every problem on one stderr line", async () => {
  const data = await Deno.makeTempDir();
  try {
    const run = await newsintel(["migrate", "--status"], {
      PORT: "abc",
      WORKERS: "0",
      LOG_LEVEL: "loud",
      DB_URL: "mysql://db/news",
      DATA_DIR: data,
    });
    assert.equal(run.code, 1);
    assert.equal(run.stdout, "");
    const lines = run.stderr.trimEnd().split("\n");
    assert.equal(lines.length, 1, run.stderr);
    assert.match(lines[0], /^newsintel: invalid configuration: /);
    for (const variable of ["PORT", "WORKERS", "LOG_LEVEL", "DB_URL"]) {
      assert.match(lines[0], new RegExp(`\\b${variable}: `), variable);
    }
    assert.deepEqual([...Deno.readDirSync(data)], [], "nothing was created");
  } finally {
    await Deno.remove(data, { recursive: true });
  }
});

Deno.test({
  name: "serve --port abc is refused before the database is opened",
  async fn() {
    const data = await Deno.makeTempDir();
    try {
      const run = await newsintel(["serve", "--port", "abc"], {
        DB_URL: `pglite://${data}/db`,
        DATA_DIR: data,
        SEED_ON_EMPTY: "false",
        API_KEYS: "test=test-secret-key-0001",
      });
      assert.notEqual(run.code, 0);
      assert.match(run.stderr, /--port/);
      assert.deepEqual([...Deno.readDirSync(data)], [], "no database was created");
    } finally {
      await Deno.remove(data, { recursive: true });
    }
  },
});
