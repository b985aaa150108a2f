/**
 * Shadow mode SQL: which candidate model runs beside the active one, its
 * predictions on live traffic, and how often it agrees with the active model.
 */
import type { Queryable } from "../mod.ts";
import { inStatements } from "../statements.ts";

/** The shadow model's version, or null when shadow mode is off. */
export async function shadowModelVersion(db: Queryable): Promise<string | null> {
  const [row] = await db.query<{ version: string | null }>(
    "SELECT version FROM model_shadow_changes ORDER BY id DESC LIMIT 1",
  );
  return row?.version ?? null;
}

/**
 * Starts shadowing `version` (a registered model), or stops with null. The
 * history is kept; returns false when nothing changed.
 */
export async function setShadowModel(
  db: Queryable,
  version: string | null,
  actor: string | null,
): Promise<boolean> {
  const rows = await db.query(
    `INSERT INTO model_shadow_changes (version, actor)
     SELECT $1, $2
      WHERE $1::text IS DISTINCT FROM
            (SELECT version FROM model_shadow_changes ORDER BY id DESC LIMIT 1)
     RETURNING id`,
    [version, actor],
  );
  return rows.length > 0;
}

export interface ShadowPrediction {
  articleId: number;
  activeVersion: string;
  activeLabel: string;
  shadowVersion: string;
  label: string;
  score: number;
  scores: Record<string, number>;
}

/**
 * Stores shadow predictions, a bounded number a statement (db/statements.ts); a repeat
 * for an article and shadow is ignored.
 */
export async function insertShadowPredictions(
  tx: Queryable,
  rows: readonly ShadowPrediction[],
): Promise<void> {
  await inStatements(rows, (chunk) =>
    tx.query(
      `INSERT INTO shadow_predictions (article_id, active_version, active_label, shadow_version,
                                       shadow_label, shadow_score, shadow_scores)
       SELECT r.article_id, r.active_version, r.active_label, r.shadow_version, r.label, r.score,
              r.scores
         FROM jsonb_to_recordset($1::text::jsonb) AS r(
                article_id bigint, active_version text, active_label text, shadow_version text,
                label text, score double precision, scores jsonb)
       ON CONFLICT (article_id, shadow_version) DO NOTHING`,
      [JSON.stringify(chunk.map((r) => ({
        article_id: r.articleId,
        active_version: r.activeVersion,
        active_label: r.activeLabel,
        shadow_version: r.shadowVersion,
        label: r.label,
        score: r.score,
        scores: r.scores,
      })))],
    ));
}

export interface ShadowAgreement {
  shadowVersion: string;
  activeVersion: string;
  compared: number;
  agreeing: number;
  /** agreeing / compared (null before any comparison). */
  rate: number | null;
  /** Where they disagree most: active label → shadow label, most frequent first. */
  disagreements: Array<{ activeLabel: string; shadowLabel: string; count: number }>;
  since: string | null;
}

/** Agreement of `shadowVersion` (every shadow when omitted) with each active model it ran beside. */
export async function shadowAgreement(
  db: Queryable,
  shadowVersion?: string,
): Promise<ShadowAgreement[]> {
  const filter = shadowVersion === undefined ? "" : "WHERE shadow_version = $1";
  const params = shadowVersion === undefined ? [] : [shadowVersion];
  const totals = await db.query<{
    shadow_version: string;
    active_version: string;
    compared: number;
    agreeing: number;
    since: Date;
  }>(
    `SELECT shadow_version, active_version, count(*)::int AS compared,
            (count(*) FILTER (WHERE agrees))::int AS agreeing, min(created_at) AS since
       FROM shadow_predictions ${filter}
      GROUP BY shadow_version, active_version ORDER BY min(created_at) DESC`,
    params,
  );
  const pairs = await db.query<{
    shadow_version: string;
    active_version: string;
    active_label: string;
    shadow_label: string;
    n: number;
  }>(
    `SELECT shadow_version, active_version, active_label, shadow_label, count(*)::int AS n
       FROM shadow_predictions ${filter ? filter + " AND NOT agrees" : "WHERE NOT agrees"}
      GROUP BY 1, 2, 3, 4 ORDER BY n DESC, active_label, shadow_label`,
    params,
  );
  return totals.map((t) => ({
    shadowVersion: t.shadow_version,
    activeVersion: t.active_version,
    compared: t.compared,
    agreeing: t.agreeing,
    rate: t.compared === 0 ? null : t.agreeing / t.compared,
    disagreements: pairs
      .filter((p) => p.shadow_version === t.shadow_version && p.active_version === t.active_version)
      .slice(0, 20)
      .map((p) => ({ activeLabel: p.active_label, shadowLabel: p.shadow_label, count: p.n })),
    since: new Date(t.since).toISOString(),
  }));
}
