import assert from "node:assert/strict";
import { context, trace } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from "@opentelemetry/sdk-trace-base";
import { pgliteTestDb } from "../testing/db/test_db.ts";
import { ALICE_KEY, testApp } from "../testing/routes/test_app.ts";
import { tracedDb } from "../db/traced.ts";

Deno.test("a request produces a server span with the request id and child database spans", async () => {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  const contextManager = new AsyncLocalStorageContextManager().enable();
  context.setGlobalContextManager(contextManager);
  trace.setGlobalTracerProvider(provider);
  const { db, close } = await pgliteTestDb();
  try {
    const { app } = testApp(tracedDb(db));
    const res = await app.request("/v1/articles?q=news", {
      headers: { "x-request-id": "trace-42", "x-api-key": ALICE_KEY },
    });
    assert.equal(res.status, 200);
    const spans = exporter.getFinishedSpans();
    const server = spans.find((s) => s.name === "GET /v1/articles");
    assert.ok(server, spans.map((s) => s.name).join(", "));
    assert.equal(server.attributes["request.id"], "trace-42");
    assert.equal(server.attributes["http.response.status_code"], 200);
    const dbSpans = spans.filter((s) => s.name.startsWith("db "));
    assert.ok(dbSpans.length > 0);
    for (const s of dbSpans) {
      assert.equal(s.spanContext().traceId, server.spanContext().traceId);
      assert.equal(s.parentSpanContext?.spanId, server.spanContext().spanId);
      assert.equal(s.attributes["db.operation"], "SELECT");
      assert.ok(!JSON.stringify(s.attributes).includes("news"), "no SQL parameters in spans");
    }
  } finally {
    await close();
    trace.disable();
    context.disable();
    await provider.shutdown();
  }
});
