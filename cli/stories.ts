/** `newsintel stories rebuild`: group stored articles into stories (all again with `--all`). */
import { Command } from "@commander-js/extra-typings";
import { fillStories } from "../services/stories.ts";
import { print, printJson, startCommand, withDb } from "./context.ts";

export function storiesCommand() {
  return new Command("stories")
    .description("stories: articles grouped as near duplicates or reports of one event")
    .addCommand(
      new Command("rebuild")
        .description(
          "group the articles stored before stories were kept, 500 per transaction " +
            "(serve does it at start); --all forgets every story and groups all articles again",
        )
        .option("--all", "forget every story first and group all articles again")
        .option("--json", "print the result as JSON")
        .action(async (options) => {
          const config = await startCommand();
          await withDb(config, async (db) => {
            const grouped = await fillStories(db, { rebuild: Boolean(options.all) });
            if (options.json) printJson({ grouped });
            else print(grouped ? `grouped ${grouped} articles into stories` : "nothing to group");
          }, { migrate: true });
        }),
    );
}
