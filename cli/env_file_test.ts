/**
 * `deno task start`, `dev` and `cli` read `.env` when there is one, and say nothing when
 * there is none (Deno warns about a missing `--env-file`, so the tasks pass it only then).
 * Run in a copy of the tasks and the flag script, so the project's own `.env` is never touched.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { baseEnv, PROJECT_ROOT } from "../testing/cli/test_run.ts";

const CONDITIONAL = "$(test -f .env && echo --env-file=.env)";
const tasks = JSON.parse(await Deno.readTextFile(join(PROJECT_ROOT, "deno.json"))).tasks;

/** A folder with the `cli` task running a script that prints PORT, and the flag script. */
async function taskCopy(): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix: "newsintel-env-file-" });
  // The tasks print their flags with scripts/deno_flags.ts, from lib/permissions.ts.
  for (const file of ["scripts/deno_flags.ts", "lib/permissions.ts"]) {
    await Deno.mkdir(join(dir, file, ".."), { recursive: true });
    await Deno.copyFile(join(PROJECT_ROOT, file), join(dir, file));
  }
  await Deno.writeTextFile(
    join(dir, "print_port.ts"),
    'console.log(Deno.env.get("PORT") ?? "unset");\n',
  );
  const cli = tasks.cli.replace(/ main\.ts$/, " print_port.ts");
  await Deno.writeTextFile(join(dir, "deno.json"), JSON.stringify({ tasks: { cli } }));
  return dir;
}

async function runCli(dir: string, env: Record<string, string> = {}) {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["task", "-q", "cli"],
    cwd: dir,
    clearEnv: true,
    env: { ...baseEnv(), ...env },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder();
  return {
    code: out.code,
    stdout: text.decode(out.stdout).trim(),
    stderr: text.decode(out.stderr),
  };
}

Deno.test("start, dev and cli pass --env-file only when .env exists", () => {
  for (const name of ["start", "dev", "cli"]) {
    assert.ok(tasks[name].includes(CONDITIONAL), `${name} does not read .env conditionally`);
    assert.equal(tasks[name].split("--env-file").length, 2, `${name}: one --env-file`);
  }
});

Deno.test("deno task cli applies .env, lets the real environment win, and is quiet without it", async () => {
  const dir = await taskCopy();
  try {
    const without = await runCli(dir);
    assert.equal(without.code, 0, without.stderr);
    assert.equal(without.stdout, "unset");
    assert.doesNotMatch(without.stderr, /env/i, "no warning about a missing .env");

    await Deno.writeTextFile(join(dir, ".env"), "# local settings\nPORT=9123\n");
    const withFile = await runCli(dir);
    assert.equal(withFile.code, 0, withFile.stderr);
    assert.equal(withFile.stdout, "9123");

    const overridden = await runCli(dir, { PORT: "8111" });
    assert.equal(overridden.stdout, "8111");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
