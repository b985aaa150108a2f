/**
 * The deployment files agree with the program: compose and its override, the Prometheus
 * configuration and rules, the OpenTelemetry collector, every Kubernetes manifest, the
 * Dockerfile and the GitHub workflows are parsed and checked against the code — probes hit
 * real routes, every variable set is one the service (or Deno) reads, the rules name metrics
 * the service exports, ports and images line up. `docker`, `kubectl` and `promtool` are not
 * needed (docs/deployment.md, "Checking the deployment files", has the commands that check the same with them).
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { parse, parseAllDocuments } from "yaml";
import { pgliteTestDb } from "../testing/db/test_db.ts";
import { CONFIG_VARIABLES, ConfigError, loadConfig } from "../lib/config.ts";
import { ENV_GROUPS } from "../lib/permissions.ts";
import { egressHosts } from "../lib/egress.ts";
import { ADMIN_KEY, testApp } from "../testing/routes/test_app.ts";

const ROOT = join(import.meta.dirname!, "..");
const K8S = join(ROOT, "deploy", "kubernetes");

/** Variables Deno itself reads (its OpenTelemetry exporter), not newsintel's configuration. */
const DENO_VARIABLES = ["OTEL_DENO", "OTEL_SERVICE_NAME", "OTEL_EXPORTER_OTLP_ENDPOINT"];

// deno-lint-ignore no-explicit-any
type Doc = any;

async function yaml(path: string): Promise<Doc> {
  // `merge`: compose files share settings through `<<: *anchor`.
  return parse(await Deno.readTextFile(join(ROOT, path)), { merge: true });
}

/** The `ENV` settings of the Dockerfile's last stage (the runtime image). */
async function dockerfile(): Promise<{ env: Record<string, string>; text: string }> {
  const text = await Deno.readTextFile(join(ROOT, "Dockerfile"));
  const runtime = text.split(/^FROM /m).at(-1)!;
  const env: Record<string, string> = {};
  for (const m of runtime.replaceAll("\\\n", " ").matchAll(/^ENV (.+)$/gm)) {
    for (const pair of m[1].trim().split(/\s+/)) {
      const [k, v] = pair.split("=");
      env[k] = v;
    }
  }
  return { env, text };
}

/** True when `name` is read by the service: its configuration, `--allow-env`, or Deno. */
function knownVariable(name: string): boolean {
  const allowed = Object.values(ENV_GROUPS).flat();
  return (CONFIG_VARIABLES as string[]).includes(name) || DENO_VARIABLES.includes(name) ||
    allowed.some((a) => a.endsWith("*") ? name.startsWith(a.slice(0, -1)) : a === name);
}

/** Every manifest `kubectl apply -k deploy/kubernetes` applies, in order. */
async function manifests(): Promise<Doc[]> {
  const kustomization = parse(await Deno.readTextFile(join(K8S, "kustomization.yaml")));
  const docs: Doc[] = [];
  for (const file of kustomization.resources as string[]) {
    const text = await Deno.readTextFile(join(K8S, file));
    for (const d of parseAllDocuments(text)) docs.push({ ...d.toJS(), _file: file });
  }
  return docs;
}

function byKind(docs: Doc[], kind: string): Doc[] {
  return docs.filter((d) => d.kind === kind);
}

/** The pod spec of a Deployment, Job or CronJob. */
function podSpec(doc: Doc): Doc {
  if (doc.kind === "CronJob") return doc.spec.jobTemplate.spec.template.spec;
  return doc.spec.template.spec;
}

