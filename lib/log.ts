/**
 * Logging through LogTape: readable lines by default, JSON Lines with
 * `LOG_JSON=1`. Request handlers run inside `withContext({ requestId })`, so
 * every line logged while serving a request carries its id.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import {
  configure,
  dispose,
  getJsonLinesFormatter,
  getLogger,
  getStreamSink,
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
  /**
   * Buffer lines and write them in the background (the server: a line per
   * request must not cost a blocking write). Call `flushLogs()` before exit.
   */
  buffered?: boolean;
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
  const console: Sink = options.buffered
    ? getStreamSink(Deno.stderr.writable, {
      formatter: format,
      closeStream: false,
      nonBlocking: { bufferSize: 1000, flushInterval: 50 },
    })
    : (record: LogRecord) => {
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

/** Writes out buffered log lines (before the process exits). */
export async function flushLogs(): Promise<void> {
  await dispose();
}
