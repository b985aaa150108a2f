/**
 * The data directory a new embedded database starts from: PGlite's initdb run ahead of time
 * (`deno task pglite-template`, scripts/pglite_template.ts) instead of on every first start
 * and in every test database. Loading it took 3.1 s where initdb took 11.4 s (one machine,
 * under load); a first start trains its model meanwhile, on the same two cores.
 */

export const TEMPLATE_FILE = new URL("./pglite_template.tgz", import.meta.url);
/** The PGlite version that made it: db/pglite_template_test.ts checks it is the one pinned. */
export const TEMPLATE_VERSION_FILE = new URL("./pglite_template.json", import.meta.url);

/** The template as PGlite's `loadDataDir` takes it, or null when it is not there. */
export async function initdbTemplate(): Promise<Blob | null> {
  try {
    return new Blob([await Deno.readFile(TEMPLATE_FILE)]);
  } catch {
    return null;
  }
}