/** The metric names the service exports: its `# TYPE` lines, with histogram and summary series. */
async function exportedMetrics(): Promise<Set<string>> {
  const { db, close } = await pgliteTestDb();
  try {
    const { app } = testApp(db);
    const res = await app.request("/metrics?format=prometheus", {
      headers: { "x-api-key": ADMIN_KEY },
    });
    assert.equal(res.status, 200);
    const names = new Set<string>(["up"]); // added by Prometheus to every target
    for (const m of (await res.text()).matchAll(/^# TYPE (\S+) (\S+)$/gm)) {
      names.add(m[1]);
      if (m[2] === "histogram") {
        for (const s of ["_bucket", "_sum", "_count"]) names.add(m[1] + s);
      }
      if (m[2] === "summary") { for (const s of ["_sum", "_count"]) names.add(m[1] + s); }
    }
    return names;
  } finally {
    await close();
  }
}

/**
 * The metric names a PromQL expression reads: identifiers left once strings, label
 * matchers, grouping clauses, ranges, numbers and function calls are taken out.
 */
export function promqlMetrics(expr: string): string[] {
  const bare = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, " ")
    .replace(/\{[^}]*\}/g, " ")
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, " ")
    .replace(/\[[^\]]*\]/g, " ")
    .replace(/\b\d+(\.\d+)?(e[+-]?\d+)?\b/gi, " ");
  const keywords = new Set(["and", "or", "unless", "bool", "offset", "inf", "nan"]);
  const names: string[] = [];
  for (const m of bare.matchAll(/([A-Za-z_:][A-Za-z0-9_:]*)(\s*\()?/g)) {
    if (m[2] || keywords.has(m[1].toLowerCase())) continue;
    names.push(m[1]);
  }
  return names;
}

Deno.test("promqlMetrics() finds the metrics of an expression, not its functions or labels", () => {
  assert.deepEqual(
    promqlMetrics(
      'sum by (le) (rate(a_total{job="x", route=~"/v1/.*"}[5m])) / on() clamp_min(b, 1e-9) > bool 0',
    ),
    ["a_total", "b"],
  );
});

Deno.test("docker-compose.yml: db, a one-shot migrate, and app with WORKERS=auto waiting for both", async () => {
  const compose = await yaml("docker-compose.yml");
  const { db, migrate, app, prometheus } = compose.services;
  assert.match(db.image, /^postgres:15/);
  assert.match(db.healthcheck.test.join(" "), /pg_isready/);
  const [volume, mount] = db.volumes[0].split(":");
  assert.ok(Object.hasOwn(compose.volumes, volume), `named volume ${volume}`);
  assert.equal(mount, "/var/lib/postgresql/data");

  assert.equal(app.build, ".");
  assert.equal(migrate.build, ".");
  assert.equal(app.image, migrate.image, "migrate runs the app's image");
  assert.equal(app.environment.WORKERS, "auto");
  assert.match(app.environment.DB_URL, /^postgres:\/\/[^@]+@db:5432\//);
  assert.equal(migrate.environment.DB_URL, app.environment.DB_URL);
  assert.deepEqual(migrate.command, ["migrate"]);
  assert.deepEqual(app.command, ["serve"]);
  assert.deepEqual(app.depends_on, {
    db: { condition: "service_healthy" },
    migrate: { condition: "service_completed_successfully" },
  });
  assert.deepEqual(migrate.depends_on, { db: { condition: "service_healthy" } });
  assert.match(app.healthcheck.test.join(" "), /\/ready/);

  // The app listens where the image says, and its volumes are the image's data and models.
  const { env } = await dockerfile();
  assert.ok(app.ports.some((p: string) => p.endsWith(`:${env.PORT}`)), app.ports.join());
  const mounts = app.volumes.map((v: string) => v.split(":")[1]);
  assert.deepEqual(mounts.sort(), [env.DATA_DIR, env.MODEL_DIR].sort());

  // Optional observability: Prometheus and the collector only with the profile.
  assert.deepEqual(prometheus.profiles, ["observability"]);
  assert.deepEqual(compose.services["otel-collector"].profiles, ["observability"]);
  assert.match(app.environment.OTEL_EXPORTER_OTLP_ENDPOINT, /^http:\/\/otel-collector:4318$/);
});

Deno.test("docker-compose.override.yml runs the mounted source with deno task dev", async () => {
  const override = await yaml("docker-compose.override.yml");
  const { app, migrate } = override.services;
  assert.deepEqual(app.command, ["deno", "task", "dev"]);
  assert.deepEqual(migrate.command, ["deno", "task", "cli", "migrate"]);
  assert.equal(app.build.target, "source");
  assert.ok(app.volumes.includes(".:/src"));
  assert.equal(app.working_dir, "/src");
  const { text } = await dockerfile();
  assert.match(text, /^FROM .+ AS source$/m, "the Dockerfile has the stage the override builds");
});

/** `${NAME:-default}` and `${NAME}` in `value`, as compose fills them from `.env`. */
function interpolate(value: string, dotEnv: Record<string, string>): string {
  return value.replace(
    /\$\{(\w+)(?::-([^}]*))?\}/g,
    (_, name: string, fallback?: string) => dotEnv[name] || (fallback ?? ""),
  );
}

