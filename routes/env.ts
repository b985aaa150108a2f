/** Types shared by the app and its sub-apps. */
import type { Config, Role } from "../lib/config.ts";
import type { Db } from "../db/mod.ts";
import type { Metrics } from "../lib/metrics.ts";
import type { ModelRuntime } from "../services/model_runtime.ts";
import type { Retrainer } from "../services/retrain.ts";
import type { TextServices } from "../services/text_services.ts";
import type { DeniedSampler } from "./denied_sampler.ts";

/** What the app needs from the outside; tests build these on an in-memory PGlite. */
export interface AppDeps {
  config: Config;
  db: Db;
  metrics: Metrics;
  /** The served model; null runs the API without classification. */
  models?: ModelRuntime | null;
  /** Summarizer and language detection; null stores articles without them. */
  text?: TextServices | null;
  /** Starts retrains (`POST /v1/models/retrain`); null answers 503 there. */
  retrain?: Retrainer | null;
}

/** Hono context variables set by the middleware. */
export interface AppEnv {
  Variables: {
    requestId: string;
    /** Name of the API key that authenticated the request, if any. */
    principal?: string;
    /** That key's role. */
    role?: Role;
    /** Set by the not-found handler, so metrics group unmatched paths. */
    unmatched?: boolean;
    /** `SECURE_COOKIES`: every request counts as made over https (see `isHttps`). */
    alwaysHttps?: boolean;
    /** Bounds the refusals the access audit stores (see routes/denied_sampler.ts). */
    deniedSampler?: DeniedSampler;
  };
}
