/** `newsintel models`: list, promote, roll back and import models. */
import { Command } from "@commander-js/extra-typings";
import {
  activateModel,
  getModel,
  listModels,
  previousModelVersion,
  registerModel,
} from "../db/models.ts";
import { importBundle } from "../ml/mod.ts";
import { print, printJson, startCommand, withDb } from "./context.ts";

export function modelsCommand() {
  const models = new Command("models").description(
    "the model registry: list, promote, rollback, import",
  );
  models.command("list")
    .description("registered models, newest first; * marks the active one")
    .option("--json", "print as JSON")
    .action(async (options) => {
      const config = await startCommand();
      const list = await withDb(config, listModels, { migrate: true });
      if (options.json) return printJson(list);
      if (list.length === 0) return print("no models yet (train one with: newsintel train)");
      for (const m of list) {
        const metrics = (m.manifest?.metrics as { report?: { accuracy?: number } } | null)?.report;
        const acc = metrics?.accuracy === undefined
          ? ""
          : `  val-acc ${(100 * metrics.accuracy).toFixed(1)}%`;
        print(
          `${m.active ? "*" : " "} ${m.version}  ${m.name}  [${
            m.labels.join(", ")
          }]  ${m.origin}${acc}`,
        );
      }
    });
  models.command("promote")
    .description("make VERSION the active model (running replicas switch within seconds)")
    .argument("<version>")
    .action(async (version) => {
      const config = await startCommand();
      await withDb(config, async (db) => {
        if (!await getModel(db, version)) {
          throw new Error(`no model ${version} (see: newsintel models list)`);
        }
        const changed = await db.transaction((tx) =>
          activateModel(tx, { version, action: "promote", actor: "cli" })
        );
        print(changed ? `${version} is now active` : `${version} was already active`);
      }, { migrate: true });
    });
  models.command("rollback")
    .description("re-activate the model that was active before the current one")
    .action(async () => {
      const config = await startCommand();
      await withDb(config, async (db) => {
        const previous = await previousModelVersion(db);
        if (!previous) throw new Error("no earlier model was ever active");
        await db.transaction((tx) =>
          activateModel(tx, { version: previous, action: "rollback", actor: "cli" })
        );
        print(`rolled back: ${previous} is now active`);
      }, { migrate: true });
    });
  models.command("import")
    .description("verify a bundle (.tar.gz from `newsintel bundle`) and register its model")
    .argument("<file>")
    .option("--promote", "make it active right away")
    .action(async (file, options) => {
      const config = await startCommand();
      const manifest = await importBundle(file, config.modelDir);
      await withDb(config, async (db) => {
        await registerModel(db, {
          version: manifest.version,
          name: manifest.name,
          labels: manifest.labels,
          origin: "imported",
          location: manifest.version,
          manifest,
        });
        if (options.promote) {
          await db.transaction((tx) =>
            activateModel(tx, { version: manifest.version, action: "promote", actor: "cli" })
          );
        }
      }, { migrate: true });
      print(
        `imported ${manifest.name} ${manifest.version}${options.promote ? " (now active)" : ""}`,
      );
    });
  return models;
}
