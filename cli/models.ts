/**
 * `newsintel models`: list (grouped by taxonomy), promote, roll back and import models.
 * Each taxonomy (`topic`, `section`, …) has its own active model.
 */
import { Command } from "@commander-js/extra-typings";
import {
  activateModel,
  DEFAULT_TAXONOMY,
  getModel,
  listModels,
  type ModelRecord,
  previousModelVersion,
  TAXONOMY_NAME,
} from "../db/models.ts";
import { listTaxonomies, taxonomyForModelName } from "../services/taxonomies.ts";
import { importBundle } from "../ml/mod.ts";
import { bundleStoreFor, registerStoredModel } from "../services/model_store.ts";
import { join } from "node:path";
import { print, printJson, startCommand, withDb } from "./context.ts";

/** A `--taxonomy` value, checked before the database is opened. */
function taxonomyName(value: string): string {
  if (!TAXONOMY_NAME.test(value)) {
    throw new Error(
      `--taxonomy ${JSON.stringify(value)}: 1-40 lower-case letters, digits, - or _`,
    );
  }
  return value;
}

/** Models grouped by taxonomy, `topic` first, each group newest first. */
export function groupByTaxonomy(list: ModelRecord[]): Map<string, ModelRecord[]> {
  const groups = new Map<string, ModelRecord[]>([[DEFAULT_TAXONOMY, []]]);
  for (const m of list) groups.set(m.taxonomy, [...groups.get(m.taxonomy) ?? [], m]);
  if (groups.get(DEFAULT_TAXONOMY)!.length === 0) groups.delete(DEFAULT_TAXONOMY);
  return new Map(
    [...groups].sort(([a], [b]) =>
      a === DEFAULT_TAXONOMY ? -1 : b === DEFAULT_TAXONOMY ? 1 : a < b ? -1 : 1
    ),
  );
}

export function modelsCommand() {
  const models = new Command("models").description(
    "the model registry: list, promote, rollback, import",
  );
  models.command("list")
    .description(
      "registered models grouped by taxonomy, newest first; * marks each taxonomy's active one",
    )
    .option("--json", "print as JSON")
    .action(async (options) => {
      const config = await startCommand();
      const list = await withDb(config, listModels, { migrate: true });
      if (options.json) return printJson(list);
      if (list.length === 0) return print("no models yet (train one with: newsintel train)");
      for (const [taxonomy, group] of groupByTaxonomy(list)) {
        print(`${taxonomy}:`);
        for (const m of group) printModel(m);
      }
    });
  const printModel = (m: ModelRecord) => {
    const metrics = (m.manifest?.metrics as { report?: { accuracy?: number } } | null)?.report;
    const acc = metrics?.accuracy === undefined
      ? ""
      : `  val-acc ${(100 * metrics.accuracy).toFixed(1)}%`;
    print(
      `  ${m.active ? "*" : " "} ${m.version}  ${m.name}  [${
        m.labels.join(", ")
      }]  ${m.origin}${acc}`,
    );
  };
  models.command("promote")
    .description(
      "make VERSION the active model of its taxonomy (running replicas switch within " +
        "seconds; the other taxonomies' models stay)",
    )
    .argument("<version>")
    .action(async (version) => {
      const config = await startCommand();
      await withDb(config, async (db) => {
        const model = await getModel(db, version);
        if (!model) {
          throw new Error(`no model ${version} (see: newsintel models list)`);
        }
        const changed = await db.transaction((tx) =>
          activateModel(tx, { version, action: "promote", actor: "cli" })
        );
        print(
          changed
            ? `${version} is now the active ${model.taxonomy} model`
            : `${version} was already the active ${model.taxonomy} model`,
        );
      }, { migrate: true });
    });
  models.command("rollback")
    .description(
      "re-activate the model of a taxonomy that was active before its current one",
    )
    .option("--taxonomy <name>", "the taxonomy rolled back", taxonomyName, DEFAULT_TAXONOMY)
    .action(async (options) => {
      const config = await startCommand();
      const taxonomy = options.taxonomy;
      await withDb(config, async (db) => {
        const known = await listTaxonomies(db);
        if (!known.includes(taxonomy)) {
          throw new Error(`no taxonomy ${taxonomy} (known: ${known.join(", ")})`);
        }
        const previous = await previousModelVersion(db, taxonomy);
        if (!previous) throw new Error(`no earlier ${taxonomy} model was ever active`);
        await db.transaction((tx) =>
          activateModel(tx, { version: previous, action: "rollback", actor: "cli" })
        );
        print(`rolled back ${taxonomy}: ${previous} is now active`);
      }, { migrate: true });
    });
  models.command("import")
    .description("verify a bundle (.tar.gz from `newsintel bundle`) and register its model")
    .argument("<file>")
    .option("--promote", "make it active right away")
    .option(
      "--taxonomy <name>",
      "the taxonomy it serves (default: the model's name when it is one, else topic)",
      taxonomyName,
    )
    .action(async (file, options) => {
      const config = await startCommand();
      const manifest = await importBundle(file, config.modelDir);
      await withDb(config, async (db) => {
        await db.transaction(async (tx) => {
          await registerStoredModel(
            tx,
            {
              version: manifest.version,
              name: manifest.name,
              labels: manifest.labels,
              origin: "imported",
              taxonomy: options.taxonomy ?? taxonomyForModelName(manifest.name),
              location: manifest.version,
              manifest,
            },
            join(config.modelDir, manifest.version),
            { store: await bundleStoreFor(config) },
          );
          if (options.promote) {
            await activateModel(tx, { version: manifest.version, action: "promote", actor: "cli" });
          }
        });
      }, { migrate: true });
      print(
        `imported ${manifest.name} ${manifest.version}${options.promote ? " (now active)" : ""}`,
      );
    });
  return models;
}
