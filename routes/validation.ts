/** The zod-openapi hook that turns a validation failure into our 422 error. */
import type { Hook } from "@hono/zod-openapi";
import { AppError } from "../lib/errors.ts";
import { fieldIssues } from "./errors.ts";

// deno-lint-ignore no-explicit-any
export const validationHook: Hook<any, any, any, any> = (result) => {
  if (!result.success) {
    const details = fieldIssues(result.error);
    const first = details[0];
    throw new AppError(
      422,
      "validationFailed",
      first ? `Invalid input at ${first.path || "(root)"}: ${first.message}` : "Invalid input.",
      details,
    );
  }
};
