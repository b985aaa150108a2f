/**
 * How the program starts another copy of itself (the `WORKERS` processes, the first-start
 * training run, `serve` narrowing its own network access): `deno run FLAGS main.ts ARGS`
 * with the flags of `deno task start` from `lib/permissions.ts`, or the compiled binary
 * itself, which carries its permissions inside.
 */
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { permissionFlags, taskFlags } from "./permissions.ts";

const PROJECT_ROOT = fileURLToPath(new URL("..", import.meta.url));

/** The runtime flags of `deno task start`: permissions, unstable features and V8's. */
export function startFlags(): Promise<string[]> {
  return Promise.resolve(taskFlags("start"));
}

/**
 * The program and arguments that run `newsintel ARGS`, and the folder to run them in.
 * `readWrite` adds absolute paths to the `--allow-read` and `--allow-write` lists (folders
 * this process may use already, e.g. a `DATA_DIR` outside the project's own `data/`); `net`
 * narrows `--allow-net` to those hosts (and a request elsewhere fails, unprompted). The compiled binary carries its permissions inside
 * and runs in our working folder instead.
 */
export function selfCommand(
  args: string[],
  options: { readWrite?: string[]; net?: readonly string[] } = {},
): Promise<{ program: string; args: string[]; cwd: string }> {
  if (Deno.build.standalone) {
    return Promise.resolve({ program: Deno.execPath(), args, cwd: Deno.cwd() });
  }
  const [v8] = taskFlags("start");
  const flags = [
    // Narrowed access is refused, never asked for on a terminal.
    ...(options.net ? ["--no-prompt"] : []),
    v8,
    ...permissionFlags("run", {
      net: options.net,
      readWrite: (options.readWrite ?? []).map((path) => resolve(path)),
    }),
  ];
  // `deno` by name: `--allow-run=deno` is resolved through PATH, not the real path.
  return Promise.resolve({
    program: "deno",
    args: ["run", ...flags, join(PROJECT_ROOT, "main.ts"), ...args],
    cwd: PROJECT_ROOT,
  });
}
