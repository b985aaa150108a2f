/**
 * Ingestion shared by the API and `newsintel seed`: turns validated input into
 * rows (content hash, dedup key), enriches them (topic, summary, language,
 * term statistics) and stores a batch — articles, predictions, statistics and
 * stories — in one transaction.
 */
import type { Db, Queryable } from "../db/mod.ts";
import { insertArticles, type InsertResult, type NewArticle } from "../db/articles.ts";
import { insertPredictions } from "../db/predictions.ts";
import { queueStoredArticleStats } from "../db/trends.ts";
import { insertArticleVectors } from "../db/article_vectors.ts";
import { groupIntoStories } from "./stories.ts";
import { lookUpDrafts, lookupOf, readForStories, type StoryReading } from "./story_lookup.ts";
import type { StoryLookup } from "../db/story_index.ts";
import { DEFAULT_STORY_PARAMS } from "../ml/story_profile.ts";
import type { ArticleInput } from "../datasets/article.ts";
import type { Prediction } from "../ml/mod.ts";
import { articleTerms } from "../ml/terms.ts";
import type { Classification, ModelRuntime } from "./model_runtime.ts";
import type { Metrics } from "../lib/metrics.ts";
import { queueForReview, type ReviewPolicy } from "./review_routing.ts";
import { ARTICLE_SUMMARY_SENTENCES, type TextServices } from "./text_services.ts";
import { toNewArticle } from "./article_rows.ts";
import { SLICE_CHARS, slicesOf, turnTaker, yieldToEventLoop } from "../lib/slices.ts";
import { statementTurn } from "../db/statements.ts";

/** What ingestion uses beside the database; each part is optional. */
export interface IngestServices {
  models?: ModelRuntime | null;
  text?: TextServices | null;
  metrics?: Metrics | null;
  /** Route new predictions to the review queue under this policy. */
  review?: ReviewPolicy | null;
  /** Group new articles into stories (default true; `STORY_GROUPING`). */
  stories?: boolean;
}

/** Adds the summary and, unless the sender gave one, the detected language. */
async function enrich(row: NewArticle, text: TextServices): Promise<NewArticle> {
  const guess = row.language ? null : text.detectLanguage(`${row.title}\n${row.body}`);
  const summary = await text.summarize({
    text: row.body || row.title,
    title: row.title,
    maxSentences: ARTICLE_SUMMARY_SENTENCES,
  });
  return {
    ...row,
    language: row.language ?? guess?.language ?? null,
    languageConfidence: guess?.confidence ?? null,
    summary: summary.summary,
    summaryMethod: summary.method,
  };
}

export interface IngestOutcome extends InsertResult {
  /** The `topic` prediction stored for a newly created article. */
  prediction?: Prediction;
}

/** The taxonomy a served model's predictions belong to. */
const taxonomyOf = (c: Classification) => c.model.taxonomy ?? "topic";

/** The `topic` model's classification among every served model's, if one serves. */
const topicResultOf = (results: Classification[]) =>
  results.find((c) => taxonomyOf(c) === "topic") ?? null;

/** A batch ready to store: its rows enriched, and every served model's predictions of them. */
export interface PreparedBatch {
  rows: NewArticle[];
  /** One per served model, predictions in the order of `rows`. */
  results: Classification[];
  /**
   * What story grouping reads of each row, in the order of `rows`, read while preparing
   * (grouping reads a row itself when there is none).
   */
  readings?: StoryReading[];
}

/**
 * Articles grouped into stories per call at most on the embedded database (a few
 * statements per call; a batch of more takes a turn of the event loop before each call,
 * db/statements.ts): there each statement holds the event loop while it runs, and the
 * statements of one call follow each other straight on.
 */
export const STORY_SLICE = 25;

/**
 * Articles grouped into stories per call at most on PostgreSQL, whose statements run off
 * the event loop. Each call's look-up and write have a fixed part (the batch's shared term
 * frequencies and postings are read and written once a call): in calls of 25, batches of
 * 500 cost PostgreSQL 2.2 ms of CPU per article, in calls of 500, 1.7 ms (in-process
 * profile of 4,000 articles).
 */
export const STORY_SLICE_POSTGRES = 500;

/**
 * Characters grouped into stories per call at most on PostgreSQL: building a call's look-up
 * and its write, and reading the look-up's answer, are synchronous work linear in the
 * articles' terms (about 80 ms each for 500 articles of 10 KB). A batch of 500 headlines
 * with their leads (about 150,000 characters) is still one call.
 */