Deno.test("compose: PORT in .env moves only the published port; any password reaches the app intact", async () => {
  const compose = await yaml("docker-compose.yml");
  const override = await yaml("docker-compose.override.yml");
  const password = "p/a+s=s@w:o%rd";
  const dotEnv = { PORT: "9000", POSTGRES_PASSWORD: password, HOST: "127.0.0.1" };
  for (const service of ["app", "migrate"]) {
    const env = Object.fromEntries(
      Object.entries<string>(compose.services[service].environment).map((
        [k, v],
      ) => [k, interpolate(String(v), dotEnv)]),
    );
    const config = loadConfig({ ...env, API_KEY: "a-long-enough-admin-key-0123" });
    const url = new URL(config.dbUrl);
    assert.deepEqual([url.hostname, url.port, url.username, url.password], [
      "db",
      "5432",
      "newsintel",
      "",
    ]);
    // postgres.js, pg_dump and pg_restore read the password from PGPASSWORD, byte for byte.
    assert.equal(env.PGPASSWORD, password, service);
    assert.equal(
      compose.services.db.environment.POSTGRES_PASSWORD,
      "${POSTGRES_PASSWORD:-newsintel}",
    );
    for (const name of ["SESSION_SECRET", "BACKUP_KEY", "API_KEYS"]) {
      assert.ok(Object.hasOwn(compose.services[service].environment, name), `${service} ${name}`);
    }
    if (service === "app") {
      // The mounted .env (read by `deno task dev`) loses to the variables compose sets.
      assert.equal(config.port, 8001);
      assert.equal(config.host, "0.0.0.0");
    }
  }
  const { app } = compose.services;
  const published = app.ports.map((p: string) => interpolate(p, dotEnv));
  assert.deepEqual(published, ["9000:8001"]);
  assert.equal(override.services.app.environment.PORT, undefined, "the override keeps 8001");
  assert.match(override.services.app.healthcheck.test.join(" "), /127\.0\.0\.1:8001\/ready/);
});

Deno.test("compose dev override: an init process and SIGINT, so deno run --watch stops at once", async () => {
  const { app } = (await yaml("docker-compose.override.yml")).services;
  assert.equal(app.init, true);
  assert.equal(app.stop_signal, "SIGINT");
});

Deno.test(".env.example never turns on sample seeding for a production copy", async () => {
  const text = await Deno.readTextFile(join(ROOT, ".env.example"));
  const set = Object.fromEntries(
    text.split("\n").filter((l) => /^[A-Z_]+=/.test(l)).map((l) => {
      const i = l.indexOf("=");
      return [l.slice(0, i), l.slice(i + 1)];
    }),
  );
  assert.notEqual(set.SEED_ON_EMPTY, "true");
  assert.equal(loadConfig(set).seedOnEmpty, false);
  // Nor does the image, nor compose without the dev override.
  assert.equal((await dockerfile()).env.SEED_ON_EMPTY, "false");
  const { app } = (await yaml("docker-compose.yml")).services;
  assert.equal(interpolate(app.environment.SEED_ON_EMPTY, set), "false");
});

Deno.test("the runtime image has pg_dump, and a backups folder its user owns", async () => {
  const { text } = await dockerfile();
  const runtime = text.split(/^FROM /m).at(-1)!.replaceAll("\\\n", " ");
  assert.match(runtime, /apt-get install [^&]*postgresql-client/);
  const install = /install -d -o (\S+) -g \S+ ([^&\n]+)/.exec(runtime);
  assert.ok(install, "install -d creates the service's folders");
  assert.ok(install[2].split(/\s+/).includes("/app/data/backups"), install[2]);
  assert.match(runtime, new RegExp(`^USER ${install[1]}$`, "m"));
  // The compose example writes into a bind mount as the caller's user, who owns it.
  const compose = await Deno.readTextFile(join(ROOT, "docker-compose.yml"));
  const example = /^#\s+mkdir -p backups && docker compose run .*(\n#\s+.*)?$/m.exec(compose);
  assert.ok(example, "the backup example");
  assert.match(example[0], /--user "\$\(id -u\):\$\(id -g\)"/);
  assert.match(
    example[0],
    /-v "\$PWD\/backups:\/app\/data\/backups" app backup --out data\/backups\//,
  );
});

