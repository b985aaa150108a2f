/**
 * A fake Hugging Face hub for tests: serves the two endpoints `datasets/hub.ts`
 * uses (`/api/datasets/{repo}/tree/{revision}` and
 * `/datasets/{repo}/resolve/{revision}/{path}`) on loopback, from files the
 * test makes, and records every request so tests can assert what was asked for.
 */
import { parquetWriteBuffer } from "hyparquet-writer";

export interface FakeHubRepo {
  /** `owner/name` or a bare canonical name. */
  repo: string;
  /** The only revision this repo answers for; any other is a 404, as on the hub. */
  revision: string;
  files: Record<string, Uint8Array<ArrayBuffer>>;
}

export interface FakeHub {
  endpoint: string;
  /** `METHOD /path?query`, in arrival order, with the path as sent (still encoded). */
  requests: string[];
  /** The `authorization` header of each request ("" when absent). */
  authorizations: string[];
  close(): Promise<void>;
}

const notFound = () =>
  Response.json({ error: "Revision Not Found" }, {
    status: 404,
    headers: { "x-error-code": "RevisionNotFound" },
  });

/** Starts the fake hub on 127.0.0.1 at a free port. */
export function startFakeHub(repos: FakeHubRepo[]): FakeHub {
  const requests: string[] = [];
  const authorizations: string[] = [];
  const find = (repo: string, revision: string) =>
    repos.find((r) => r.repo === repo && r.revision === decodeURIComponent(revision));
  const server = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen() {} }, (req) => {
    const url = new URL(req.url);
    requests.push(`${req.method} ${url.pathname}${url.search}`);
    authorizations.push(req.headers.get("authorization") ?? "");
    const tree = /^\/api\/datasets\/(.+)\/tree\/([^/]+)$/.exec(url.pathname);
    if (tree) {
      const repo = find(tree[1], tree[2]);
      if (!repo) return notFound();
      const dirs = new Set(
        Object.keys(repo.files).flatMap((p) =>
          p.split("/").slice(0, -1).map((_, i, parts) => parts.slice(0, i + 1).join("/"))
        ),
      );
      return Response.json([
        ...[...dirs].map((path) => ({ type: "directory", oid: "0", size: 0, path })),
        ...Object.entries(repo.files).map(([path, bytes]) => ({
          type: "file",
          oid: "0",
          size: bytes.byteLength,
          path,
        })),
      ]);
    }
    const resolve = /^\/datasets\/(.+?)\/resolve\/([^/]+)\/(.+)$/.exec(url.pathname);
    if (resolve) {
      const bytes = find(resolve[1], resolve[2])?.files[decodeURIComponent(resolve[3])];
      if (!bytes) return notFound();
      return new Response(bytes, { headers: { "content-type": "application/octet-stream" } });
    }
    return notFound();
  });
  return {
    endpoint: `http://127.0.0.1:${server.addr.port}`,
    requests,
    authorizations,
    close: () => server.shutdown(),
  };
}

/** A parquet file of `text` (string) and `label` (int64) columns, as hub classification sets are. */
export function textLabelParquet(
  rows: Array<{ text: string; label: number }>,
): Uint8Array<ArrayBuffer> {
  return new Uint8Array(parquetWriteBuffer({
    columnData: [
      { name: "text", data: rows.map((r) => r.text), type: "STRING" },
      { name: "label", data: rows.map((r) => BigInt(r.label)), type: "INT64" },
    ],
  }));
}

/** A loopback URL nothing listens on: a port the OS just handed out and took back. */
export function unreachableEndpoint(): string {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  listener.close();
  return `http://127.0.0.1:${port}`;
}
