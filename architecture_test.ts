/**
 * Keeps the layers of ARCHITECTURE.md: reads the import graph of every module
 * with `deno info --json` and fails on an import circle, or on an import that
 * points up (a lower layer importing a higher one).
 */
import assert from "node:assert/strict";
import { relative } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL(".", import.meta.url));

/**
 * What each layer may import besides itself. Lower layers come first: `ml/` and
 * `datasets/` are the ground, `db/` speaks SQL, `lib/` is infrastructure,
 * `services/` the application, `routes/` and `cli/` the two ways in.
 */
export const MAY_IMPORT: Record<string, readonly string[]> = {
  "lib": [],
  "ml": [],
  "datasets": ["ml"],
  "db": ["lib"],
  "services": ["lib", "db", "ml", "datasets"],
  "routes": ["lib", "services", "db", "ml", "datasets", "islands"],
  "cli": ["lib", "routes", "services", "db", "ml", "datasets"],
  "main.ts": ["cli", "lib"],
  "islands": [],
  "testing": [],
};

/** Imports that the layer rules allow but that are still wrong: HTTP errors below routes. */
const FORBIDDEN: Array<{ from: string; to: string; why: string }> = [
  { from: "db", to: "lib/errors.ts", why: "db/ returns outcomes; routes make HTTP errors" },
  {
    from: "services",
    to: "lib/errors.ts",
    why: "services return outcomes (services/outcome.ts); routes make HTTP errors",
  },
];

/**
 * Test code, by one rule: a `*_test.ts(x)` file, or anything under `testing/`. It may reach
 * up (an integration test uses the whole stack); product code may not import it.
 */
export const isTest = (path: string) => /_test\.tsx?$/.test(path) || path.startsWith("testing/");

/** Folders only tests and tools use: product code importing from them is wrong. */
const NOT_FOR_PRODUCT = ["testing", "bench"];

const layerOf = (path: string) => path.includes("/") ? path.split("/")[0] : path;

/** The project's own modules and the local modules each imports, from `deno info --json`. */
async function importGraph(): Promise<Map<string, string[]>> {
  const listed = await new Deno.Command("git", {
    args: ["ls-files", "*.ts", "*.tsx"],
    cwd: ROOT,
    stdout: "piped",
  }).output();
  const files = new TextDecoder().decode(listed.stdout).split("\n").filter((f) =>
    f && Object.hasOwn(MAY_IMPORT, layerOf(f))
  );
  // One entry module importing every file gives one graph for the whole project.
  const entry = await Deno.makeTempFile({ dir: ROOT, prefix: ".graph_", suffix: ".ts" });
  try {
    await Deno.writeTextFile(entry, files.map((f) => `import "./${f}";\n`).join(""));
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["info", "--json", entry],
      cwd: ROOT,
      stdout: "piped",
      stderr: "piped",
    }).output();
    assert.ok(out.success, new TextDecoder().decode(out.stderr));
    const info = JSON.parse(new TextDecoder().decode(out.stdout)) as {
      modules: Array<{
        specifier: string;
        dependencies?: Array<{ code?: { specifier: string }; type?: { specifier: string } }>;
      }>;
    };
    const local = (spec?: string) =>
      spec?.startsWith("file://") ? relative(ROOT, fileURLToPath(spec)) : null;
    const graph = new Map<string, string[]>();
    for (const m of info.modules) {
      const from = local(m.specifier);
      if (!from || from === relative(ROOT, entry) || from.startsWith("node_modules")) continue;
      const targets = (m.dependencies ?? []).flatMap((d) =>
        [local(d.code?.specifier), local(d.type?.specifier)].filter((t): t is string => !!t)
      );
      graph.set(from, [...new Set(targets)]);
    }
    return graph;
  } finally {
    await Deno.remove(entry);
  }
}

/** Strongly connected components with more than one module (Tarjan), i.e. import circles. */
export function circles(graph: Map<string, string[]>): string[][] {
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (v: string) => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1 || (graph.get(v) ?? []).includes(v)) found.push(component.sort());
    }
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return found;
}

/** Imports against the direction of the layers, as `from -> to` lines. */
export function upwardImports(graph: Map<string, string[]>): string[] {
  const wrong: string[] = [];
  for (const [from, targets] of graph) {
    if (isTest(from)) continue;
    const layer = layerOf(from);
    const allowed = MAY_IMPORT[layer];
    if (!allowed) continue;
    for (const to of targets) {
      const target = layerOf(to);
      if (NOT_FOR_PRODUCT.includes(target)) {
        wrong.push(`${from} -> ${to} (product code never imports ${target}/)`);
        continue;
      }
      if (target !== layer && !allowed.includes(target) && Object.hasOwn(MAY_IMPORT, target)) {
        wrong.push(`${from} -> ${to} (${layer}/ may import ${allowed.join(", ") || "nothing"})`);
      }
      for (const rule of FORBIDDEN) {
        if (layer === rule.from && to === rule.to) wrong.push(`${from} -> ${to} (${rule.why})`);
      }
    }
  }
  return wrong;
}

Deno.test("circles() finds an import circle and upwardImports() an import against the layers", () => {
  const graph = new Map([
    ["db/a.ts", ["db/b.ts", "services/x.ts"]],
    ["db/b.ts", ["db/a.ts"]],
    ["services/x.ts", ["db/a.ts"]],
    ["db/a_test.ts", ["services/x.ts"]],
    ["services/y.ts", ["lib/errors.ts", "lib/log.ts"]],
    ["services/y_test.ts", ["lib/errors.ts"]],
  ]);
  assert.deepEqual(circles(graph), [["db/a.ts", "db/b.ts", "services/x.ts"]]);
  assert.deepEqual(upwardImports(graph), [
    "db/a.ts -> services/x.ts (db/ may import lib)",
    "services/y.ts -> lib/errors.ts (services return outcomes (services/outcome.ts); routes make HTTP errors)",
  ]);
});

Deno.test("isTest() knows test code by one rule, and product code may not import it", () => {
  assert.ok(isTest("db/articles_test.ts") && isTest("islands/Desk_test.tsx"));
  assert.ok(isTest("testing/db/test_db.ts") && isTest("testing/routes/hostile.ts"));
  assert.ok(!isTest("db/test_db.ts") && !isTest("routes/test_app.ts"));
  assert.ok(!isTest("cli/serve.ts") && !isTest("bench/synthetic_history.ts"));
  const graph = new Map([
    ["services/seed.ts", ["testing/ml/toy_corpus.ts", "bench/synthetic_history.ts"]],
    ["services/seed_test.ts", ["testing/ml/toy_corpus.ts"]],
    ["testing/routes/test_app.ts", ["routes/app.ts", "cli/serve.ts"]],
  ]);
  assert.deepEqual(upwardImports(graph), [
    "services/seed.ts -> testing/ml/toy_corpus.ts (product code never imports testing/)",
    "services/seed.ts -> bench/synthetic_history.ts (product code never imports bench/)",
  ]);
});

Deno.test("the project has no import circle and no import against the layers", async () => {
  const graph = await importGraph();
  assert.ok(graph.has("main.ts") && graph.has("db/mod.ts"), "the graph covers the project");
  assert.deepEqual(circles(graph), [], "import circles");
  assert.deepEqual(upwardImports(graph), [], "imports against the layers (ARCHITECTURE.md)");
});