Deno.test(".dockerignore keeps secrets, keys, databases and the Kubernetes Secret out of the build", async () => {
  const lines = (await Deno.readTextFile(join(ROOT, ".dockerignore"))).split("\n").map((l) =>
    l.trim()
  );
  for (const path of [".env", "data/.api-key", "data/db", "deploy/kubernetes/secret.yaml"]) {
    assert.ok(lines.includes(path), path);
  }
});

Deno.test("Kubernetes: the backup CronJob signs backups with the Secret's BACKUP_KEY", async () => {
  const [cron] = byKind(await manifests(), "CronJob");
  const env = podSpec(cron).containers[0].env as Doc[];
  const key = env.find((e) => e.name === "BACKUP_KEY");
  assert.deepEqual(key?.valueFrom?.secretKeyRef, { name: "newsintel-secrets", key: "BACKUP_KEY" });
});

Deno.test("every variable compose, the Dockerfile and the manifests set is one the service reads", async () => {
  const set = new Map<string, string>();
  const note = (names: Iterable<string>, where: string) => {
    for (const n of names) set.set(n, where);
  };
  for (const file of ["docker-compose.yml", "docker-compose.override.yml"]) {
    const compose = await yaml(file);
    for (const [name, service] of Object.entries<Doc>(compose.services)) {
      if (name === "db" || name === "prometheus" || name === "otel-collector") continue;
      note(Object.keys(service.environment ?? {}), `${file} ${name}`);
    }
  }
  note(Object.keys((await dockerfile()).env), "Dockerfile");
  for (const doc of await manifests()) {
    if (doc.kind === "ConfigMap") note(Object.keys(doc.data), doc._file);
    if (doc.kind === "Secret") note(Object.keys(doc.stringData), doc._file);
    if (["Deployment", "Job", "CronJob"].includes(doc.kind)) {
      for (const c of podSpec(doc).containers) {
        note((c.env ?? []).map((e: Doc) => e.name), doc._file);
      }
    }
  }
  assert.ok(set.size > 10);
  for (const [name, where] of set) {
    if (name === "TMPDIR") continue; // read by Deno for the binary's native addon folder
    assert.ok(knownVariable(name), `${name} (${where}) is read by nothing`);
  }
});

Deno.test("the Dockerfile bakes the default model and points BOOTSTRAP_MODEL_DIR at it, beside the volumes", async () => {
  const { env, text } = await dockerfile();
  const out = /deno task cli train (?:--no-search )?--out (\S+)/.exec(text)?.[1];
  assert.ok(out, "the build trains with train --out");
  const copy = new RegExp(`COPY --from=build /src/${out} (\\S+)`).exec(text)?.[1];
  assert.equal(copy, env.BOOTSTRAP_MODEL_DIR);
  const volumes = JSON.parse(/^VOLUME (.+)$/m.exec(text)![1]) as string[];
  assert.deepEqual(volumes.sort(), [env.DATA_DIR, env.MODEL_DIR].sort());
  for (const v of volumes) {
    assert.ok(!env.BOOTSTRAP_MODEL_DIR.startsWith(`${v}/`), `a volume at ${v} would hide it`);
  }
  // The binary may read only data/ and models/ of its working folder (lib/permissions.ts).
  const workdir = /^WORKDIR (\S+)$/gm.exec(text.split(/^FROM /m).at(-1)!)![1];
  for (const dir of [env.DATA_DIR, env.MODEL_DIR, env.BOOTSTRAP_MODEL_DIR]) {
    assert.match(dir, new RegExp(`^${workdir}/(data|models)(/|$)`), dir);
  }
  assert.equal(env.SEED_ON_EMPTY, "false");
});

