/**
 * `POST /v1/summarize`: a summary of one article under a sentence or word budget.
 * `max_sentences` and `max_words` are the older names of `maxSentences` and `maxWords`,
 * still accepted and marked deprecated in the OpenAPI document.
 */
import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import { MAX_ARTICLE_CHARS } from "../../lib/bounds.ts";
import { summarize as extractive } from "../../ml/summarize.ts";
import type { AppDeps, AppEnv } from "../env.ts";
import { validationHook } from "../validation.ts";
import { errorResponses, text } from "./schemas.ts";

/** Longest text accepted: an article body's limit (lib/bounds.ts). */
export const MAX_SUMMARY_INPUT_CHARS = MAX_ARTICLE_CHARS;

const SentenceBudget = z.number().int().min(1).max(50);
const WordBudget = z.number().int().min(1).max(5_000);
/** Fields renamed to camelCase, with the name each had before. */
const RENAMED = [["maxSentences", "max_sentences"], ["maxWords", "max_words"]] as const;

const SummarizeBody = z.object({
  text: text(1, MAX_SUMMARY_INPUT_CHARS).openapi({ description: "The article body" }),
  title: text(1, 1_000).optional(),
  maxSentences: SentenceBudget.optional(),
  maxWords: WordBudget.optional(),
  ratio: z.number().gt(0).max(1).optional(),
  max_sentences: SentenceBudget.optional().openapi({
    description: "Deprecated: the older name of `maxSentences`",
    deprecated: true,
  }),
  max_words: WordBudget.optional().openapi({
    description: "Deprecated: the older name of `maxWords`",
    deprecated: true,
  }),
}).strict().superRefine((b, ctx) => {
  for (const [name, old] of RENAMED) {
    if (b[name] !== undefined && b[old] !== undefined && b[name] !== b[old]) {
      ctx.addIssue({
        code: "custom",
        path: [old],
        message: `is the older name of \`${name}\`; give one of the two`,
      });
    }
  }
}).openapi("SummarizeBody");

const SummarizeResult = z.object({
  summary: z.string(),
  sentences: z.array(z.string()),
  method: z.enum(["extractive", "abstractive"]),
}).openapi("SummarizeResult");

const summarizeRoute = createRoute({
  method: "post",
  path: "/summarize",
  summary: "Summarize an article",
  description: "Sentences are chosen in order of importance until their word count " +
    "(whitespace-separated words) reaches `maxWords` — the last one may cross it — or " +
    "`maxSentences` is reached; `ratio` sets the word budget as a share of the article's " +
    "words (the smaller budget wins when both are given). With no budget: 3 sentences. " +
    "The summary keeps the article's sentence order. Text with no sentence boundary is " +
    "returned whole, or cut to the word budget.",
  security: [{ ApiKey: [] }],
  request: { body: { content: { "application/json": { schema: SummarizeBody } }, required: true } },
  responses: {
    200: {
      description: "The summary",
      content: { "application/json": { schema: SummarizeResult } },
    },
    ...errorResponses,
  },
});

export function summarizeApi({ text: services }: AppDeps) {
  return new OpenAPIHono<AppEnv>({ defaultHook: validationHook }).openapi(
    summarizeRoute,
    async (c) => {
      const b = c.req.valid("json");
      const maxWords = b.maxWords ?? b.max_words;
      const options = {
        text: b.text,
        title: b.title,
        maxSentences: b.maxSentences ?? b.max_sentences ?? (maxWords || b.ratio ? undefined : 3),
        maxWords,
        ratio: b.ratio,
      };
      const result = services ? await services.summarize(options) : extractive(options);
      return c.json(result, 200);
    },
  );
}
