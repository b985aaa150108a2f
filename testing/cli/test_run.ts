/** Runs the `newsintel` program as a subprocess for tests, as users run it. */
import { join } from "node:path";
import { toyVectors, vectorsFileText } from "../ml/test_word_vectors.ts";

export const PROJECT_ROOT = new URL("../..", import.meta.url).pathname;

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * The variables Deno itself needs, so a test's environment is otherwise exactly its own, and
 * a small word vectors file in place of the 300 MB package (training stays quick), unless
 * `vectors` is `package` (benchmarks measure the real thing).
 */
export function baseEnv(
  options: { vectors?: "toy" | "package" } = {},
): Record<string, string> {
  const base: Record<string, string> = { NO_COLOR: "1" };
  if (options.vectors !== "package") base.WORD_VECTORS_FILE = toyVectorsFile();
  for (const name of ["PATH", "HOME", "DENO_DIR", "XDG_CACHE_HOME"]) {
    const value = Deno.env.get(name);
    if (value !== undefined) base[name] = value;
  }
  return base;
}

let toyFile: string | undefined;

/** A word vectors file of the toy corpus's words under tmp/ (which `train` may read). */
function toyVectorsFile(): string {
  if (!toyFile) {
    Deno.mkdirSync(join(PROJECT_ROOT, "tmp"), { recursive: true });
    toyFile = join(PROJECT_ROOT, "tmp", `toy-word-vectors-${Deno.pid}.json`);
    Deno.writeTextFileSync(toyFile, vectorsFileText(toyVectors(), 8));
  }
  return toyFile;
}

/** A port nothing listens on right now (the OS picks it). */
export function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  listener.close();
  return port;
}

/** Runs `main.ts ARGS` with only `env` (plus what Deno needs) and collects its output. */
export async function newsintel(args: string[], env: Record<string, string> = {}): Promise<Run> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-all", "main.ts", ...args],
    cwd: PROJECT_ROOT,
    clearEnv: true,
    env: { ...baseEnv(), ...env },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder();
  return { code: out.code, stdout: text.decode(out.stdout), stderr: text.decode(out.stderr) };
}
