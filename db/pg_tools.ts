/**
 * PostgreSQL's own backup tools, `pg_dump` and `pg_restore` (15 or newer, on `PATH`;
 * the compiled binary may run these two by name). The password never goes on their
 * command line, where any user of the machine could read it: it is passed in
 * `PGPASSWORD` and the URL given without it.
 */

/** A failed `pg_dump` or `pg_restore`: the tool's own last words, never the password. */
export class PgToolError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "PgToolError";
  }
}

/** Splits a postgres URL into one without its password, and the password. */
export function libpqTarget(url: string): { url: string; env: Record<string, string> } {
  const u = new URL(url.replace(/^postgresql:/, "postgres:"));
  const password = u.password ? decodeURIComponent(u.password) : undefined;
  u.password = "";
  return { url: u.toString(), env: password === undefined ? {} : { PGPASSWORD: password } };
}

async function run(tool: "pg_dump" | "pg_restore", args: string[], env: Record<string, string>) {
  let output;
  try {
    output = await new Deno.Command(tool, { args, env, stdin: "null", stdout: "null" }).output();
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) {
      throw new PgToolError(`${tool} is not installed (PostgreSQL 15+ client tools on PATH)`, {
        cause: err,
      });
    }
    throw err;
  }
  if (!output.success) {
    const lines = new TextDecoder().decode(output.stderr).trim().split("\n");
    // The last lines say why; an error over a long restore can list many.
    throw new PgToolError(`${tool} failed (exit ${output.code}): ${lines.slice(-5).join(" / ")}`);
  }
}

/**
 * Dumps the database at `url` to `file` in `pg_dump`'s custom format (`-Fc`,
 * compressed, restorable table by table). With `snapshot` (from `exportSnapshot()`),
 * the dump sees exactly the rows that snapshot sees.
 */
export async function pgDump(url: string, file: string, options: { snapshot?: string } = {}) {
  const target = libpqTarget(url);
  await run("pg_dump", [
    "--format=custom",
    "--no-owner",
    "--no-privileges",
    ...(options.snapshot ? [`--snapshot=${options.snapshot}`] : []),
    `--file=${file}`,
    `--dbname=${target.url}`,
  ], target.env);
}

/**
 * Restores a custom-format dump into the database at `url` in ONE transaction, stopping
 * at the first error: a failed restore leaves the database as it was. With `clean`, the
 * objects the dump holds are dropped first (a restore over existing data). Ownership and
 * grants are not restored: the objects belong to the user restoring them.
 */
export async function pgRestore(url: string, file: string, options: { clean?: boolean } = {}) {
  const target = libpqTarget(url);
  await run("pg_restore", [
    "--single-transaction",
    "--exit-on-error",
    "--no-owner",
    "--no-privileges",
    ...(options.clean ? ["--clean", "--if-exists"] : []),
    `--dbname=${target.url}`,
    file,
  ], target.env);
}
