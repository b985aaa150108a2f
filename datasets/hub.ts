/**
 * Downloads a data set's files from the Hugging Face hub at a pinned commit:
 * lists them with `/api/datasets/{repo}/tree/{revision}` and fetches each from
 * `/datasets/{repo}/resolve/{revision}/{path}` into a local cache folder. Only
 * full commit ids are accepted (a branch or tag can move under the pin), and
 * each file is capped in size: by its listed size and Content-Length first,
 * then by the bytes actually received.
 */
import { dirname, join } from "node:path";
import {
  capResponse,
  COMMIT_ID,
  DownloadTooLargeError,
  MAX_DOWNLOAD_BYTES,
} from "../ml/hub_fetch.ts";

export interface HubDatasetOptions {
  /** Hub base URL, e.g. `https://huggingface.co`. */
  endpoint: string;
  /** `owner/name` (or a bare canonical name such as `ag_news`). */
  repo: string;
  /** Full 40-character commit id, so a seed is reproducible. */
  revision: string;
  /** Keep only files whose path mentions this split (`train`, `test`, ...). */
  split?: string;
  /** Files land under `cacheDir/<repo>/<revision>/`. */
  cacheDir: string;
  /** Bearer token for private data sets. */
  token?: string;
  /** Largest file to download, in bytes (default {@link MAX_DOWNLOAD_BYTES}). */
  maxBytes?: number;
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

function checkRevision(revision: string): void {
  if (!COMMIT_ID.test(revision)) {
    throw new HubError(
      `revision "${revision}" is not a full 40-character commit id; a branch or tag can move, ` +
        "so pin the commit (the hub shows it on the data set's history page)",
    );
  }
}

/** Lists the data files of a data set at a revision. */
export async function listHubDataFiles(options: HubDatasetOptions): Promise<TreeEntry[]> {
  checkRevision(options.revision);
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

/**
 * Downloads the data files (skipping ones already cached) and returns their local paths.
 * A file over `maxBytes` is refused with a {@link HubError}, leaving no file behind.
 */
export async function downloadHubDataset(options: HubDatasetOptions): Promise<string[]> {
  const base = options.endpoint.replace(/\/+$/, "");
  const maxBytes = options.maxBytes ?? MAX_DOWNLOAD_BYTES;
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
      if (file.size !== undefined && file.size > maxBytes) {
        throw new HubError(new DownloadTooLargeError(url, maxBytes).message);
      }
      await download(url, local, maxBytes, options.token);
    }
    paths.push(local);
  }
  return paths;
}

/** Streams `url` to `local` through a `.partial` file, removed if anything goes wrong. */
async function download(url: string, local: string, maxBytes: number, token?: string) {
  await Deno.mkdir(dirname(local), { recursive: true });
  // Write beside the target and rename, so an interrupted download is never mistaken for a file.
  const partial = `${local}.partial`;
  try {
    const res = capResponse(await hubFetch(url, token), url, maxBytes);
    await Deno.writeFile(partial, res.body!);
    await Deno.rename(partial, local);
  } catch (e) {
    await Deno.remove(partial).catch(() => {});
    if (e instanceof DownloadTooLargeError) throw new HubError(e.message);
    throw e;
  }
}
