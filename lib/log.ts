/**
 * Logging through LogTape: readable lines by default, JSON Lines with
 * `LOG_JSON=1`. Request handlers run inside `withContext({ requestId })`, so
 * every line logged while serving a request carries its id.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import {
  compareLogLevel,
  configure,
  dispose,
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
      // Strings and numbers as they are (`GET /v1/articles 200`), anything else inspected.
      value: (v, inspect) =>
        typeof v === "string" || typeof v === "number" ? String(v) : inspect(v),
    });
  // Standard error: standard output belongs to command results (`--json`). Commands
  // write each line synchronously, so nothing is lost when they exit; `serve` writes
  // in batches and flushes them before it exits.
  const encoder = new TextEncoder();
  const console: Sink = options.buffered
    ? batchedSink(Deno.stderr, format)
    : (record: LogRecord) => {
      Deno.stderr.writeSync(encoder.encode(format(record)));
    };
  const context = new AsyncLocalStorage<Record<string, unknown>>();
  const sinks = {
    console: options.console === false ? () => {} : console,
    extra: options.sink ?? (() => {}),
  };
  accessSinks = compareLogLevel(options.level, "info") <= 0
    ? { list: [sinks.console, sinks.extra], context }
    : null;
  await configure({
    reset: true,
    contextLocalStorage: context,
    sinks,
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

/** Where {@link batchedSink} writes: `Deno.stderr`, or a test's slow stream. */
export interface LogWriter {
  write(bytes: Uint8Array): Promise<number>;
}

/**
 * A sink that formats each record at once and writes whatever has accumulated
 * in one write, with at most one write in flight: a line per request costs no
 * write of its own, and a slow reader of standard error delays lines, never
 * requests. (LogTape's non-blocking stream sink keeps the records, which then
 * outlive the young generation, and writes them one by one.) Past `maxPending`
 * waiting lines, new ones are dropped; how many is logged once writing catches up.
 */
export function batchedSink(
  out: LogWriter,
  format: (record: LogRecord) => string,
  maxPending = 10_000,
): Sink & AsyncDisposable {
  const encoder = new TextEncoder();
  let pending: string[] = [];
  let dropped = 0;
  let busy = false;
  let writing = Promise.resolve();
  const droppedLine = (n: number) =>
    format({
      category: ["newsintel", "log"],
      level: "warning",
      message: [`${n} log lines dropped: standard error is not keeping up`],
      rawMessage: "{n} log lines dropped: standard error is not keeping up",
      timestamp: Date.now(),
      properties: { n },
    });
  const drain = async () => {
    try {
      while (pending.length > 0 || dropped > 0) {
        if (dropped > 0) pending.push(droppedLine(dropped));
        const bytes = encoder.encode(pending.join(""));
        pending = [];
        dropped = 0;
        for (let at = 0; at < bytes.length;) at += await out.write(bytes.subarray(at));
      }
    } catch {
      // Standard error is gone: nothing can be reported, and requests must go on.
      pending = [];
      dropped = 0;
    } finally {
      busy = false;
    }
  };
  const sink = (record: LogRecord) => {
    if (pending.length >= maxPending) dropped++;
    else pending.push(format(record));
    if (!busy) {
      busy = true;
      writing = drain();
    }
  };
  return Object.assign(sink, {
    async [Symbol.asyncDispose]() {
      await writing;
    },
  });
}

let accessSinks: {
  list: Sink[];
  context: AsyncLocalStorage<Record<string, unknown>>;
} | null = null;

/**
 * The access log's line, `METHOD PATH STATUS MSms` at info level in category
 * `newsintel.http`, with the request's log context: the same record
 * `logger("http").info("{method} {path} {status} {ms}ms", ...)` makes, handed
 * to the same sinks, but without LogTape's dispatch, which registers every
 * record in WeakSets. Those entries outlive the young generation, and at a line
 * per request (thousands a second) they made each young-generation collection
 * about twice as long (1.5–1.9 ms against 3–3.4 ms, `--trace-gc` under load).
 */
export function logRequest(
  method: string,
  path: string,
  status: number,
  ms: number,
  principal: string | undefined,
): void {
  if (!accessSinks) return;
  const record: LogRecord = {
    category: ["newsintel", "http"],
    level: "info",
    message: ["", method, " ", path, " ", status, " ", ms, "ms"],
    rawMessage: "{method} {path} {status} {ms}ms",
    timestamp: Date.now(),
    properties: { ...accessSinks.context.getStore(), method, path, status, ms, principal },
  };
  for (const sink of accessSinks.list) sink(record);
}

/** The logger for one part of the program, e.g. `logger("http")`. */
export function logger(...category: string[]): ReturnType<typeof getLogger> {
  return getLogger(["newsintel", ...category]);
}

/** Writes out buffered log lines (before the process exits). */
export async function flushLogs(): Promise<void> {
  await dispose();
}