Deno.test("Kubernetes: probes hit real routes, ports and images line up, references resolve", async () => {
  const docs = await manifests();
  const kinds = docs.map((d) => d.kind);
  for (
    const kind of [
      "Namespace",
      "ConfigMap",
      "Secret",
      "Job",
      "Deployment",
      "Service",
      "HorizontalPodAutoscaler",
      "PodDisruptionBudget",
      "PersistentVolumeClaim",
      "CronJob",
    ]
  ) assert.ok(kinds.includes(kind), `no ${kind}`);
  const [deployment] = byKind(docs, "Deployment");
  const [configMap] = byKind(docs, "ConfigMap");
  const [secret] = byKind(docs, "Secret");
  const { env } = await dockerfile();
  const container = podSpec(deployment).containers[0];
  const port = container.ports.find((p: Doc) => p.name === "http");
  assert.equal(String(port.containerPort), configMap.data.PORT);
  assert.equal(String(port.containerPort), env.PORT);
  assert.deepEqual(container.args, ["serve"]);

  // Probes: liveness and startup at /health, readiness at /ready, answering on the app.
  const paths = {
    startup: container.startupProbe.httpGet,
    liveness: container.livenessProbe.httpGet,
    readiness: container.readinessProbe.httpGet,
  };
  assert.deepEqual(
    Object.values(paths).map((p) => p.path),
    ["/health", "/health", "/ready"],
  );
  for (const p of Object.values(paths)) assert.equal(p.port, "http");
  const { db, close } = await pgliteTestDb();
  try {
    const { app } = testApp(db);
    for (const p of Object.values(paths)) {
      const res = await app.request(p.path);
      assert.equal(res.status, 200, `${p.path} answers ${res.status}`);
      await res.body?.cancel();
    }
  } finally {
    await close();
  }

  // Every pod runs the image kustomize maps, reads the ConfigMap and existing Secret keys.
  const kustomization = parse(await Deno.readTextFile(join(K8S, "kustomization.yaml")));
  const imageNames = kustomization.images.map((i: Doc) => i.name);
  for (const doc of docs.filter((d) => ["Deployment", "Job", "CronJob"].includes(d.kind))) {
    const spec = podSpec(doc);
    assert.equal(spec.securityContext.runAsNonRoot, true, doc._file);
    for (const c of spec.containers) {
      assert.ok(imageNames.includes(c.image), `${doc._file}: image ${c.image}`);
      assert.ok(c.resources.requests.memory, `${doc._file}: memory request`);
      assert.deepEqual(c.envFrom, [{ configMapRef: { name: configMap.metadata.name } }]);
      for (const e of c.env ?? []) {
        const ref = e.valueFrom?.secretKeyRef;
        assert.ok(ref, `${doc._file}: ${e.name} comes from the Secret`);
        assert.equal(ref.name, secret.metadata.name);
        assert.ok(Object.hasOwn(secret.stringData, ref.key), `${ref.key} in the Secret`);
      }
    }
  }

  // The Service, the PodDisruptionBudget and the autoscaler find the Deployment's pods.
  const labels = deployment.spec.template.metadata.labels;
  const matches = (selector: Record<string, string>) =>
    Object.entries(selector).every(([k, v]) => labels[k] === v);
  assert.deepEqual(deployment.spec.selector.matchLabels, labels);
  const [service] = byKind(docs, "Service");
  assert.ok(matches(service.spec.selector));
  assert.equal(service.spec.ports[0].targetPort, "http");
  assert.ok(matches(byKind(docs, "PodDisruptionBudget")[0].spec.selector.matchLabels));
  const hpa = byKind(docs, "HorizontalPodAutoscaler")[0].spec.scaleTargetRef;
  assert.deepEqual([hpa.kind, hpa.name], ["Deployment", deployment.metadata.name]);

  // The migration Job runs migrate; the model volume is where the image's MODEL_DIR is.
  assert.deepEqual(podSpec(byKind(docs, "Job")[0]).containers[0].args, ["migrate"]);
  const mounts = container.volumeMounts.map((m: Doc) => m.mountPath);
  assert.ok(mounts.includes(env.MODEL_DIR) && mounts.includes(env.DATA_DIR), mounts.join());
  assert.ok(!mounts.some((m: string) => env.BOOTSTRAP_MODEL_DIR.startsWith(m + "/")));
});

