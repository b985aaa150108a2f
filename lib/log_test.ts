import assert from "node:assert/strict";
import { getJsonLinesFormatter, getTextFormatter, type LogRecord } from "@logtape/logtape";
import {
  batchedSink,
  flushLogs,
  logger,
  logRequest,
  type LogWriter,
  setupLogging,
  withContext,
} from "./log.ts";

const record = (n: number): LogRecord => ({
  category: ["newsintel", "test"],
  level: "info",
  message: [`line ${n}`],
  rawMessage: `line ${n}`,
  timestamp: 0,
  properties: {},
});
const format = (r: LogRecord) => `${r.message.join("")}\n`;

/** A stream whose writes finish only when the test says, taking at most `chunk` bytes each. */
function slowStream(chunk = Infinity) {
  const writes: string[] = [];
  const waiting: (() => void)[] = [];
  const stream: LogWriter = {
    write(bytes) {
      const n = Math.min(bytes.length, chunk);
      writes.push(new TextDecoder().decode(bytes.subarray(0, n)));
      return new Promise((resolve) => waiting.push(() => resolve(n)));
    },
  };
  const release = async () => {
    while (waiting.length) {
      waiting.shift()!();
      await new Promise((r) => setTimeout(r, 0));
    }
  };
  return { stream, writes, release };
}

Deno.test("batchedSink writes lines in order, those logged during a write in one more write", async () => {
  const { stream, writes, release } = slowStream();
  const sink = batchedSink(stream, format);
  for (let n = 1; n <= 5; n++) sink(record(n));
  assert.deepEqual(writes, ["line 1\n"]);
  await release();
  assert.deepEqual(writes, ["line 1\n", "line 2\nline 3\nline 4\nline 5\n"]);
  await sink[Symbol.asyncDispose]();
});

Deno.test("batchedSink finishes partial writes and flushes on dispose", async () => {
  const { stream, writes, release } = slowStream(4);
  const sink = batchedSink(stream, format);
  sink(record(1));
  sink(record(2));
  const disposed = sink[Symbol.asyncDispose]();
  await release();
  await disposed;
  assert.equal(writes.join(""), "line 1\nline 2\n");
});

Deno.test("batchedSink drops lines past its limit and says how many", async () => {
  const { stream, writes, release } = slowStream();
  const sink = batchedSink(stream, format, 3);
  for (let n = 1; n <= 10; n++) sink(record(n));
  await release();
  await sink[Symbol.asyncDispose]();
  assert.deepEqual(writes, [
    "line 1\n",
    "line 2\nline 3\nline 4\n6 log lines dropped: standard error is not keeping up\n",
  ]);
  sink(record(11));
  await release();
  assert.equal(writes.at(-1), "line 11\n");
});

Deno.test("batchedSink keeps going when the stream fails", async () => {
  let calls = 0;
  const sink = batchedSink({
    write: () => ++calls === 1 ? Promise.reject(new Error("EPIPE")) : Promise.resolve(7),
  }, format);
  sink(record(1));
  await sink[Symbol.asyncDispose]();
  sink(record(2));
  await sink[Symbol.asyncDispose]();
  assert.equal(calls, 2);
});

Deno.test("logRequest makes the record logger('http').info would, and honours the level", async () => {
  const seen: LogRecord[] = [];
  await setupLogging({ json: false, level: "info", console: false, sink: (r) => seen.push(r) });
  withContext({ requestId: "req-1" }, () => {
    logRequest("GET", "/v1/articles", 200, 1.5, "alice");
    logger("http").info("{method} {path} {status} {ms}ms", {
      method: "GET",
      path: "/v1/articles",
      status: 200,
      ms: 1.5,
      principal: "alice",
    });
  });
  const [fast, slow] = seen;
  const text = getTextFormatter({ timestamp: "none" });
  const json = getJsonLinesFormatter({ properties: "flatten" });
  assert.equal(text(fast), text(slow));
  assert.equal(
    json({ ...fast, timestamp: 0 }),
    json({ ...slow, message: slow.message, properties: slow.properties, timestamp: 0 }),
  );
  assert.equal(fast.properties.requestId, "req-1");

  seen.length = 0;
  await setupLogging({ json: false, level: "warning", console: false, sink: (r) => seen.push(r) });
  logRequest("GET", "/", 200, 1, undefined);
  assert.equal(seen.length, 0);
  await flushLogs();
});
