/** Test fixtures for the review queue: a registered model, articles, queued predictions. */
import { toNewArticle } from "../../../services/article_rows.ts";
import { queueForReview, type ReviewPolicy } from "../../../services/review_routing.ts";
import { insertArticles } from "../../../db/articles.ts";
import type { Db, Queryable } from "../../../db/mod.ts";
import { activateModel, registerModel } from "../../../db/models.ts";
import { insertPredictions } from "../../../db/predictions.ts";

export const LABELS = ["markets", "science", "sport"];
export const MODEL = "test-model-v1";

/** Routes everything as low confidence, with no audit draw and one decision per item. */
export const QUEUE_ALL: ReviewPolicy = { threshold: 1.01, auditRate: 0, overlap: 1, languages: [] };

/** Registers and activates the test model (labels LABELS). */
export async function registerTestModel(db: Queryable, version = MODEL): Promise<void> {
  await registerModel(db, {
    version,
    name: "test",
    labels: LABELS,
    origin: "trained",
    location: version,
  });
}

export async function activateTestModel(db: Db, version = MODEL): Promise<void> {
  await db.transaction((tx) => activateModel(tx, { version, action: "promote", actor: "test" }));
}

/** Scores whose top label is `label` with probability `p`, the rest split evenly. */
export function scoresFor(label: string, p: number): Record<string, number> {
  const rest = (1 - p) / (LABELS.length - 1);
  return Object.fromEntries(LABELS.map((l) => [l, l === label ? p : rest]));
}

export interface SeedOptions {
  policy?: ReviewPolicy;
  /** Top probability of article i (default: spread over 0.4–0.9). */
  score?: (i: number) => number;
  label?: (i: number) => string;
  /** Title of article i (default: `<prefix> title <i>`). */
  title?: (i: number) => string;
  source?: (i: number) => string;
  publishedAt?: (i: number) => string;
  prefix?: string;
}

/**
 * Stores `n` articles with predictions by MODEL and queues them under the
 * policy (everything by default). Returns the article ids in order.
 */
export async function seedQueue(db: Queryable, n: number, o: SeedOptions = {}): Promise<number[]> {
  const prefix = o.prefix ?? "a";
  const predicted = Array.from({ length: n }, (_, i) => ({
    label: o.label?.(i) ?? LABELS[i % LABELS.length],
    score: o.score?.(i) ?? 0.4 + 0.5 * ((i * 7919) % n) / n,
  }));
  const rows = predicted.map(({ label, score }, i) => ({
    ...toNewArticle({
      title: o.title?.(i) ?? `${prefix} title ${i}`,
      body: `${prefix} body of article ${i}`,
      externalId: `${prefix}-${i}`,
      source: o.source?.(i) ?? (i % 2 === 0 ? "wire" : "blog"),
      publishedAt: o.publishedAt?.(i) ?? new Date(Date.UTC(2024, 0, 1 + (i % 28))).toISOString(),
    }),
    topic: label,
    topicScore: score,
  }));
  const outcomes = await insertArticles(db, rows);
  const ids = outcomes.map((x) => x.id);
  const predictions = ids.map((articleId, i) => {
    const { label, score } = predicted[i];
    return { articleId, modelVersion: MODEL, label, score, scores: scoresFor(label, score) };
  });
  await insertPredictions(db, predictions);
  await queueForReview(
    db,
    predictions.map((p) => ({
      articleId: p.articleId,
      modelVersion: p.modelVersion,
      prediction: { label: p.label, score: p.score, scores: p.scores },
    })),
    o.policy ?? QUEUE_ALL,
  );
  return ids;
}

/** Makes every live lease on `itemId` (or all items) expire now, instead of waiting. */
export async function expireLeases(db: Queryable, itemId?: number): Promise<void> {
  await db.query(
    `UPDATE review_items SET lease_expires_at = now() - interval '1 second'
      WHERE status = 'claimed' AND ($1::bigint IS NULL OR id = $1)`,
    [itemId ?? null],
  );
}

/** Empties the database and queues `n` articles needing `overlap` decisions each. */
export async function freshQueue(
  t: { db: Db; reset(): Promise<void> },
  overlap = 1,
  n = 6,
): Promise<number[]> {
  await t.reset();
  await registerTestModel(t.db);
  return await seedQueue(t.db, n, { policy: { ...QUEUE_ALL, overlap } });
}

/** The outcome, which must be `ok`: anything else fails the test, naming the refusal. */
export function ok<O extends { kind: string }>(outcome: O): Extract<O, { kind: "ok" }> {
  if (outcome.kind !== "ok") throw new Error(`expected ok, got ${JSON.stringify(outcome)}`);
  return outcome as Extract<O, { kind: "ok" }>;
}
