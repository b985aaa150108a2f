/** What the console's sub-apps share, built once per app by `consoleApp()`. */
import type { Context } from "hono";
import type { AuthFailures } from "../auth_failures.ts";
import type { AppDeps } from "../env.ts";
import type { Forward } from "./forward.ts";
import type { ConsoleSessions } from "./signed_in.ts";
import type { StaticAssets } from "./static.ts";

export interface ConsoleShared {
  deps: AppDeps;
  /** Signs session cookies. */
  secret: string;
  assets: StaticAssets;
  sessions: ConsoleSessions;
  /** Page forms send their writes to the API through it. */
  forward: Forward;
  /** Failed sign-ins per client address, shared with the API. */
  failures: AuthFailures;
  /** The request's client address (the socket's, or a trusted proxy's `X-Forwarded-For`). */
  addressOf: (c: Context) => string;
}