Deno.test("Kubernetes: the backup CronJob writes newsintel backup dumps to its volume", async () => {
  const docs = await manifests();
  const [cron] = byKind(docs, "CronJob");
  const [pvc] = byKind(docs, "PersistentVolumeClaim");
  const spec = podSpec(cron);
  const c = spec.containers[0];
  const command = [...c.command, ...c.args].join(" ");
  const out = /newsintel backup --out "?([^"\s]+)/.exec(command)?.[1];
  assert.ok(out, command);
  const volume = spec.volumes.find((v: Doc) =>
    v.persistentVolumeClaim?.claimName === pvc.metadata.name
  );
  const mount = c.volumeMounts.find((m: Doc) => m.name === volume.name).mountPath;
  const { env } = await dockerfile();
  const workdir = /^WORKDIR (\S+)$/m.exec((await dockerfile()).text.split(/^FROM /m).at(-1)!)![1];
  assert.ok(join(workdir, out).startsWith(`${mount}/`), `${out} is on the volume at ${mount}`);
  // The binary may write only data/, models/ and tmp/ of its working folder.
  assert.ok(mount.startsWith(`${env.DATA_DIR}/`), mount);
  assert.equal(spec.restartPolicy, "OnFailure");
});

Deno.test("the Secret's placeholders are refused by the configuration, so pods cannot start with them", async () => {
  const [secret] = byKind(await manifests(), "Secret");
  assert.throws(
    () => loadConfig(secret.stringData),
    (e) =>
      e instanceof ConfigError &&
      ["DB_URL", "API_KEYS", "SESSION_SECRET", "BACKUP_KEY"].every((v) =>
        e.problems.some((p) => p.startsWith(v))
      ),
  );
});

Deno.test("Prometheus scrapes /metrics as text with a key, and its rules name exported metrics", async () => {
  const config = await yaml("deploy/prometheus/prometheus.yml");
  const [job] = config.scrape_configs;
  assert.equal(job.metrics_path, "/metrics");
  assert.deepEqual(job.params.format, ["prometheus"]);
  assert.ok(job.http_headers["X-Api-Key"].files[0].startsWith("/run/secrets/"));
  const compose = await yaml("docker-compose.yml");
  assert.deepEqual(job.static_configs[0].targets, [`app:${(await dockerfile()).env.PORT}`]);
  assert.ok(compose.services.prometheus.secrets.includes("metrics_api_key"));
  assert.deepEqual(config.rule_files, ["rules/*.yml"]);
  await Deno.stat(join(ROOT, "deploy", "prometheus", "rules", "newsintel.yml"));

  const rules = await yaml("deploy/prometheus/rules/newsintel.yml");
  const all = rules.groups.flatMap((g: Doc) => g.rules);
  const recorded = new Set<string>(all.filter((r: Doc) => r.record).map((r: Doc) => r.record));
  assert.equal(recorded.size, 1);
  const exported = await exportedMetrics();
  for (const rule of all) {
    for (const name of promqlMetrics(rule.expr)) {
      assert.ok(
        exported.has(name) || recorded.has(name),
        `${rule.alert ?? rule.record} reads ${name}, which the service does not export`,
      );
    }
  }
  const alerts = all.filter((r: Doc) => r.alert).map((r: Doc) => r.expr).join("\n");
  for (
    const needed of [/status=~"5\.\."/, /p99/, /up\{job="newsintel"\} == 0/, /review_queue_depth/]
  ) {
    assert.match(alerts, needed);
  }
});

Deno.test("the OpenTelemetry collector receives OTLP over HTTP where the app sends it", async () => {
  const otel = await yaml("deploy/otel/collector.yaml");
  assert.match(otel.receivers.otlp.protocols.http.endpoint, /:4318$/);
  for (const pipeline of Object.values<Doc>(otel.service.pipelines)) {
    for (const r of pipeline.receivers) assert.ok(otel.receivers[r], r);
    for (const p of pipeline.processors) assert.ok(otel.processors[p], p);
    for (const e of pipeline.exporters) assert.ok(otel.exporters[e], e);
  }
  const compose = await yaml("docker-compose.yml");
  const mount = compose.services["otel-collector"].volumes[0].split(":");
  assert.equal(mount[0], "./deploy/otel/collector.yaml");
  assert.ok(compose.services["otel-collector"].command.join(" ").includes(mount[1]));
});

