/** `newsintel export`: finished reviews as JSON Lines or CSV, streamed to a file or stdout. */
import { Command, Option } from "@commander-js/extra-typings";
import { EXPORT_FORMATS, exportStream } from "../db/review/mod.ts";
import { checkTaxonomy } from "../services/taxonomies.ts";
import { print, startCommand, withDb } from "./context.ts";

export function exportCommand() {
  return new Command("export")
    .description(
      "export one taxonomy's reviewed labels (the latest finished review per article) as " +
        "JSON Lines or CSV, streamed in pages; JSON Lines output trains a model as it stands",
    )
    .option("--taxonomy <name>", "whose reviews (topic, section, …)", "topic")
    .addOption(
      new Option("--format <format>", "output format").choices(EXPORT_FORMATS).default("jsonl"),
    )
    .option("--out <file>", "write to FILE (written beside it, then renamed into place)")
    .action(async (options) => {
      const config = await startCommand();
      const format = options.format as typeof EXPORT_FORMATS[number];
      let rows = 0;
      await withDb(config, async (db) => {
        const known = await checkTaxonomy(db, options.taxonomy);
        if (!known.ok) throw new Error(known.message);
        const stream = exportStream(db, format, {
          taxonomy: options.taxonomy,
          onRows: (n) => rows += n,
        });
        if (!options.out) {
          await stream.pipeTo(Deno.stdout.writable, { preventClose: true });
          return;
        }
        // A temporary file renamed into place: a failed export never leaves half a file.
        const tmp = `${options.out}.tmp-${crypto.randomUUID().slice(0, 8)}`;
        try {
          const file = await Deno.open(tmp, { write: true, create: true, truncate: true });
          await stream.pipeTo(file.writable);
          await Deno.rename(tmp, options.out);
        } catch (err) {
          await Deno.remove(tmp).catch(() => {});
          throw err;
        }
      }, { migrate: true });
      if (options.out) print(`exported ${rows} reviewed articles to ${options.out}`);
    });
}
