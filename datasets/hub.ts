/**
 * Downloads a data set's files from the Hugging Face hub at a pinned revision:
 * lists them with `/api/datasets/{repo}/tree/{revision}` and fetches each from
 * `/datasets/{repo}/resolve/{revision}/{path}` into a local cache folder.
 */
import { dirname, join } from "node:path";

export interface HubDatasetOptions {
  /** Hub base URL, e.g. `https://huggingface.co`. */
  endpoint: string;
  /** `owner/name` (or a bare canonical name such as `ag_news`). */
  repo: string;
  /** Commit sha or tag; required so a seed is reproducible. */
  revision: string;
  /** Keep only files whose path mentions this split (`train`, `test`, ...). */
  split?: string;
  /** Files land under `cacheDir/<repo>/<revision>/`. */
  cacheDir: string;
  /** Bearer token for private data sets. */
  token?: string;
}

export class HubError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "HubError";
  }
}

const DATA_FILE = /\.(parquet|jsonl|ndjson|json|csv)$/i;

interface TreeEntry {
  type: string;
  path: string;
  size?: number;
}

async function hubFetch(url: string, token?: string): Promise<Response> {
  let res: Response;
  try {
    res = await fetch(url, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  } catch (err) {
    throw new HubError(`cannot reach ${new URL(url).origin}: ${(err as Error).message}`);
  }
  if (!res.ok) {
    await res.body?.cancel();
    throw new HubError(
      `${url} answered ${res.status}${
        res.status === 404 ? " (unknown data set, revision or file)" : ""
      }`,
    );
  }
  return res;
}

/** Lists the data files of a data set at a revision. */
export async function listHubDataFiles(options: HubDatasetOptions): Promise<TreeEntry[]> {
  const base = options.endpoint.replace(/\/+$/, "");
  const url = `${base}/api/datasets/${options.repo}/tree/${
    encodeURIComponent(options.revision)
  }?recursive=true`;
  const entries = await (await hubFetch(url, options.token)).json() as TreeEntry[];
  if (!Array.isArray(entries)) throw new HubError(`${url} did not return a file list`);
  const files = entries.filter((e) =>
    e.type === "file" && DATA_FILE.test(e.path) &&
    (!options.split || e.path.split(/[\/._-]/).includes(options.split))
  );
  if (files.length === 0) {
    throw new HubError(
      `${options.repo}@${options.revision} has no data files${
        options.split ? ` for split "${options.split}"` : ""
      }`,
    );
  }
  return files.sort((a, b) => a.path.localeCompare(b.path));
}

/** Downloads the data files (skipping ones already cached) and returns their local paths. */
export async function downloadHubDataset(options: HubDatasetOptions): Promise<string[]> {
  const base = options.endpoint.replace(/\/+$/, "");
  const files = await listHubDataFiles(options);
  const root = join(options.cacheDir, options.repo, options.revision);
  const paths: string[] = [];
  for (const file of files) {
    if (file.path.split("/").includes("..")) throw new HubError(`refusing path ${file.path}`);
    const local = join(root, file.path);
    const cached = await Deno.stat(local).catch(() => null);
    if (!cached || (file.size !== undefined && cached.size !== file.size)) {
      const url = `${base}/datasets/${options.repo}/resolve/${
        encodeURIComponent(options.revision)
      }/${file.path}`;
      const res = await hubFetch(url, options.token);
      await Deno.mkdir(dirname(local), { recursive: true });
      // Write beside the target and rename, so an interrupted download is never mistaken for a file.
      const partial = `${local}.partial`;
      await Deno.writeFile(partial, res.body!);
      await Deno.rename(partial, local);
    }
    paths.push(local);
  }
  return paths;
}