export const STORY_SLICE_CHARS_POSTGRES = 200_000;

/**
 * Characters of text (title and body) grouped into stories per call at most on the
 * embedded database: a long article brings its full share of terms (ml/story_profile.ts
 * caps), and the statements of a call over 25 articles of 10 KB held the event loop for
 * up to a fifth of a second.
 */
export const STORY_SLICE_CHARS = 25_000;

/**
 * Builds and enriches the rows of a batch (content hash, dedup key, terms, summary,
 * language), giving the event loop a turn every few ms of it (`lib/slices.ts`), then
 * classifies them with every taxonomy's served model (which runs in bounded pieces too).
 * Nothing is written: no lock is held during inference.
 */
export async function prepareArticles(
  inputs: ArticleInput[],
  services: IngestServices = {},
): Promise<PreparedBatch> {
  // A large batch comes straight from parsing and validating its body, tens of ms of work
  // on the event loop: its preparation starts on a turn of its own.
  const chars = inputs.reduce((n, a) => n + a.title.length + a.body.length, 0);
  if (chars > SLICE_CHARS) await yieldToEventLoop();
  // Synchronous work per article (hashing, terms, summary, language; a 10 KB article takes
  // a few ms): the event loop gets a turn every few ms of it.
  const turn = turnTaker();
  let rows: NewArticle[] = [];
  const grouped = services.stories ?? true;
  const readings: StoryReading[] = [];
  for (const a of inputs) {
    await turn();
    const row = toNewArticle(a);
    const built = { ...row, terms: articleTerms(row.title, row.body) };
    rows.push(services.text ? await enrich(built, services.text) : built);
    if (grouped) readings.push(readForStories(row.title, row.body));
  }
  const results = services.models
    ? await services.models.classifyAll(
      rows.map((r) => ({ title: r.title, body: r.body })),
      { withShadow: Boolean(services.review) },
    )
    : [];
  const topicResult = topicResultOf(results);
  if (topicResult) {
    rows = rows.map((r, i) => ({
      ...r,
      topic: topicResult.predictions[i].label,
      topicScore: topicResult.predictions[i].score,
    }));
  }
  return { rows, results, ...(grouped ? { readings } : {}) };
}

/**
 * Runs independent writes of one transaction: `together`, all sent at once (postgres.js
 * pipelines them on the transaction's connection: one wait instead of several), else one
 * after the other. A long batch's writes on the embedded database go one after the other:
 * there, statements sent together run back to back however the writes take turns of the
 * event loop (db/statements.ts), one statement of each between two turns.
 */
async function writeAll(together: boolean, writes: (() => unknown)[]): Promise<void> {
  if (together) {
    await Promise.all(writes.map((write) => write()));
    return;
  }
  for (const write of writes) await write();
}

/**
 * The new articles' predictions, one row per article and served model (every model in one
 * statement), the topic model's dense vectors, and those routed to review.
 */
async function storePredictions(
  tx: Queryable,
  created: number[],
  outcomes: IngestOutcome[],
  rows: NewArticle[],
  results: Classification[],
  review: ReviewPolicy | null,
  together: boolean,
): Promise<void> {
  if (results.length === 0) return;
  const topicResult = topicResultOf(results);
  const vectors = topicResult?.vectors;
  await writeAll(together, [
    () =>
      insertPredictions(
        tx,
        results.flatMap(({ model, predictions }) =>
          created.map((i) => ({
            articleId: outcomes[i].id,
            modelVersion: model.version,
            ...predictions[i],
          }))
        ),
      ),
    () =>
      vectors && insertArticleVectors(
        tx,
        created.map((i) => ({
          articleId: outcomes[i].id,
          modelVersion: topicResult.model.version,
          publishedAt: outcomes[i].publishedAt!,
          vector: vectors[i],
        })),
      ),
    () =>
      review && queueForReview(
        tx,
        results.flatMap(({ model, predictions, shadow }) =>
          created.map((i) => ({
            articleId: outcomes[i].id,
            modelVersion: model.version,
            prediction: predictions[i],
            language: rows[i].language,
            shadow: shadow
              ? { modelVersion: shadow.model.version, prediction: shadow.predictions[i] }
              : null,
          }))
        ),
        review,
      ),
  ]);
}

/**
 * Stores a prepared batch atomically; outcomes are in the order of its rows. New articles'
 * predictions are stored with each model's version (the `topic` one is the article's
 * topic), routed to review, counted in each taxonomy's trend statistics and grouped into
 * stories (unless `services.stories` is false).
 */
