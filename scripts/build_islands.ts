// deno-lint-ignore-file no-console
/**
 * Builds the console's islands for the browser: one entry per `islands/*.tsx`
 * component (PascalCase, default export), bundled with `deno bundle
 * --platform browser --code-splitting --minify` into `static/build/` so Preact
 * is shared, plus uPlot's stylesheet. Writes `static/build/manifest.json`
 * (sizes, a version for cache busting) and prints the gzipped total, failing
 * when it is over the 80 KB budget. Also copies Swagger UI for the /docs page.
 * Skipped when nothing it reads changed since the last build (`--force` builds anyway):
 * `deno task start` runs it first, and a start should not wait for an unchanged bundle.
 *
 *   deno run --allow-read --allow-write --allow-run --allow-env --allow-net scripts/build_islands.ts
 */
import { gzipSync } from "node:zlib";
import { createHash } from "node:crypto";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/** Total islands JavaScript allowed, gzipped. */
export const ISLANDS_BUDGET_GZIP = 80 * 1024;

/** Swagger UI's files that the /docs page loads. */
const DOCS_ASSETS = ["swagger-ui-bundle.js", "swagger-ui.css"];

const root = fileURLToPath(new URL("..", import.meta.url));
const islandsDir = join(root, "islands");
const outDir = join(root, "static", "build");
const entryDir = join(root, "tmp", "island_entries");

export interface BuildFile {
  name: string;
  bytes: number;
  gzip: number;
}

export interface BuildManifest {
  version: string;
  islands: string[];
  files: BuildFile[];
  totalJsGzip: number;
  totalJsBytes: number;
}

/** Where the hash of the last build's inputs is kept. */
const inputsFile = join(outDir, ".inputs");

/**
 * A hash of what the build reads: every file under `islands/`, the import map and lock
 * file (the bundled packages' versions) and this script.
 */
export async function inputsHash(): Promise<string> {
  const hash = createHash("sha256");
  const files: string[] = [];
  const walk = async (dir: string) => {
    for await (const e of Deno.readDir(dir)) {
      const path = join(dir, e.name);
      if (e.isDirectory) await walk(path);
      else if (e.isFile) files.push(path);
    }
  };
  await walk(islandsDir);
  files.sort().push(
    join(root, "deno.json"),
    join(root, "deno.lock"),
    fileURLToPath(import.meta.url),
  );
  for (const path of files) {
    hash.update(path.slice(root.length)).update("\0");
    hash.update(await Deno.readFile(path).catch(() => new Uint8Array()));
  }
  return hash.digest("hex");
}

/** True when `static/build/` holds a build of the current inputs, every file of it present. */
export async function upToDate(): Promise<boolean> {
  try {
    if ((await Deno.readTextFile(inputsFile)).trim() !== await inputsHash()) return false;
    const manifest: BuildManifest = JSON.parse(
      await Deno.readTextFile(join(outDir, "manifest.json")),
    );
    for (const name of [...manifest.files.map((f) => f.name), ...DOCS_ASSETS]) {
      await Deno.stat(join(outDir, name));
    }
    return true;
  } catch {
    return false;
  }
}

/** Island names: PascalCase `.tsx` files in `islands/`. */
export async function islandNames(): Promise<string[]> {
  const names: string[] = [];
  for await (const e of Deno.readDir(islandsDir)) {
    const m = /^([A-Z][A-Za-z0-9]*)\.tsx$/.exec(e.name);
    if (e.isFile && m) names.push(m[1]);
  }
  return names.sort();
}

/** Builds every island into `static/build/` and returns the manifest it wrote. */
export async function buildIslands(options: { quiet?: boolean } = {}): Promise<BuildManifest> {
  const inputs = await inputsHash();
  const names = await islandNames();
  await Deno.remove(entryDir, { recursive: true }).catch(() => {});
  await Deno.mkdir(entryDir, { recursive: true });
  const entries: string[] = [];
  for (const name of names) {
    const path = join(entryDir, `${name}.ts`);
    await Deno.writeTextFile(
      path,
      `import C from "../../islands/${name}.tsx";\n` +
        `import { hydrateIslands } from "../../islands/hydrate.ts";\n` +
        `hydrateIslands(${JSON.stringify(name)}, C);\n`,
    );
    entries.push(path);
  }
  // The server compiles JSX with "precompile" (string templates, SSR only); the
  // browser needs real vnodes, so the islands are bundled with their own config.
  const project = JSON.parse(await Deno.readTextFile(join(root, "deno.json")));
  const config = join(entryDir, "deno.json");
  await Deno.writeTextFile(
    config,
    JSON.stringify({
      imports: project.imports,
      compilerOptions: { jsx: "react-jsx", jsxImportSource: "preact", lib: ["dom", "esnext"] },
      nodeModulesDir: "none",
    }),
  );
  await Deno.remove(outDir, { recursive: true }).catch(() => {});
  await Deno.mkdir(outDir, { recursive: true });
  const out = await new Deno.Command(Deno.execPath(), {
    args: [
      "bundle",
      "--quiet",
      "--config",
      config,
      "--platform",
      "browser",
      "--format",
      "esm",
      "--code-splitting",
      "--minify",
      "--outdir",
      outDir,
      ...entries,
    ],
    cwd: root,
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (!out.success) {
    throw new Error(`deno bundle failed:\n${new TextDecoder().decode(out.stderr)}`);
  }
  await Deno.copyFile(
    join(root, "node_modules", "uplot", "dist", "uPlot.min.css"),
    join(outDir, "uplot.css"),
  );

  const files: BuildFile[] = [];
  const hash = createHash("sha256");
  const listing = [...Deno.readDirSync(outDir)].map((e) => e.name).sort();
  for (const name of listing) {
    const bytes = await Deno.readFile(join(outDir, name));
    hash.update(name).update(bytes);
    files.push({ name, bytes: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length });
  }
  const js = files.filter((f) => f.name.endsWith(".js"));
  const manifest: BuildManifest = {
    version: hash.digest("hex").slice(0, 12),
    islands: names,
    files,
    totalJsGzip: js.reduce((n, f) => n + f.gzip, 0),
    totalJsBytes: js.reduce((n, f) => n + f.bytes, 0),
  };
  await Deno.writeTextFile(join(outDir, "manifest.json"), JSON.stringify(manifest, null, 2));
  // The API reference at /docs (Swagger UI) is served from here too, not from a CDN;
  // it is no island, so it stays out of the manifest and the budget.
  for (const name of DOCS_ASSETS) {
    await Deno.copyFile(join(root, "node_modules", "swagger-ui-dist", name), join(outDir, name));
  }
  await Deno.writeTextFile(inputsFile, inputs + "\n");
  if (!options.quiet) {
    const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;
    for (const f of files) {
      console.log(`  ${f.name.padEnd(28)} ${kb(f.bytes).padStart(9)}  gzip ${kb(f.gzip)}`);
    }
    console.log(
      `islands JS: ${kb(manifest.totalJsBytes)}, ${kb(manifest.totalJsGzip)} gzipped ` +
        `(budget ${kb(ISLANDS_BUDGET_GZIP)})`,
    );
  }
  return manifest;
}

if (import.meta.main) {
  if (!Deno.args.includes("--force") && await upToDate()) {
    console.log("islands up to date (static/build); --force builds them anyway");
    Deno.exit(0);
  }
  const manifest = await buildIslands();
  if (manifest.totalJsGzip > ISLANDS_BUDGET_GZIP) {
    console.error("islands JS is over budget");
    Deno.exit(1);
  }
}
