import assert from "node:assert/strict";
import { CONFIG_VARIABLES } from "../lib/config.ts";
import { envFlag, taskFlags } from "../lib/permissions.ts";
import { selfCommand, startFlags } from "../lib/self_command.ts";
import { taskArgs } from "../testing/scripts/test_tasks.ts";

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

Deno.test("start, dev, cli and compile take their flags from lib/permissions.ts, none of their own", async () => {
  const config = JSON.parse(await Deno.readTextFile(new URL("../deno.json", import.meta.url)));
  for (const task of ["start", "dev", "cli", "compile"] as const) {
    assert.ok(!/--allow-|--v8-flags/.test(config.tasks[task]), `${task} spells out its own flags`);
    assert.deepEqual((await taskArgs(task)).filter((a) => a.startsWith("--allow-env")), [
      envFlag(),
    ]);
  }
  // What the tasks run prints exactly those flags.
  const out = await new Deno.Command("deno", {
    args: ["run", "-q", "scripts/deno_flags.ts", "compile"],
    cwd: new URL("..", import.meta.url),
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.ok(out.success, new TextDecoder().decode(out.stderr));
  assert.equal(new TextDecoder().decode(out.stdout).trim(), taskFlags("compile").join(" "));
  const bad = await new Deno.Command("deno", {
    args: ["run", "-q", "scripts/deno_flags.ts", "serve"],
    cwd: new URL("..", import.meta.url),
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(bad.code, 2);
});

Deno.test("selfCommand() narrows --allow-net when asked and adds folders to read and write", async () => {
  const { args } = await selfCommand(["serve"], {
    net: ["0.0.0.0:8001", "db.internal:5432"],
    readWrite: ["/srv/data"],
  });
  assert.ok(args.includes("--allow-net=0.0.0.0:8001,db.internal:5432"));
  assert.ok(!args.includes("--allow-net"));
  assert.ok(args.some((a) => a.startsWith("--allow-read=") && a.endsWith(",/srv/data")));
  assert.ok(args.some((a) => a.startsWith("--allow-write=") && a.endsWith(",/srv/data")));
  assert.ok((await selfCommand(["train"])).args.includes("--allow-net"));
});
