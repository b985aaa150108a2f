/**
 * Builds the app for tests on a given database, with three known API keys:
 * alice and bob are reviewers, ops is an admin.
 */
import { loadConfig } from "../../lib/config.ts";
import { createMetrics } from "../../lib/metrics.ts";
import type { Db } from "../../db/mod.ts";
import { createApp } from "../../routes/app.ts";
import type { ModelRuntime } from "../../services/model_runtime.ts";
import { createRetrainer, type Retrainer } from "../../services/retrain.ts";

export const ALICE_KEY = "alice-secret-key-0001";
export const BOB_KEY = "bob-secret-key-0002";
export const ADMIN_KEY = "ops-admin-key-0003";

/**
 * The connection info `serve` passes to the app (cli/serve.ts), for the third
 * argument of `app.request()`: a request from the socket address `hostname`.
 */
export function fromAddress(hostname: string) {
  return { remoteAddr: { hostname, port: 50_000, transport: "tcp" } };
}

/**
 * The app on `db`. Without `retrain`, retrains start and are recorded but their training
 * fails at once: no test trains on the bundled sample by accident.
 */
export function testApp(
  db: Db,
  env: Record<string, string> = {},
  models: ModelRuntime | null = null,
  retrain?: Retrainer,
) {
  const config = loadConfig({
    API_KEYS: `alice=${ALICE_KEY};bob=${BOB_KEY};ops:admin=${ADMIN_KEY}`,
    ...env,
  });
  const metrics = createMetrics();
  retrain ??= createRetrainer({
    db,
    config,
    models,
    baseExamples: () => Promise.resolve([]),
    train: () => Promise.reject(new Error("this test app does not train")),
  });
  return { app: createApp({ config, db, metrics, models, retrain }), config, metrics, retrain };
}

/** GET (or another bodiless method) with the given key (alice's by default). */
export function withKey(key: string | null = ALICE_KEY, init: RequestInit = {}): RequestInit {
  return { ...init, headers: { ...(key ? { "x-api-key": key } : {}), ...init.headers } };
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
