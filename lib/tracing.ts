/**
 * Tracing through `@opentelemetry/api`: a span per request (see
 * routes/middleware.ts), child spans for database calls and model inference.
 * Without a registered tracer provider every span is a no-op; with Deno's
 * built-in exporter (`OTEL_DENO=true`, `OTEL_EXPORTER_OTLP_ENDPOINT`) they are
 * sent over OTLP.
 */
import { type Attributes, SpanKind, SpanStatusCode, trace } from "@opentelemetry/api";

const tracer = trace.getTracer("newsintel");

/** Runs `fn` in a child span of the current one; errors are recorded and rethrown. */
export function inSpan<T>(
  name: string,
  attributes: Attributes,
  fn: () => Promise<T>,
  kind: SpanKind = SpanKind.INTERNAL,
): Promise<T> {
  return tracer.startActiveSpan(name, { attributes, kind }, async (span) => {
    try {
      return await fn();
    } catch (err) {
      span.recordException(err as Error);
      span.setStatus({ code: SpanStatusCode.ERROR, message: (err as Error).message });
      throw err;
    } finally {
      span.end();
    }
  });
}
