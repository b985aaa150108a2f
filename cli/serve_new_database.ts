/**
 * A new embedded database, created in a process of its own. Creating one (loading the data
 * directory initdb made ahead of time, db/pglite_template.ts, and migrating it) leaves the
 * process that did it larger for good: 53 → 336 MB resident, where opening the created
 * database in a fresh process takes it to 210 MB (with initdb run in place: 49 → 614 MB).
 * So the first `serve` on an empty `DATA_DIR` runs `newsintel migrate` as a child, which
 * creates and migrates it and exits, and then opens the result.
 */
import { resolve } from "node:path";
import { selfCommand } from "../lib/self_command.ts";

/** Whether `url` names an embedded database on disk that does not exist yet. */
export async function isNewEmbeddedDatabase(url: string): Promise<boolean> {
  const path = embeddedPath(url);
  if (path === null) return false;
  try {
    await Deno.stat(path);
    return false;
  } catch (err) {
    return err instanceof Deno.errors.NotFound;
  }
}

/**
 * Creates and migrates the embedded database `url` in a child process (`newsintel migrate
 * --json`, our permissions plus `dataDir`); returns the migrations it applied. Its log lines
 * go to our standard error; aborting `signal` stops it. A creation that fails or is stopped
 * leaves no database behind (a half-created one would be opened by the next start). Null
 * when this process may not start that child (the compiled binary run from outside `PATH`):
 * the caller creates the database itself then.
 */
export async function createEmbeddedDatabase(
  url: string,
  dataDir: string,
  signal?: AbortSignal,
): Promise<string[] | null> {
  const path = resolve(embeddedPath(url) ?? "");
  const { program, args, cwd } = await selfCommand(["migrate", "--json"], {
    readWrite: [resolve(dataDir), path],
  });
  const out = await new Deno.Command(program, {
    args,
    cwd,
    env: { DB_URL: `pglite://${path}`, DATA_DIR: resolve(dataDir) },
    stdin: "null",
    stdout: "piped",
    stderr: "inherit",
    signal,
  }).output().catch(async (err) => {
    await Deno.remove(path, { recursive: true }).catch(() => {});
    if (err instanceof Deno.errors.NotCapable || err instanceof Deno.errors.PermissionDenied) {
      return null;
    }
    throw err;
  });
  if (out === null) return null;
  if (!out.success) {
    await Deno.remove(path, { recursive: true }).catch(() => {});
    throw new Error(
      `creating the embedded database in a separate process (newsintel migrate) failed with ${
        out.signal ? `signal ${out.signal}` : `exit code ${out.code}`
      }; its log lines above say why`,
    );
  }
  return (JSON.parse(new TextDecoder().decode(out.stdout)) as { applied: string[] }).applied;
}

function embeddedPath(url: string): string | null {
  if (!url.startsWith("pglite://")) return null;
  const path = url.slice("pglite://".length);
  return path === "memory" || path === "" ? null : path;
}
