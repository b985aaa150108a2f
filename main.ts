/** Entry point of the `newsintel` program: parses argv and dispatches to `cli/`. */
import { runCli } from "./cli/mod.ts";

if (import.meta.main) await runCli(Deno.args);
