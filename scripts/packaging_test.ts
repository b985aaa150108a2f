/**
 * What ships: `deno task compile`'s permissions stay scoped and it embeds only the data
 * the program reads, never a local key, database or secret; `.dockerignore` keeps those
 * out of the image's build context too.
 */
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { relative } from "node:path";
import { SAMPLE_DATASETS } from "../services/seed.ts";
import { DEFAULT_TRAINING_DATA } from "../services/model_runtime.ts";
import { taskArgs } from "../testing/scripts/test_tasks.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url));

/** The arguments of the `deno compile` command in the compile task, flag files read in. */
async function compileArgs(): Promise<string[]> {
  const args = await taskArgs("compile");
  assert.deepEqual(args.slice(0, 2), ["deno", "compile"], "the compile task runs deno compile");
  return args.slice(2);
}

/** The values of `--flag=a,b` (null when given bare, undefined when absent). */
function flagValues(args: string[], flag: string): string[] | null | undefined {
  const found = args.filter((a) => a === flag || a.startsWith(`${flag}=`));
  assert.ok(found.length <= 1, `${flag} given once`);
  if (!found.length) return undefined;
  return found[0] === flag ? null : found[0].slice(flag.length + 1).split(",");
}

/** `--include X` and `--include=X` values. */
function includes(args: string[]): string[] {
  const out: string[] = [];
  args.forEach((a, i) => {
    if (a === "--include") out.push(args[i + 1]);
    else if (a.startsWith("--include=")) out.push(a.slice("--include=".length));
  });
  return out;
}

const SECRETS = ["data/.api-key", "data/db", "data/hub", ".env", "models", "node_modules"];

Deno.test("deno task compile grants no unscoped read, run, ffi or all", async () => {
  const args = await compileArgs();
  for (const flag of ["--allow-all", "-A"]) assert.ok(!args.includes(flag), flag);
  for (const flag of ["--allow-read", "--allow-write", "--allow-run", "--allow-ffi"]) {
    const values = flagValues(args, flag);
    assert.notEqual(values, null, `${flag} is scoped`);
    for (const v of values ?? []) assert.ok(v.length > 0 && v !== "/" && v !== ".", `${flag}=${v}`);
  }
  // Reads: the data and model folders only; the embedded files need no grant.
  assert.deepEqual(flagValues(args, "--allow-read"), ["data", "models"]);
  // Run: the binary itself, found on PATH under its own name (WORKERS, first training), and
  // PostgreSQL's backup tools for `backup` and `restore`.
  const output = args.find((a) => a.startsWith("--output"))!;
  const binary = (output.includes("=") ? output.split("=")[1] : args[args.indexOf(output) + 1])
    .split("/").pop()!;
  assert.deepEqual(flagValues(args, "--allow-run"), [binary, "pg_dump", "pg_restore"]);
  // Native code: only what is embedded (onnxruntime-node), served from the binary's own
  // virtual folder, which Deno names after the binary.
  assert.deepEqual(flagValues(args, "--allow-ffi"), [`/tmp/deno-compile-${binary}`]);
});

Deno.test("deno task compile embeds the data the program reads and nothing else of data/", async () => {
  const included = includes(await compileArgs());
  for (const path of included) {
    await Deno.stat(`${ROOT}/${path}`); // exists
    for (const secret of SECRETS) {
      assert.ok(
        path !== secret && !path.startsWith(`${secret}/`) && !secret.startsWith(`${path}/`),
        `--include ${path} would embed ${secret}`,
      );
    }
  }
  assert.ok(!included.includes("data") && !included.includes("."), "no whole data/ or project");
  const read = [...SAMPLE_DATASETS, DEFAULT_TRAINING_DATA].map((p) => relative(ROOT, p));
  const data = included.filter((p) => p.startsWith("data/"));
  assert.deepEqual(new Set(data), new Set(read));
  for (const path of data) assert.ok((await Deno.stat(`${ROOT}/${path}`)).isFile, path);
});

Deno.test(".dockerignore keeps keys, databases, caches and build output out of the image", async () => {
  const lines = (await Deno.readTextFile(`${ROOT}/.dockerignore`)).split("\n")
    .map((l) => l.trim()).filter((l) => l && !l.startsWith("#"));
  for (
    const entry of [
      "data/.api-key",
      "data/db",
      "data/hub",
      ".env",
      "models",
      "node_modules",
      "dist",
      "tmp",
      "test-artifacts",
      ".git",
      "static/build",
    ]
  ) {
    assert.ok(lines.includes(entry), `.dockerignore lists ${entry}`);
  }
  // Nothing brought back by an exception rule.
  for (const secret of ["data/.api-key", "data/db", ".env"]) {
    assert.ok(!lines.some((l) => l.startsWith("!") && secret.startsWith(l.slice(1))), secret);
  }
});
