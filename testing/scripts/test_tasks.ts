/**
 * For tests: the arguments a deno.json task passes to its last command, with
 * `$(deno run -q scripts/deno_flags.ts TASK)` replaced by what it prints. Other
 * substitutions (`$(test -f .env && echo --env-file=.env)`) are left out.
 */
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { taskFlags } from "../../lib/permissions.ts";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));

/** The command line of task `name` after its last top-level `&&`, split on spaces. */
export async function taskArgs(name: string): Promise<string[]> {
  const config = JSON.parse(await Deno.readTextFile(join(ROOT, "deno.json")));
  const task: string = config.tasks[name];
  const parts: string[] = [];
  for (const piece of lastCommand(task).split(/(\$\([^)]*\))/)) {
    const substitution = /^\$\(([^)]*)\)$/.exec(piece)?.[1].trim();
    if (substitution === undefined) parts.push(piece);
    else {
      const flags = /^deno run -q scripts\/deno_flags\.ts (start|dev|cli|compile)$/
        .exec(substitution)?.[1] as Parameters<typeof taskFlags>[0] | undefined;
      if (flags) parts.push(taskFlags(flags).join(" "));
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
