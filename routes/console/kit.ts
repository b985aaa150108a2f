/** What the console's sub-apps share, built once per app by `consoleApp()`. */
import type { AppDeps } from "../env.ts";
import type { Forward } from "./forward.ts";
import type { ConsoleSessions } from "./session.ts";
import type { StaticAssets } from "./static.ts";

export interface ConsoleKit {
  deps: AppDeps;
  /** Signs session cookies. */
  secret: string;
  assets: StaticAssets;
  sessions: ConsoleSessions;
  /** Page forms send their writes to the API through it. */
  forward: Forward;
}
