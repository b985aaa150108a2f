/**
 * A loopback MLflow tracking server for tests, written to the REST API 2.0
 * documentation: experiments get-by-name and create, runs create, log-batch
 * (refusing a batch over MLflow's limits) and update, and the artifact proxy's
 * PUT. It records every call, checks the bearer token, and can answer a chosen
 * endpoint with a 503.
 */

export interface Call {
  method: string;
  /** The path below `/api/2.0/` (`mlflow/runs/create`, `mlflow-artifacts/artifacts/...`). */
  path: string;
  query: Record<string, string>;
  authorization: string | null;
  body: unknown;
  bytes?: Uint8Array;
}

export interface FakeMlflow {
  url: string;
  calls: Call[];
  /** Experiments by name → id. */
  experiments: Map<string, string>;
  close(): Promise<void>;
}

const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json" } });

const invalid = (message: string) => json(400, { error_code: "INVALID_PARAMETER_VALUE", message });

/** Starts the server on a free loopback port. */
export function fakeMlflow(options: {
  token?: string;
  /** Ask for basic auth with this user and password instead of a token. */
  basic?: { username: string; password: string };
  /** Names of experiments that exist in the deleted state. */
  deleted?: string[];
  /** Answer this path (below /api/2.0/) with 503. */
  failOn?: string;
  /** The artifact_uri runs get (default: proxied, `mlflow-artifacts:/<exp>/<run>/artifacts`). */
  artifactUri?: (experimentId: string, runId: string) => string;
} = {}): FakeMlflow {
  const calls: Call[] = [];
  const experiments = new Map<string, string>();
  const deleted = new Set(options.deleted ?? []);
  for (const name of deleted) experiments.set(name, String(experiments.size + 1));
  const runs = new Map<string, string>();
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (req) => {
    const url = new URL(req.url);
    const path = url.pathname.replace(/^\/api\/2\.0\//, "");
    const isArtifact = path.startsWith("mlflow-artifacts/artifacts/");
    const bytes = isArtifact ? new Uint8Array(await req.arrayBuffer()) : undefined;
    const text = isArtifact ? "" : await req.text();
    const body = text ? JSON.parse(text) : null;
    calls.push({
      method: req.method,
      path,
      query: Object.fromEntries(url.searchParams),
      authorization: req.headers.get("authorization"),
      body,
      bytes,
    });
    if (options.token && req.headers.get("authorization") !== `Bearer ${options.token}`) {
      return json(401, { error_code: "UNAUTHENTICATED", message: "bad token" });
    }
    // UTF-8, as RFC 7617 asks.
    const basic = options.basic &&
      `Basic ${
        btoa(
          String.fromCharCode(
            ...new TextEncoder().encode(`${options.basic.username}:${options.basic.password}`),
          ),
        )
      }`;
    if (basic && req.headers.get("authorization") !== basic) {
      return json(401, { error_code: "UNAUTHENTICATED", message: "bad credentials" });
    }
    if (options.failOn === path) return json(503, { error_code: "TEMPORARILY_UNAVAILABLE" });
    const route = `${req.method} ${isArtifact ? "PUT artifact" : path}`;
    switch (route) {
      case "GET mlflow/experiments/get-by-name": {
        const id = experiments.get(url.searchParams.get("experiment_name") ?? "");
        return id
          ? json(200, {
            experiment: {
              experiment_id: id,
              lifecycle_stage: deleted.has(url.searchParams.get("experiment_name") ?? "")
                ? "deleted"
                : "active",
            },
          })
          : json(404, { error_code: "RESOURCE_DOES_NOT_EXIST", message: "no experiment" });
      }
      case "POST mlflow/experiments/create": {
        if (typeof body?.name !== "string" || !body.name) return invalid("name is required");
        if (experiments.has(body.name)) {
          return json(400, { error_code: "RESOURCE_ALREADY_EXISTS", message: "exists" });
        }
        const id = String(experiments.size + 1);
        experiments.set(body.name, id);
        return json(200, { experiment_id: id });
      }
      case "POST mlflow/runs/create": {
        if (![...experiments.values()].includes(body?.experiment_id)) {
          return invalid("experiment_id must name an experiment");
        }
        if (typeof body.start_time !== "number") return invalid("start_time is a number");
        const runId = crypto.randomUUID().replaceAll("-", "");
        runs.set(runId, "RUNNING");
        const artifactUri = options.artifactUri?.(body.experiment_id, runId) ??
          `mlflow-artifacts:/${body.experiment_id}/${runId}/artifacts`;
        return json(200, {
          run: {
            info: {
              run_id: runId,
              run_uuid: runId,
              experiment_id: body.experiment_id,
              run_name: body.run_name,
              status: "RUNNING",
              start_time: body.start_time,
              artifact_uri: artifactUri,
              lifecycle_stage: "active",
            },
            data: {},
          },
        });
      }
      case "POST mlflow/runs/log-batch": {
        if (!runs.has(body?.run_id)) return invalid("unknown run_id");
        const metrics = body.metrics ?? [];
        const params = body.params ?? [];
        const tags = body.tags ?? [];
        if (metrics.length > 1000) return invalid("at most 1000 metrics");
        if (params.length > 100) return invalid("at most 100 params");
        if (tags.length > 100) return invalid("at most 100 tags");
        if (metrics.length + params.length + tags.length > 1000) return invalid("1000 in all");
        for (const m of metrics) {
          if (
            typeof m.key !== "string" || typeof m.value !== "number" ||
            typeof m.timestamp !== "number" || typeof m.step !== "number"
          ) return invalid("metric: key, value, timestamp, step");
        }
        for (const p of [...params, ...tags]) {
          if (typeof p.key !== "string" || typeof p.value !== "string") {
            return invalid("key and value are strings");
          }
        }
        return json(200, {});
      }
      case "POST mlflow/runs/update": {
        if (!runs.has(body?.run_id)) return invalid("unknown run_id");
        if (!["RUNNING", "SCHEDULED", "FINISHED", "FAILED", "KILLED"].includes(body.status)) {
          return invalid("status is a RunStatus name");
        }
        runs.set(body.run_id, body.status);
        return json(200, { run_info: { run_id: body.run_id, status: body.status } });
      }
      case "PUT PUT artifact":
        return json(200, {});
    }
    return json(404, { error_code: "ENDPOINT_NOT_FOUND", message: route });
  });
  return {
    url: `http://127.0.0.1:${server.addr.port}`,
    calls,
    experiments,
    close: () => server.shutdown(),
  };
}
