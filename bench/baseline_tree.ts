/**
 * Another commit's code beside this checkout, for benchmarks that measure a baseline in
 * the same run (`BENCH_BASELINE_REF`): on a shared machine only figures taken together
 * compare.
 */
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const PROJECT_ROOT = fileURLToPath(new URL("..", import.meta.url));

/** The tree of `ref` extracted under tmp/, sharing this checkout's node_modules. */
export async function baselineTree(
  ref: string,
): Promise<{ root: string; remove(): Promise<void> }> {
  await Deno.mkdir(join(PROJECT_ROOT, "tmp"), { recursive: true });
  const root = await Deno.makeTempDir({ dir: join(PROJECT_ROOT, "tmp"), prefix: "bench-base-" });
  const archive = new Deno.Command("sh", {
    args: ["-c", `git archive ${JSON.stringify(ref)} | tar -x -C ${JSON.stringify(root)}`],
    cwd: PROJECT_ROOT,
  });
  if (!(await archive.output()).success) throw new Error(`cannot extract ${ref}`);
  // Hard links: no copy of the bytes, and paths inside the tree (permissions are by path).
  const link = new Deno.Command("cp", {
    args: ["-al", join(PROJECT_ROOT, "node_modules"), join(root, "node_modules")],
  });
  if (!(await link.output()).success) throw new Error("cannot link node_modules");
  await Deno.mkdir(join(root, "tmp"), { recursive: true });
  return { root, remove: () => Deno.remove(root, { recursive: true }) };
}
