/**
 * How the program starts another copy of itself (the `WORKERS` processes, the
 * first-start training run): `deno run FLAGS main.ts ARGS` with exactly the
 * runtime flags of `deno task start`, read from the same `flags/*.txt` files the task
 * reads so there is one list of them, or the compiled binary itself.
 */
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const PROJECT_ROOT = fileURLToPath(new URL("..", import.meta.url));

/**
 * The arguments a `deno.json` task passes to its last command, with `$(cat FILES)` read
 * in: the permission flags live once in `flags/*.txt` (the `--allow-env` list in
 * `flags/env.txt`), and the tasks and this module read them from there. Any other
 * substitution (`$(test -f .env && echo --env-file=.env)`) is left out: it only loads
 * variables, and a process started with {@link selfCommand} inherits them anyway.
 */
export async function taskArgs(name: string): Promise<string[]> {
  const config = JSON.parse(await Deno.readTextFile(join(PROJECT_ROOT, "deno.json")));
  const task: string = config.tasks[name];
  const parts: string[] = [];
  for (const piece of lastCommand(task).split(/(\$\([^)]*\))/)) {
    const substitution = /^\$\(([^)]*)\)$/.exec(piece)?.[1].trim();
    if (substitution === undefined) parts.push(piece);
    else if (substitution.startsWith("cat ")) {
      for (const file of substitution.slice(4).trim().split(/\s+/)) {
        parts.push(await Deno.readTextFile(join(PROJECT_ROOT, file)));
      }
    }
  }
  return parts.join(" ").split(/\s+/).filter(Boolean);
}

/** The command after a task's last `&&` that is not inside a `$(...)`. */
function lastCommand(task: string): string {
  let depth = 0;
  let start = 0;
  for (let i = 0; i < task.length; i++) {
    if (task.startsWith("$(", i)) depth++;
    else if (task[i] === ")" && depth > 0) depth--;
    else if (depth === 0 && task.startsWith("&&", i)) start = i + 2;
  }
  return task.slice(start).trim();
}

/** The runtime flags of `deno task start`: permissions, unstable features and V8's. */
export async function startFlags(): Promise<string[]> {
  return (await taskArgs("start")).filter((a) => /^--(allow-|unstable-|v8-flags=)/.test(a));
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
