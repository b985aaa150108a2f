// deno-lint-ignore-file no-console
/**
 * Prints the runtime flags of a deno.json task, from `lib/permissions.ts` (the one place
 * they are defined): `deno run -q scripts/deno_flags.ts start|dev|cli|compile`. Needs no
 * permissions.
 */
import { taskFlags } from "../lib/permissions.ts";

const task = Deno.args[0];
if (task !== "start" && task !== "dev" && task !== "cli" && task !== "compile") {
  console.error("usage: deno run scripts/deno_flags.ts start|dev|cli|compile");
  Deno.exit(2);
}
console.log(taskFlags(task).join(" "));
