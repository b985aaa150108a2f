/** `newsintel bundle`: write a model and its manifest as one verifiable .tar.gz. */
import { Command } from "@commander-js/extra-typings";
import { getModel } from "../db/models.ts";
import { bundleModel } from "../ml/mod.ts";
import { print, startCommand, withDb } from "./context.ts";
import { localModelDir } from "../services/model_runtime.ts";

export function bundleCommand() {
  return new Command("bundle")
    .description("write model VERSION (files + manifest with sha256 of each) to one .tar.gz")
    .argument("<version>", "registered model version")
    .option("-o, --out <file>", "output file (default: newsintel-model-VERSION.tar.gz)")
    .action(async (version, options) => {
      const config = await startCommand();
      const dir = await withDb(config, async (db) => {
        const record = await getModel(db, version);
        if (!record) throw new Error(`no model ${version} (see: newsintel models list)`);
        if (record.origin === "hub" || record.origin === "local") {
          throw new Error(
            `${version} is an external model (${record.origin}); only trained or imported models bundle`,
          );
        }
        // From MODEL_DIR, or fetched from the model store into it.
        return (await localModelDir(db, config, record))!;
      }, { migrate: true });
      const out = options.out ?? `newsintel-model-${version}.tar.gz`;
      const manifest = await bundleModel(dir, out);
      print(
        `wrote ${out} (${manifest.name} ${manifest.version}, ${
          Object.keys(manifest.files).length
        } files)`,
      );
    });
}
