/** Builds the app for tests on a given database, with two known API keys. */
import { loadConfig } from "../lib/config.ts";
import { createMetrics } from "../lib/metrics.ts";
import type { Db } from "../db/mod.ts";
import { createApp } from "./app.ts";
import type { ModelRuntime } from "../services/model_runtime.ts";

export const ALICE_KEY = "alice-secret-key-0001";
export const BOB_KEY = "bob-secret-key-0002";

export function testApp(
  db: Db,
  env: Record<string, string> = {},
  models: ModelRuntime | null = null,
) {
  const config = loadConfig({ API_KEYS: `alice=${ALICE_KEY};bob=${BOB_KEY}`, ...env });
  const metrics = createMetrics();
  return { app: createApp({ config, db, metrics, models }), config, metrics };
}

/** JSON POST with the given key (alice's by default). */
export function postJson(body: unknown, key: string | null = ALICE_KEY): RequestInit {
  return {
    method: "POST",
    headers: {
      "content-type": "application/json",
      ...(key ? { "x-api-key": key } : {}),
    },
    body: typeof body === "string" ? body : JSON.stringify(body),
  };
}