Deno.test("workflows: the image is built, smoke-tested with scripts/smoke.sh, scanned, then pushed", async () => {
  const image = await yaml(".github/workflows/image.yml");
  assert.deepEqual(image.on.push.branches, ["main"]);
  assert.ok(image.on.push.tags.length > 0);
  assert.equal(image.permissions.packages, "write");
  const steps: Doc[] = image.jobs.image.steps;
  const index = (pred: (s: Doc) => boolean, what: string) => {
    const i = steps.findIndex(pred);
    assert.ok(i >= 0, what);
    return i;
  };
  const buildx = index((s) => s.uses?.startsWith("docker/setup-buildx-action"), "buildx");
  const build = index(
    (s) => s.uses?.startsWith("docker/build-push-action") && s.with.load,
    "build",
  );
  const smoke = index((s) => /bash scripts\/smoke\.sh /.test(s.run ?? ""), "smoke step");
  const trivy = index((s) => s.uses?.startsWith("aquasecurity/trivy-action"), "trivy");
  const login = index((s) => s.uses?.startsWith("docker/login-action"), "login");
  const push = index((s) => s.uses?.startsWith("docker/build-push-action") && s.with.push, "push");
  assert.ok(buildx < build && build < smoke && smoke < trivy && trivy < login && login < push);
  assert.equal(steps[login].with.registry, "ghcr.io");
  assert.match(steps[login].with.password, /secrets\.GITHUB_TOKEN/);
  assert.ok(steps[smoke].env.API_KEY, "the smoke test gets a key");
  assert.match(JSON.stringify(steps), /github\.sha|GITHUB_SHA/);
  await Deno.stat(join(ROOT, "scripts", "smoke.sh"));

  const release = await yaml(".github/workflows/release.yml");
  const releaseRuns = release.jobs.binary.steps.map((s: Doc) => s.run ?? "").join("\n");
  assert.match(releaseRuns, /deno task compile/);
  assert.match(releaseRuns, /sha256sum/);
  assert.match(releaseRuns, /gh release upload .*\.sha256/s);
  assert.equal(release.permissions.contents, "write");

  const security = await yaml(".github/workflows/security.yml");
  const securityRuns = security.jobs.dependencies.steps.map((s: Doc) => s.run ?? "").join("\n");
  assert.match(securityRuns, /deno audit/);
});

Deno.test("Kubernetes: models need no shared volume; MODEL_DIR is an emptyDir cache in every pod", async () => {
  const docs = await manifests();
  const { env } = await dockerfile();
  const caches: string[] = [];
  for (const doc of docs.filter((d) => ["Deployment", "Job", "CronJob"].includes(d.kind))) {
    const spec = podSpec(doc);
    for (const c of spec.containers) {
      const mount = (c.volumeMounts ?? []).find((m: Doc) => m.mountPath === env.MODEL_DIR);
      if (!mount) continue;
      caches.push(doc.kind);
      const volume = spec.volumes.find((v: Doc) => v.name === mount.name);
      assert.ok(
        volume.emptyDir !== undefined,
        `${doc._file}: MODEL_DIR is ${JSON.stringify(volume)}`,
      );
    }
    // The only claim is the backup's, and only the backup CronJob mounts it.
    const claims = spec.volumes.filter((v: Doc) => v.persistentVolumeClaim);
    assert.ok(doc.kind === "CronJob" || claims.length === 0, `${doc._file} mounts a claim`);
  }
  assert.ok(caches.includes("Deployment"), "serve's MODEL_DIR is mounted");
  const [pvc] = byKind(docs, "PersistentVolumeClaim").filter((p) => p.spec.accessModes);
  assert.ok(!pvc.spec.accessModes.includes("ReadWriteMany"), "no ReadWriteMany volume");
});

