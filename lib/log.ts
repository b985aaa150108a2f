/**
 * Logging through LogTape: readable lines by default, JSON Lines with
 * `LOG_JSON=1`. Request handlers run inside `withContext({ requestId })`, so
 * every line logged while serving a request carries its id.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import {
  configure,
  getConsoleSink,
  getJsonLinesFormatter,
  getLogger,
  type LogLevel,
  type Sink,
} from "@logtape/logtape";

export { getLogger, withContext } from "@logtape/logtape";

export interface LogOptions {
  json: boolean;
  level: LogLevel;
  /** An extra sink (tests capture records with it). */
  sink?: Sink;
  /** Write to the console (default true; tests that capture records turn it off). */
  console?: boolean;
}

/** Configures logging for the process; safe to call again (it resets). */
export async function setupLogging(options: LogOptions): Promise<void> {
  const console = getConsoleSink(
    options.json ? { formatter: getJsonLinesFormatter({ properties: "flatten" }) } : {},
  );
  await configure({
    reset: true,
    contextLocalStorage: new AsyncLocalStorage(),
    sinks: {
      console: options.console === false ? () => {} : console,
      extra: options.sink ?? (() => {}),
    },
    loggers: [
      {
        category: ["newsintel"],
        lowestLevel: options.level,
        sinks: ["console", "extra"],
      },
      { category: ["logtape", "meta"], lowestLevel: "warning", sinks: ["console"] },
    ],
  });
}

/** The logger for one part of the program, e.g. `logger("http")`. */
export function logger(...category: string[]): ReturnType<typeof getLogger> {
  return getLogger(["newsintel", ...category]);
}
