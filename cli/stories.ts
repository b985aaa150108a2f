/** `newsintel stories rebuild`: group stored articles into stories (all again with `--all`). */
import { Command } from "@commander-js/extra-typings";
import { fillStories } from "../services/stories.ts";
import { print, printJson, startCommand, withDb } from "./context.ts";
import { progress } from "./progress.ts";

export function storiesCommand() {
  return new Command("stories")
    .description("stories: articles grouped by the event they report")
    .addCommand(
      new Command("rebuild")
        .description(
          "group the articles not yet in a story, 500 per transaction, resuming where an " +
            "interrupted run stopped (serve does it at start); --all forgets every story " +
            "(except where reviewers put articles) and groups all articles again",
        )
        .option("--all", "forget every story first and group all articles again")
        .option("--json", "print the result as JSON")
        .action(async (options) => {
          const config = await startCommand();
          await withDb(config, async (db) => {
            const bar = progress("grouping (article ids)");
            const grouped = await fillStories(db, {
              rebuild: Boolean(options.all),
              onProgress: (reached, maxId) => bar.update(reached, maxId),
            });
            bar.stop();
            if (options.json) printJson({ grouped });
            else print(grouped ? `grouped ${grouped} articles into stories` : "nothing to group");
          }, { migrate: true });
        }),
    );
}
