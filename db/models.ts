/** Model registry SQL: register models, promote, roll back, find the active one. */
import type { Queryable } from "./mod.ts";

/** Arbitrary constant naming "newsintel model activation" for pg_advisory_xact_lock. */
const ACTIVATION_LOCK_KEY = 7_424_019_312;

export type ModelOrigin = "trained" | "imported" | "hub" | "local";

export interface ModelRecord {
  version: string;
  name: string;
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
  labels: string[];
  origin: ModelOrigin;
  location: string;
  manifest: Record<string, unknown> | null;
  created_at: Date;
  active: boolean;
}

const SELECT_MODELS = `
  SELECT m.version, m.name, m.labels, m.origin, m.location, m.manifest, m.created_at,
         m.version = (SELECT version FROM model_activations ORDER BY id DESC LIMIT 1) AS active
    FROM models m`;

const toRecord = (r: ModelRow): ModelRecord => ({
  version: r.version,
  name: r.name,
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
  labels: string[];
  origin: ModelOrigin;
  location: string;
  manifest?: unknown;
}

/** Registers a model; registering the same version again changes nothing. */
export async function registerModel(db: Queryable, m: NewModel): Promise<void> {
  await db.query(
    `INSERT INTO models (version, name, labels, origin, location, manifest)
     VALUES ($1, $2, $3::text::jsonb, $4, $5, $6::text::jsonb)
     ON CONFLICT (version) DO NOTHING`,
    [
      m.version,
      m.name,
      JSON.stringify(m.labels),
      m.origin,
      m.location,
      m.manifest === undefined ? null : JSON.stringify(m.manifest),
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

/** The active model's version, or null before any model was activated. */
export async function activeModelVersion(db: Queryable): Promise<string | null> {
  const [row] = await db.query<{ version: string }>(
    "SELECT version FROM model_activations ORDER BY id DESC LIMIT 1",
  );
  return row?.version ?? null;
}

export interface Activation {
  version: string;
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

/** Activation history, newest first. */
export async function activationHistory(db: Queryable, limit = 50): Promise<Activation[]> {
  const rows = await db.query<
    { version: string; action: Activation["action"]; actor: string | null; activated_at: Date }
  >(
    "SELECT version, action, actor, activated_at FROM model_activations ORDER BY id DESC LIMIT $1",
    [limit],
  );
  return rows.map((r) => ({
    version: r.version,
    action: r.action,
    actor: r.actor,
    activatedAt: new Date(r.activated_at).toISOString(),
  }));
}

/**
 * Makes `version` the active model (run inside a transaction). Activations are
 * serialised by an advisory lock, so concurrent promotions from several
 * replicas apply one after the other. `bootstrap` only activates when no model
 * is active yet, so replicas starting at once do not each activate their own.
 * Returns false when nothing changed.
 */
export async function activateModel(tx: Queryable, change: ModelActivation): Promise<boolean> {
  const { version, action, actor } = change;
  await tx.query("SELECT pg_advisory_xact_lock($1)", [ACTIVATION_LOCK_KEY]);
  const current = await activeModelVersion(tx);
  if (action === "bootstrap" && current !== null) return false;
  if (current === version) return false;
  await tx.query(
    "INSERT INTO model_activations (version, action, actor) VALUES ($1, $2, $3)",
    [version, action, actor],
  );
  return true;
}

/**
 * The version to roll back to: the one active before the current one took
 * over (skipping repeats), or null when there is none.
 */
export async function previousModelVersion(db: Queryable): Promise<string | null> {
  const rows = await db.query<{ version: string }>(
    "SELECT version FROM model_activations ORDER BY id DESC LIMIT 200",
  );
  const current = rows[0]?.version;
  return rows.find((r) => r.version !== current)?.version ?? null;
}
