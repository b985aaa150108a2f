// deno-lint-ignore-file no-console
/**
 * `deno task bench`: every benchmark, one after another, with a summary of the
 * figures against the targets. Run one alone with `deno run --allow-all bench/<name>.ts`;
 * pick some with `deno task bench ingest classify`.
 */
const BENCHES: Record<string, () => Promise<unknown>> = {
  ingest: async () => ({
    storage: await (await import("./ingest.ts")).main(),
    fullPath: await (await import("./ingest_http.ts")).main(),
  }),
  http: async () => (await import("./http_load.ts")).main(),
  classify: async () => (await import("./classify.ts")).main(),
  summarize: async () => (await import("./summarize.ts")).main(),
  trends: async () => (await import("./trends.ts")).main(),
  console: async () => (await import("./console.ts")).main(),
  desk: async () => (await import("./desk.ts")).main(),
  review: async () => (await import("./review.ts")).main(),
  load: async () => (await import("./load_mixed.ts")).main(),
  hostile: async () => (await import("./hostile.ts")).main(),
  "label-issues": async () => (await import("./label_issues.ts")).main(),
  bootstrap: async () => (await import("./bootstrap.ts")).main(),
  mlflow: async () => (await import("./mlflow.ts")).main(),
  scale: async () => (await import("./scale.ts")).main(),
  taxonomies: async () => (await import("./taxonomies.ts")).main(),
  "learning-loop": async () => (await import("./learning_loop.ts")).main(),
  taxonomy: async () => (await import("./taxonomy.ts")).main(),
  stories: async () => (await import("./stories.ts")).main(),
  "story-stream": async () => (await import("./story_stream.ts")).main(),
  "retrain-poison": async () => (await import("./retrain_poison.ts")).main(),
  "model-store": async () => (await import("./model_store.ts")).main(),
  "story-scale": async () => (await import("./story_scale.ts")).main(),
};

// `scale` and `story-scale` load a million articles (minutes to tens): only when named.
const wanted = Deno.args.length
  ? Deno.args
  : Object.keys(BENCHES).filter((name) => name !== "scale" && name !== "story-scale");
const results: Record<string, unknown> = {
  machine: {
    cores: navigator.hardwareConcurrency,
    deno: Deno.version.deno,
    date: new Date().toISOString(),
  },
};
for (const name of wanted) {
  const run = BENCHES[name];
  if (!run) {
    console.error(`unknown benchmark ${name}; choose from ${Object.keys(BENCHES).join(", ")}`);
    Deno.exit(2);
  }
  console.error(`\n== ${name}`);
  results[name] = await run();
}
console.log(JSON.stringify(results, null, 2));
