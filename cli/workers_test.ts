import assert from "node:assert/strict";
import { CONFIG_VARIABLES } from "../lib/config.ts";
import { selfCommand, startFlags, taskArgs } from "../lib/self_command.ts";

Deno.test("deno task start may read every configuration variable, and only named ones", async () => {
  const flags = await startFlags();
  const env = flags.find((f) => f.startsWith("--allow-env="));
  assert.ok(env, `--allow-env is not scoped: ${flags.join(" ")}`);
  const allowed = env.slice("--allow-env=".length).split(",");
  const covers = (name: string) =>
    allowed.some((a) => a.endsWith("*") ? name.startsWith(a.slice(0, -1)) : a === name);
  for (const name of CONFIG_VARIABLES) assert.ok(covers(name), `${name} is not in --allow-env`);
  // Scoped, not blanket: no bare flags for reading, writing, native code or processes.
  for (
    const flag of ["--allow-read", "--allow-write", "--allow-ffi", "--allow-run", "--allow-sys"]
  ) {
    assert.ok(!flags.includes(flag), `${flag} is unscoped`);
  }
});

Deno.test("start, dev and compile run V8 with the same heap limits, and so do the processes serve starts", async () => {
  const v8Flags = async (task: string) =>
    (await taskArgs(task)).filter((a) => a.startsWith("--v8-flags="));
  const [start] = await v8Flags("start");
  assert.match(start ?? "", /--heap-growing-percent=\d+/);
  assert.deepEqual(await v8Flags("dev"), [start]);
  assert.deepEqual(await v8Flags("compile"), [start]);
  assert.ok((await startFlags()).includes(start));
  assert.ok((await selfCommand(["train"])).args.includes(start));
});

Deno.test("start, dev, cli and compile name their --allow-env list once, in flags/env.txt", async () => {
  const config = JSON.parse(await Deno.readTextFile(new URL("../deno.json", import.meta.url)));
  const env = (await Deno.readTextFile(new URL("../flags/env.txt", import.meta.url))).trim();
  for (const task of ["start", "dev", "cli", "compile"]) {
    assert.ok(!config.tasks[task].includes("--allow-env"), `${task} spells out its own list`);
    assert.deepEqual((await taskArgs(task)).filter((a) => a.startsWith("--allow-env")), [env]);
  }
});