Deno.test("Kubernetes: a NetworkPolicy lets the pods reach only the database, DNS and the collector", async () => {
  const docs = await manifests();
  const [policy] = byKind(docs, "NetworkPolicy");
  assert.ok(policy, "no NetworkPolicy");
  assert.deepEqual(policy.spec.policyTypes, ["Egress"]);
  // It covers serve, the migration Job and the backup CronJob.
  for (const doc of docs.filter((d) => ["Deployment", "Job", "CronJob"].includes(d.kind))) {
    const labels = doc.kind === "CronJob"
      ? doc.spec.jobTemplate.spec.template.metadata.labels
      : doc.spec.template.metadata.labels;
    for (const [k, v] of Object.entries(policy.spec.podSelector.matchLabels)) {
      assert.equal(labels[k], v, `${doc._file} is not selected`);
    }
  }
  // Every rule names a destination and its ports: no rule opens everything.
  const allowed = new Set<string>();
  for (const rule of policy.spec.egress) {
    assert.ok(rule.to?.length, "an egress rule without `to` allows every destination");
    assert.ok(rule.ports?.length, "an egress rule without `ports` allows every port");
    for (const to of rule.to) {
      assert.ok(!to.ipBlock || to.ipBlock.cidr !== "0.0.0.0/0", "egress to anywhere");
    }
    for (const p of rule.ports) allowed.add(`${p.protocol}/${p.port}`);
  }
  const [configMap] = byKind(docs, "ConfigMap");
  const otlp = new URL(configMap.data.OTEL_EXPORTER_OTLP_ENDPOINT);
  const namespace = otlp.hostname.split(".")[1];
  assert.deepEqual(
    [...allowed].sort(),
    ["TCP/53", `TCP/${otlp.port}`, "TCP/5432", "UDP/53"].sort(),
  );
  const collector = policy.spec.egress.find((r: Doc) => r.ports[0].port === Number(otlp.port));
  assert.equal(
    collector.to[0].namespaceSelector.matchLabels["kubernetes.io/metadata.name"],
    namespace,
  );
  // The optional destinations are written out, commented, for operators to enable.
  const text = await Deno.readTextFile(join(K8S, "networkpolicy.yaml"));
  for (const what of ["bucket", "HF_ENDPOINT", "MLFLOW_TRACKING_URI"]) {
    assert.ok(text.includes(what), `networkpolicy.yaml mentions ${what}`);
  }
});

/** Applies a component's JSON patches ("add" only) to copies of the manifests they target. */
async function withComponent(docs: Doc[], component: string): Promise<Doc[]> {
  const file = join(K8S, "components", component, "kustomization.yaml");
  const kustomization = parse(await Deno.readTextFile(file));
  assert.equal(kustomization.kind, "Component");
  const out = structuredClone(docs);
  for (const { target, patch } of kustomization.patches as Doc[]) {
    const doc = out.find((d) => d.kind === target.kind && d.metadata.name === target.name);
    assert.ok(doc, `${component}: no ${target.kind} ${target.name}`);
    for (const op of parse(patch) as Doc[]) {
      assert.equal(op.op, "add", `${component}: only "add" patches are checked`);
      const keys = (op.path as string).split("/").slice(1);
      const parent = keys.slice(0, -1).reduce((o: Doc, k) => o[k], doc);
      const last = keys.at(-1)!;
      if (last === "-") parent.push(op.value);
      else parent[last] = op.value;
    }
  }
  return out;
}

Deno.test("Kubernetes: egress is open to the bucket, the hub and MLflow exactly when the configuration names them", async () => {
  const base = await manifests();
  for (const component of [null, "model-bucket", "hub", "mlflow"]) {
    const docs = component ? await withComponent(base, component) : base;
    const [configMap] = byKind(docs, "ConfigMap");
    const [policy] = byKind(docs, "NetworkPolicy");
    const ports = new Set<number>(
      policy.spec.egress.flatMap((r: Doc) => r.ports.map((p: Doc) => p.port)),
    );
    // What serve's own --allow-net would name, less its listening address (the database's
    // URL is in the Secret; its rule is checked above).
    // The bucket's keys are in the Secret (without them the SDK would ask the platform).
    const keys = { AWS_ACCESS_KEY_ID: "from-the-secret", AWS_SECRET_ACCESS_KEY: "from-the-secret" };
    const [, ...hosts] = egressHosts(loadConfig({ ...configMap.data, ...keys }));
    assert.equal(hosts.length, component ? 2 : 1, `${component}: ${hosts.join(" ")}`);
    for (const host of hosts) {
      const port = Number(host.slice(host.lastIndexOf(":") + 1));
      assert.ok(ports.has(port), `${component ?? "base"}: no egress rule for ${host}`);
    }
    // The component's rule is the one more than the base's.
    assert.equal(
      policy.spec.egress.length,
      base.find((d) => d.kind === "NetworkPolicy")!.spec
        .egress.length + (component ? 1 : 0),
    );
  }
});
