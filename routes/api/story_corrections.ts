/**
 * `POST /v1/stories/{id}/move|split|merge`: reviewers correct stories. Moved articles stay
 * where a person put them (regrouping and rebuilds never move them); every correction is
 * recorded with the key's name. Merging a story of more than `BIG_STORY` articles into
 * another needs an admin key.
 */
import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import { AppError } from "../../lib/errors.ts";
import { recordAccess } from "../../db/access_audit.ts";
import { storySize } from "../../db/story_corrections.ts";
import {
  type CorrectionOutcome,
  MAX_CORRECTED_ARTICLES,
  mergeStories,
  moveToStory,
  splitStory,
} from "../../services/story_corrections.ts";
import type { AppDeps, AppEnv } from "../env.ts";
import { validationHook } from "../validation.ts";
import { errorResponses, ErrorSchema } from "./schemas.ts";
import { StoryId } from "./stories.ts";

const json = <T>(schema: T) => ({ "application/json": { schema } });

/** A story larger than this is merged into another by admin keys only. */
export const BIG_STORY = 50;

const id = z.number().int().min(1).max(2 ** 53);
const ArticleIds = z.array(id).min(1).max(MAX_CORRECTED_ARTICLES);

const Result = z.object({
  storyId: z.number().int().openapi({ description: "The story articles left" }),
  intoStory: z.number().int().openapi({ description: "The story they joined" }),
  articles: z.array(z.number().int()),
}).openapi("StoryCorrection");

const responses = {
  200: { description: "Corrected", content: json(Result) },
  404: { description: "No such story", content: json(ErrorSchema) },
  ...errorResponses,
};

const body = <T extends z.ZodType>(schema: T) => ({
  body: { content: json(schema), required: true },
});

const moveRoute = createRoute({
  method: "post",
  path: "/stories/{id}/move",
  summary: "Move articles of this story into another story",
  security: [{ ApiKey: [] }],
  request: { params: StoryId, ...body(z.object({ articles: ArticleIds, into: id })) },
  responses,
});

const splitRoute = createRoute({
  method: "post",
  path: "/stories/{id}/split",
  summary: "Split articles of this story off into a new story",
  security: [{ ApiKey: [] }],
  request: { params: StoryId, ...body(z.object({ articles: ArticleIds })) },
  responses,
});

const mergeRoute = createRoute({
  method: "post",
  path: "/stories/{id}/merge",
  summary: `Merge another story into this one (admin key when it has over ${BIG_STORY} articles)`,
  security: [{ ApiKey: [] }],
  request: { params: StoryId, ...body(z.object({ from: id })) },
  responses: { ...responses, 403: { description: "Not an admin key", content: json(ErrorSchema) } },
});

/** The outcome as the response, or the matching 4xx. */
function answer(outcome: CorrectionOutcome) {
  switch (outcome.kind) {
    case "ok":
      return { storyId: outcome.storyId, intoStory: outcome.intoStory, articles: outcome.articles };
    case "storyNotFound":
      throw new AppError(404, "storyNotFound", `No story ${outcome.id}.`);
    case "sameStory":
      throw new AppError(422, "sameStory", "A story cannot be corrected into itself.");
    case "notInStory":
      throw new AppError(422, "articleNotInStory", "Some articles are not in this story.", {
        articles: outcome.articles.slice(0, 20),
      });
    case "wholeStory":
      throw new AppError(422, "wholeStory", "A split leaves at least one article behind.");
  }
}

export function storyCorrectionsApi({ db }: AppDeps) {
  return new OpenAPIHono<AppEnv>({ defaultHook: validationHook })
    .openapi(moveRoute, async (c) => {
      const { id: from } = c.req.valid("param");
      const { articles, into } = c.req.valid("json");
      const actor = c.get("principal") ?? "unknown";
      return c.json(
        answer(await moveToStory(db, { actor, from, into, articleIds: articles })),
        200,
      );
    })
    .openapi(splitRoute, async (c) => {
      const { id: from } = c.req.valid("param");
      const { articles } = c.req.valid("json");
      const actor = c.get("principal") ?? "unknown";
      return c.json(answer(await splitStory(db, { actor, from, articleIds: articles })), 200);
    })
    .openapi(mergeRoute, async (c) => {
      const { id: into } = c.req.valid("param");
      const { from } = c.req.valid("json");
      const actor = c.get("principal") ?? "unknown";
      const size = await storySize(db, from);
      if (size !== null && size > BIG_STORY) {
        const allowed = c.get("role") === "admin";
        await recordAccess(db, {
          actor,
          action: "mergeStories",
          target: `${from}->${into}`,
          outcome: allowed ? "allowed" : "denied",
          requestId: c.get("requestId") ?? null,
        });
        if (!allowed) {
          throw new AppError(
            403,
            "forbidden",
            `Merging a story of ${size} articles needs an admin key.`,
          );
        }
      }
      return c.json(answer(await mergeStories(db, { actor, from, into })), 200);
    });
}