export async function storePrepared(
  db: Db,
  { rows, results, readings }: PreparedBatch,
  services: IngestServices = {},
): Promise<IngestOutcome[]> {
  const topicResult = topicResultOf(results);
  // PostgreSQL runs statements off the event loop: there, calls are cut only to bound the
  // synchronous work around each.
  const embedded = db.kind === "pglite";
  const grouped = services.stories ?? true;
  const storySlicesOf = (positions: number[]) =>
    grouped
      ? slicesOf(positions, (i) => rows[i].title.length + rows[i].body.length, {
        maxItems: embedded ? STORY_SLICE : STORY_SLICE_POSTGRES,
        maxChars: embedded ? STORY_SLICE_CHARS : STORY_SLICE_CHARS_POSTGRES,
      })
      : [];
  // A batch grouped in one call has its candidate stories looked up with its insert, not
  // after it: the transaction, which one writer holds at a time, waits for one answer fewer.
  const earlyLookup = storySlicesOf(rows.map((_, i) => i)).length === 1;
  // The transaction may run more than once (a deadlock retried): metrics are
  // counted after it, for the batch that committed.
  const outcomes = await db.transaction(async (tx) => {
    const [outcomes, found]: [IngestOutcome[], StoryLookup | null] = await Promise.all([
      insertArticles(tx, rows),
      earlyLookup
        ? lookUpDrafts(
          tx,
          rows.map((r, i) => ({
            title: r.title,
            body: r.body,
            publishedAt: r.publishedAt ?? null,
            reading: readings?.[i],
          })),
        )
        : null,
    ]);
    const created = outcomes.flatMap((o, i) => (o.status === "created" ? [i] : []));
    if (created.length === 0) return outcomes;
    if (topicResult) {
      for (const i of created) outcomes[i].prediction = topicResult.predictions[i];
    }
    const storySlices = storySlicesOf(created);
    // Independent of each other once the articles have ids: sent together on PostgreSQL and
    // for a short batch, one after the other for a long one on the embedded database
    // (`writeAll`).
    const together = !embedded || storySlices.length <= 1;
    await writeAll(together, [
      () =>
        storePredictions(
          tx,
          created,
          outcomes,
          rows,
          results,
          services.review ?? null,
          together,
        ),
      // The `topic` taxonomy's counts follow articles.topic (reviewed topics move them);
      // every other taxonomy's count its model's label. The terms are read from the
      // stored articles when the statistics are folded.
      () =>
        queueStoredArticleStats(
          tx,
          created.flatMap((i) => {
            const base = {
              article: outcomes[i].id,
              publishedAt: outcomes[i].publishedAt!,
              source: rows[i].source ?? "",
            };
            return [
              { ...base, topic: rows[i].topic ?? "" },
              ...results.filter((c) => taxonomyOf(c) !== "topic").map((c) => ({
                ...base,
                taxonomy: taxonomyOf(c),
                topic: c.predictions[i].label,
              })),
            ];
          }),
        ),
      async () => {
        for (const slice of storySlices) {
          if (!together) await statementTurn();
          await groupIntoStories(
            tx,
            slice.map((i) => ({
              id: outcomes[i].id,
              title: rows[i].title,
              body: rows[i].body,
              publishedAt: outcomes[i].publishedAt!,
              topic: rows[i].topic ?? null,
              reading: readings?.[i],
            })),
            DEFAULT_STORY_PARAMS,
            found ? lookupOf(found, slice) : undefined,
          );
        }
      },
    ]);
    return outcomes;
  });
  if (outcomes.some((o) => o.status === "created")) {
    const created = outcomes.flatMap((o, i) => (o.status === "created" ? [i] : []));
    for (const { model, predictions } of results) {
      services.metrics?.observePredictions(
        "ingest",
        model.version,
        created.map((i) => predictions[i]),
      );
    }
  }
  return outcomes;
}

/**
 * Prepares and stores a batch atomically; outcomes are in input order. New articles are
 * classified with every taxonomy's served model (each prediction stored with its
 * version; the `topic` one is the article's topic), summarized, language-tagged,
 * and counted in each taxonomy's trend statistics.
 */
export async function ingestArticles(
  db: Db,
  inputs: ArticleInput[],
  services: IngestServices = {},
): Promise<IngestOutcome[]> {
  return await storePrepared(db, await prepareArticles(inputs, services), services);
}
