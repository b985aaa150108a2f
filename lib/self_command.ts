/**
 * How the program starts another copy of itself (the `WORKERS` processes, the
 * first-start training run): `deno run FLAGS main.ts ARGS` with exactly the
 * runtime flags of `deno task start`, read from deno.json so there is one list
 * of them, or the compiled binary itself.
 */
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const PROJECT_ROOT = fileURLToPath(new URL("..", import.meta.url));

/** The runtime flags of `deno task start`: permissions, unstable features and V8's. */
export async function startFlags(): Promise<string[]> {
  const config = JSON.parse(await Deno.readTextFile(join(PROJECT_ROOT, "deno.json")));
  const task: string = config.tasks.start;
  return task.split(/\s+/).filter((a) => /^--(allow-|unstable-|v8-flags=)/.test(a));
}

/**
 * The program and arguments that run `newsintel ARGS`, and the folder to run them in.
 * `readWrite` adds absolute paths to the `--allow-read` and `--allow-write` lists (folders
 * this process may use already, e.g. a `DATA_DIR` outside the project's own `data/`); the
 * compiled binary carries its permissions inside and runs in our working folder instead.
 */
export async function selfCommand(
  args: string[],
  options: { readWrite?: string[] } = {},
): Promise<{ program: string; args: string[]; cwd: string }> {
  if (Deno.build.standalone) return { program: Deno.execPath(), args, cwd: Deno.cwd() };
  const extra = (options.readWrite ?? []).map((path) => resolve(path));
  const flags = (await startFlags()).map((flag) =>
    extra.length && /^--allow-(read|write)=/.test(flag) ? `${flag},${extra.join(",")}` : flag
  );
  // `deno` by name: `--allow-run=deno` is resolved through PATH, not the real path.
  return {
    program: "deno",
    args: ["run", ...flags, join(PROJECT_ROOT, "main.ts"), ...args],
    cwd: PROJECT_ROOT,
  };
}
