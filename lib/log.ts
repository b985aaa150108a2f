/**
 * Logging through LogTape: readable lines by default, JSON Lines with
 * `LOG_JSON=1`. Request handlers run inside `withContext({ requestId })`, so
 * every line logged while serving a request carries its id.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import {
  configure,
  getJsonLinesFormatter,
  getLogger,
  getTextFormatter,
  type LogLevel,
  type LogRecord,
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
  const format = options.json
    ? getJsonLinesFormatter({ properties: "flatten" })
    : getTextFormatter({
      timestamp: "date-time-timezone",
      // Strings as they are (`GET /v1/articles 200`), anything else inspected.
      value: (v, inspect) => typeof v === "string" ? v : inspect(v),
    });
  // Standard error, written synchronously: standard output belongs to command
  // results (`--json`), and nothing is lost when the process exits.
  const encoder = new TextEncoder();
  const console: Sink = (record: LogRecord) => {
    Deno.stderr.writeSync(encoder.encode(format(record)));
  };
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
