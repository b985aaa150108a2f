/**
 * Model registry SQL: register models, promote, roll back, find the active one. Each
 * model belongs to a taxonomy (`topic`, or a newsroom's own such as `section`), and
 * each taxonomy has its own active model: the newest activation row of that taxonomy.
 */
import type { Queryable } from "./mod.ts";

/** The taxonomy of models registered without one, and of everything before taxonomies. */
export const DEFAULT_TAXONOMY = "topic";

/** What a taxonomy may be called: it appears in URLs and query strings. */
export const TAXONOMY_NAME = /^[a-z][a-z0-9_-]{0,39}$/;

/** Arbitrary constant naming "newsintel model activation" for pg_advisory_xact_lock. */
const ACTIVATION_LOCK_KEY = 7_424_019_312;

export type ModelOrigin = "trained" | "imported" | "hub" | "local";

export interface ModelRecord {
  version: string;
  name: string;
  taxonomy: string;
  labels: string[];
  origin: ModelOrigin;
  location: string;
  manifest: Record<string, unknown> | null;
  createdAt: string;
  active: boolean;
}

interface ModelRow {
  version: string;
  name: string;
  taxonomy: string;
  labels: string[];
  origin: ModelOrigin;
  location: string;
  manifest: Record<string, unknown> | null;
  created_at: Date;
  active: boolean;
}

const SELECT_MODELS = `
  SELECT m.version, m.name, m.taxonomy, m.labels, m.origin, m.location, m.manifest,
         m.created_at,
         m.version = (SELECT version FROM model_activations
                       WHERE taxonomy = m.taxonomy ORDER BY id DESC LIMIT 1) AS active
    FROM models m`;

const toRecord = (r: ModelRow): ModelRecord => ({
  version: r.version,
  name: r.name,
  taxonomy: r.taxonomy,
  labels: r.labels,
  origin: r.origin,
  location: r.location,
  manifest: r.manifest,
  createdAt: new Date(r.created_at).toISOString(),
  active: r.active === true,
});

export interface NewModel {
  version: string;
  name: string;
  /** The taxonomy it serves; {@link DEFAULT_TAXONOMY} when not given. */
  taxonomy?: string;
  labels: string[];
  origin: ModelOrigin;
  location: string;
  manifest?: unknown;
}

/** Registers a model; registering the same version again changes nothing. */
export async function registerModel(db: Queryable, m: NewModel): Promise<void> {
  await db.query(
    `INSERT INTO models (version, name, labels, origin, location, manifest, taxonomy)
     VALUES ($1, $2, $3::text::jsonb, $4, $5, $6::text::jsonb, $7)
     ON CONFLICT (version) DO NOTHING`,
    [
      m.version,
      m.name,
      JSON.stringify(m.labels),
      m.origin,
      m.location,
      m.manifest === undefined ? null : JSON.stringify(m.manifest),
      m.taxonomy ?? DEFAULT_TAXONOMY,
    ],
  );
}

/** Every registered model, newest first. */
export async function listModels(db: Queryable): Promise<ModelRecord[]> {
  const rows = await db.query<ModelRow>(
    `${SELECT_MODELS} ORDER BY m.created_at DESC, m.version DESC`,
  );
  return rows.map(toRecord);
}

export async function getModel(db: Queryable, version: string): Promise<ModelRecord | null> {
  const [row] = await db.query<ModelRow>(`${SELECT_MODELS} WHERE m.version = $1`, [version]);
  return row ? toRecord(row) : null;
}

/** The active model's version of `taxonomy`, or null before any of its models was activated. */
export async function activeModelVersion(
  db: Queryable,
  taxonomy = DEFAULT_TAXONOMY,
): Promise<string | null> {
  const [row] = await db.query<{ version: string }>(
    "SELECT version FROM model_activations WHERE taxonomy = $1 ORDER BY id DESC LIMIT 1",
    [taxonomy],
  );
  return row?.version ?? null;
}

/** Every taxonomy's active model version, taxonomies in name order. */
export async function activeModelVersions(
  db: Queryable,
): Promise<{ taxonomy: string; version: string }[]> {
  return await db.query<{ taxonomy: string; version: string }>(
    `SELECT DISTINCT ON (taxonomy) taxonomy, version FROM model_activations
      ORDER BY taxonomy, id DESC`,
  );
}

/** The taxonomies some registered model belongs to, in name order. */
export async function knownTaxonomies(db: Queryable): Promise<string[]> {
  const rows = await db.query<{ taxonomy: string }>(
    "SELECT DISTINCT taxonomy FROM models ORDER BY taxonomy",
  );
  return rows.map((r) => r.taxonomy);
}

export interface Activation {
  version: string;
  taxonomy: string;
  action: "promote" | "rollback" | "bootstrap";
  actor: string | null;
  activatedAt: string;
}

/** What {@link activateModel} records: which model, how, and who asked (a key's name or a tool). */
export interface ModelActivation {
  version: string;
  action: Activation["action"];
  actor: string | null;
}

/** Activation history, newest first; of one taxonomy when `taxonomy` is given. */
export async function activationHistory(
  db: Queryable,
  limit = 50,
  taxonomy?: string,
): Promise<Activation[]> {
  const rows = await db.query<
    {
      version: string;
      taxonomy: string;
      action: Activation["action"];
      actor: string | null;
      activated_at: Date;
    }
  >(
    `SELECT version, taxonomy, action, actor, activated_at FROM model_activations
      WHERE $2::text IS NULL OR taxonomy = $2 ORDER BY id DESC LIMIT $1`,
    [limit, taxonomy ?? null],
  );
  return rows.map((r) => ({
    version: r.version,
    taxonomy: r.taxonomy,
    action: r.action,
    actor: r.actor,
    activatedAt: new Date(r.activated_at).toISOString(),
  }));
}

/**
 * Makes `version` the active model of its taxonomy (run inside a transaction); the
 * other taxonomies' active models stay. Activations are serialised by an advisory
 * lock, so concurrent promotions from several replicas apply one after the other.
 * `bootstrap` only activates when the taxonomy has no active model yet, so replicas
 * starting at once do not each activate their own. Returns false when nothing
 * changed.
 */
export async function activateModel(tx: Queryable, change: ModelActivation): Promise<boolean> {
  const { version, action, actor } = change;
  await tx.query("SELECT pg_advisory_xact_lock($1)", [ACTIVATION_LOCK_KEY]);
  const [model] = await tx.query<{ taxonomy: string }>(
    "SELECT taxonomy FROM models WHERE version = $1",
    [version],
  );
  // An unregistered version keeps failing on the foreign key, as it always did.
  const taxonomy = model?.taxonomy ?? DEFAULT_TAXONOMY;
  const current = await activeModelVersion(tx, taxonomy);
  if (action === "bootstrap" && current !== null) return false;
  if (current === version) return false;
  await tx.query(
    "INSERT INTO model_activations (version, action, actor, taxonomy) VALUES ($1, $2, $3, $4)",
    [version, action, actor, taxonomy],
  );
  return true;
}

/**
 * The version of `taxonomy` to roll back to: the one active before the current one
 * took over (skipping repeats), or null when there is none.
 */
export async function previousModelVersion(
  db: Queryable,
  taxonomy = DEFAULT_TAXONOMY,
): Promise<string | null> {
  const rows = await db.query<{ version: string }>(
    "SELECT version FROM model_activations WHERE taxonomy = $1 ORDER BY id DESC LIMIT 200",
    [taxonomy],
  );
  const current = rows[0]?.version;
  return rows.find((r) => r.version !== current)?.version ?? null;
}
