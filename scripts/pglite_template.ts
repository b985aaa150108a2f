/**
 * Writes the data directory a new embedded database starts from (`db/pglite_template.tgz`,
 * see db/pglite_template.ts): PGlite's initdb, run once here instead of on every first
 * start and in every test database, and the PGlite version that made it. Run it again
 * after upgrading PGlite (a test fails until it is):
 *
 *   deno task pglite-template
 */
import { PGlite } from "@electric-sql/pglite";
import { TEMPLATE_FILE, TEMPLATE_VERSION_FILE } from "../db/pglite_template.ts";

/** The PGlite version deno.json pins. */
export async function pinnedPgliteVersion(): Promise<string> {
  const config = JSON.parse(await Deno.readTextFile(new URL("../deno.json", import.meta.url)));
  const spec: string = config.imports["@electric-sql/pglite"];
  return spec.slice(spec.lastIndexOf("@") + 1);
}

if (import.meta.main) {
  const pg = await PGlite.create();
  const tarball = await pg.dumpDataDir("gzip");
  await pg.close();
  await Deno.writeFile(TEMPLATE_FILE, new Uint8Array(await tarball.arrayBuffer()));
  await Deno.writeTextFile(
    TEMPLATE_VERSION_FILE,
    JSON.stringify({ pglite: await pinnedPgliteVersion() }, null, 2) + "\n",
  );
  // deno-lint-ignore no-console
  console.log(`wrote ${TEMPLATE_FILE.pathname} (${tarball.size} bytes)`);
}
