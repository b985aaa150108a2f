/**
 * Taxonomies: the label sets served side by side (`topic`, and a newsroom's own such
 * as `section`), one per model name. What a request may name, and the refusal of one
 * no model serves.
 */
import type { Queryable } from "../db/mod.ts";
import { DEFAULT_TAXONOMY, knownTaxonomies, TAXONOMY_NAME } from "../db/models.ts";
import { done, type Outcome, refuse } from "./outcome.ts";

export { DEFAULT_TAXONOMY };

/** The model name the AG News topic model had before taxonomies: its taxonomy is `topic`. */
const LEGACY_TOPIC_NAME = "agnews-topics";

/**
 * The taxonomy a model named `name` serves when nothing else says: its name when that is
 * a taxonomy name (`section`), else `topic` (a hub repository, the older AG News name).
 */
export function taxonomyForModelName(name: string): string {
  return TAXONOMY_NAME.test(name) && name !== LEGACY_TOPIC_NAME ? name : DEFAULT_TAXONOMY;
}

/**
 * Every taxonomy a request may name: `topic` always (it is the default, even before
 * a model exists), and each one some registered model belongs to, `topic` first.
 */
export async function listTaxonomies(db: Queryable): Promise<string[]> {
  const known = await knownTaxonomies(db);
  return [DEFAULT_TAXONOMY, ...known.filter((t) => t !== DEFAULT_TAXONOMY)];
}

/** Why a taxonomy named in a request is refused: no model serves it. */
export type TaxonomyRefusalCode = "unknownTaxonomy";

/**
 * Refuses with `unknownTaxonomy` unless `taxonomy` (when given) is one of
 * {@link listTaxonomies}.
 */
export async function checkTaxonomy(
  db: Queryable,
  taxonomy: string | undefined,
): Promise<Outcome<void, TaxonomyRefusalCode>> {
  if (taxonomy === undefined || taxonomy === DEFAULT_TAXONOMY) return done(undefined);
  const known = await listTaxonomies(db);
  if (known.includes(taxonomy)) return done(undefined);
  return refuse(
    "unknownTaxonomy",
    `No model serves the taxonomy ${JSON.stringify(taxonomy)}; known: ${known.join(", ")}.`,
  );
}
