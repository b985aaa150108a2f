/**
 * The documentation against the code: every CLI command and option, every configuration
 * variable, every `--allow-env` entry and every route is mentioned in README.md or
 * `docs/*.md`, and every relative link (and `#anchor`) in them resolves. The lists come
 * from the code (the commander program, `lib/config.ts`, `lib/permissions.ts`, the OpenAPI
 * document and the app's routes), so a new command, variable or route fails here until
 * it is documented.
 */
import { envFlag } from "../lib/permissions.ts";
import assert from "node:assert/strict";
import type { Command } from "@commander-js/extra-typings";
import { buildCli } from "../cli/mod.ts";
import { CONFIG_VARIABLES } from "../lib/config.ts";
import type { Db } from "../db/mod.ts";
import { testApp } from "../testing/routes/test_app.ts";

const root = new URL("../", import.meta.url);
const docsDir = new URL("./", import.meta.url);

/** README.md and every `docs/*.md`, by path relative to the project. */
async function pages(): Promise<Map<string, string>> {
  const out = new Map([["README.md", await Deno.readTextFile(new URL("README.md", root))]]);
  for await (const entry of Deno.readDir(docsDir)) {
    if (entry.isFile && entry.name.endsWith(".md")) {
      out.set(`docs/${entry.name}`, await Deno.readTextFile(new URL(entry.name, docsDir)));
    }
  }
  return out;
}

const allText = async () => [...(await pages()).values()].join("\n");

/** Each command's path (`models promote`) with its long options, depth first. */
export function commandPaths(
  cmd: Command<unknown[], Record<string, unknown>>,
  prefix: string[] = [],
): { path: string; options: string[] }[] {
  return cmd.commands.flatMap((sub) => {
    const path = [...prefix, sub.name()];
    const options = sub.options.map((o) => o.long).filter((o): o is string => !!o);
    return [
      { path: path.join(" "), options },
      ...commandPaths(sub as Command<unknown[], Record<string, unknown>>, path),
    ];
  });
}

/** The entries of an `--allow-env=` flag (wildcards as written). */
export function allowEnvEntries(text: string): string[] {
  const list = text.match(/--allow-env=(\S+)/)?.[1] ?? "";
  return list.split(",").map((s) => s.trim()).filter(Boolean);
}

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces to dashes. */
export function slug(heading: string): string {
  return heading.trim().toLowerCase().replace(/[`*_]/g, "").replace(/[^\p{L}\p{N} -]/gu, "")
    .replace(/ /g, "-");
}

/** The relative link targets of a markdown page (inline links and images, outside code). */
export function relativeLinks(markdown: string): string[] {
  const text = markdown.replace(/```[\s\S]*?```/g, "").replace(/`[^`\n]*`/g, "");
  return [...text.matchAll(/!?\[[^\]]*\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)]
    .map((m) => m[1])
    .filter((target) => !/^[a-z][a-z0-9+.-]*:/i.test(target));
}

const anchorsOf = (markdown: string) =>
  new Set(
    markdown.replace(/```[\s\S]*?```/g, "").split("\n").filter((l) => /^#{1,6} /.test(l))
      .map((l) => slug(l.replace(/^#+ /, ""))),
  );

Deno.test("commandPaths() lists nested commands with their options", async () => {
  const { Command } = await import("@commander-js/extra-typings");
  const cli = new Command("x").addCommand(
    new Command("models").addCommand(new Command("promote").option("--taxonomy <t>")),
  );
  assert.deepEqual(commandPaths(cli), [
    { path: "models", options: [] },
    { path: "models promote", options: ["--taxonomy"] },
  ]);
});

Deno.test("relativeLinks() skips external links and code, slug() follows GitHub", () => {
  const md = "[a](docs/x.md#y) ![i](img.png) [w](https://e.com) `[c](no.md)`\n```\n[d](no.md)\n```";
  assert.deepEqual(relativeLinks(md), ["docs/x.md#y", "img.png"]);
  assert.equal(slug("MLflow tracking"), "mlflow-tracking");
  assert.equal(slug("Backups, capacity, operations"), "backups-capacity-operations");
  assert.equal(slug("The `serve` command"), "the-serve-command");
});

Deno.test("docs mention every CLI command and each of its options", async () => {
  const text = await allText();
  const missing: string[] = [];
  for (const { path, options } of commandPaths(buildCli())) {
    const escaped = path.replace(/[.*+?^${}()|[\]\\-]/g, "\\$&");
    if (!new RegExp(`(newsintel |\`)${escaped}\\b`).test(text)) missing.push(path);
    for (const option of options) {
      if (!text.includes(option)) missing.push(`${path} ${option}`);
    }
  }
  assert.deepEqual(missing, [], "add these to docs/cli.md");
});

Deno.test("docs mention every configuration variable and --allow-env entry", async () => {
  const text = await allText();
  const config = await Deno.readTextFile(new URL("configuration.md", docsDir));
  const missingVars = CONFIG_VARIABLES.filter((name) => !config.includes(`\`${name}\``));
  assert.deepEqual(missingVars, [], "add these to the table in docs/configuration.md");
  const entries = allowEnvEntries(envFlag());
  assert.ok(
    entries.length >= CONFIG_VARIABLES.length / 2,
    "lib/permissions.ts has no --allow-env list",
  );
  const missingEnv = entries.filter((entry) => !text.includes(`\`${entry}\``));
  assert.deepEqual(missingEnv, [], "name these in docs/configuration.md");
});

Deno.test("docs mention every route of the API and the console", async () => {
  const text = (await allText()).replace(/\{(\w+)\}/g, "{}");
  const { app } = testApp({} as Db);
  const res = await app.request("/openapi.json");
  assert.equal(res.status, 200);
  const doc = await res.json() as { paths: Record<string, unknown> };
  const apiPaths = Object.keys(doc.paths);
  assert.ok(apiPaths.length > 20, "the OpenAPI document lists the API");
  const appPaths = app.routes
    .filter((r) => r.method !== "ALL" && !r.path.includes("*"))
    .map((r) => r.path.replace(/:(\w+)(\{[^/]*\})?/g, "{$1}"));
  const missing = [...new Set([...apiPaths, ...appPaths])]
    .filter((path) => {
      const p = path.replace(/\{(\w+)\}/g, "{}");
      return !new RegExp("[`\\s]" + p.replace(/[.*+?^${}()|[\]\\]/g, "\\$&") + "[`\\s?\\[]")
        .test(text);
    });
  assert.deepEqual(missing, [], "add these to docs/api.md or docs/console.md");
});

Deno.test("every relative link in README.md and docs/*.md resolves", async () => {
  const all = await pages();
  const broken: string[] = [];
  for (const [page, markdown] of all) {
    const base = new URL(page, root);
    for (const target of relativeLinks(markdown)) {
      const [file, anchor] = target.split("#");
      const url = file ? new URL(file, base) : base;
      let body: string | undefined;
      try {
        const stat = await Deno.stat(url);
        if (stat.isFile && url.pathname.endsWith(".md")) body = await Deno.readTextFile(url);
      } catch {
        broken.push(`${page}: ${target}`);
        continue;
      }
      if (anchor && body !== undefined && !anchorsOf(body).has(anchor)) {
        broken.push(`${page}: ${target} (no heading #${anchor})`);
      }
    }
  }
  assert.deepEqual(broken, []);
});
