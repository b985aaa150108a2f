/**
 * `serve` with its network access narrowed: started with an unscoped `--allow-net` (as
 * `deno task start` does), it runs itself again with `--allow-net` limited to the hosts
 * its configuration names (`lib/egress.ts`) and `--no-prompt`, and passes signals on,
 * its exit code back. `NEWSINTEL_NET_SCOPED=1` marks the copy, so it never starts
 * another. The compiled binary's permissions are fixed when it is compiled: it runs
 * as it is, and says so.
 */
import { resolve } from "node:path";
import type { Config } from "../lib/config.ts";
import { egressHosts, netUnscoped } from "../lib/egress.ts";
import { logger } from "../lib/log.ts";
import { selfCommand } from "../lib/self_command.ts";

const log = logger("serve");

const MARKER = "NEWSINTEL_NET_SCOPED";

/**
 * glibc malloc settings for the serving copy, each unless the environment sets it:
 * - `MALLOC_ARENA_MAX` 2 arenas, where the default is 8 per core, each keeping freed memory
 *   of the threads that used it: 30 s after a first start was ready (the sample seeding in
 *   the background), 454-465 MB resident against 479-514 MB;
 * - `MALLOC_MMAP_THRESHOLD_` 128 KB: larger blocks (model files read before onnxruntime takes
 *   them, request bodies, query results) are mapped apart and given back when freed. By
 *   default the threshold rises to the largest block freed so far, and such blocks are then
 *   carved from the heap, where what is freed stays resident: 30 s after a first start was
 *   ready, 421-422 MB against 474-483 MB, with no change in classify or ingest rates.
 */
export const MALLOC_SETTINGS: Readonly<Record<string, string>> = {
  MALLOC_ARENA_MAX: "2",
  MALLOC_MMAP_THRESHOLD_: "131072",
};

/** What the serving copy's environment adds to ours. */
export function scopedEnv(get: (name: string) => string | undefined): Record<string, string> {
  const malloc = Object.entries(MALLOC_SETTINGS).map(([name, value]) => [name, get(name) ?? value]);
  return { [MARKER]: "1", ...Object.fromEntries(malloc) };
}

/**
 * Runs `serve ARGS` again with network access limited to what `config` names, when this
 * process may reach any host; resolves to the copy's exit code then, else to null (this
 * process is the copy, a worker, already narrowed, or the compiled binary).
 */
export async function serveNetScoped(config: Config, args: string[]): Promise<number | null> {
  if (config.netScoped || config.worker || !netUnscoped()) return null;
  if (Deno.build.standalone) {
    log.info("the compiled binary keeps the network access it was compiled with");
    return null;
  }
  const net = egressHosts(config);
  const command = await selfCommand(["serve", ...args], {
    net,
    readWrite: [resolve(config.dataDir), resolve(config.modelDir)],
  });
  log.info("network access limited to {hosts}", { hosts: net.join(",") });
  const child = new Deno.Command(command.program, {
    args: command.args,
    cwd: command.cwd,
    env: scopedEnv((name) => Deno.env.get(name)),
    // The copy stops when our end of its stdin closes (we died): see primaryGone().
    stdin: "piped",
    stdout: "inherit",
    stderr: "inherit",
  }).spawn();
  const forward = (signal: Deno.Signal) => () => {
    try {
      child.kill(signal);
    } catch { /* exited meanwhile */ }
  };
  const handlers = (["SIGTERM", "SIGINT"] as const).map((s) => [s, forward(s)] as const);
  for (const [signal, handler] of handlers) Deno.addSignalListener(signal, handler);
  try {
    const status = await child.status;
    return status.signal ? 128 + signalNumber(status.signal) : status.code;
  } finally {
    for (const [signal, handler] of handlers) Deno.removeSignalListener(signal, handler);
  }
}

function signalNumber(signal: Deno.Signal): number {
  return ({ SIGINT: 2, SIGKILL: 9, SIGTERM: 15 } as Record<string, number>)[signal] ?? 1;
}
