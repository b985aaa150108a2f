import assert from "node:assert/strict";
import { CONFIG_VARIABLES } from "../lib/config.ts";
import { selfCommand, startFlags } from "../lib/self_command.ts";

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
  const config = JSON.parse(await Deno.readTextFile(new URL("../deno.json", import.meta.url)));
  const v8Flags = (task: string) => task.split(/\s+/).filter((a) => a.startsWith("--v8-flags="));
  const [start] = v8Flags(config.tasks.start);
  assert.match(start ?? "", /--heap-growing-percent=\d+/);
  assert.deepEqual(v8Flags(config.tasks.dev), [start]);
  assert.deepEqual(v8Flags(config.tasks.compile), [start]);
  assert.ok((await startFlags()).includes(start));
  assert.ok((await selfCommand(["train"])).args.includes(start));
});
