/** Which taxonomies a console page offers, and the one it shows. */
import type { Db } from "../../../db/mod.ts";
import { DEFAULT_TAXONOMY, listTaxonomies } from "../../../services/taxonomies.ts";

/**
 * The taxonomies to offer and the one shown: `asked` when a model serves it, else `topic`
 * (a console page never fails over a stale taxonomy in its URL).
 */
export async function taxonomyChoice(db: Db, asked: string | undefined) {
  const taxonomies = await listTaxonomies(db);
  const taxonomy = asked && taxonomies.includes(asked) ? asked : DEFAULT_TAXONOMY;
  return { taxonomies, taxonomy };
}
