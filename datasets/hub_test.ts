import assert from "node:assert/strict";
import { join } from "node:path";
import { downloadHubDataset, type HubDatasetOptions, HubError, listHubDataFiles } from "./hub.ts";
import { readParquet } from "./parquet.ts";
import { AG_NEWS_LABELS } from "./records.ts";
import {
  type FakeHub,
  startFakeHub,
  textLabelParquet,
  unreachableEndpoint,
} from "../testing/datasets/fake_hub.ts";

const REVISION = "0123456789abcdef0123456789abcdef01234567";
const TRAIN = "plain_text/train-00000-of-00001.parquet";
const TEST = "plain_text/test-00000-of-00001.parquet";

const trainRows = [
  { text: "Oil hits record . Crude rose again.", label: 2 },
  { text: "Federer wins . The Swiss won the final.", label: 1 },
];
const testRows = [{ text: "Rover finds water . NASA said so.", label: 3 }];

async function withHub(
  fn: (hub: FakeHub, options: HubDatasetOptions) => Promise<void>,
  files: Record<string, Uint8Array<ArrayBuffer>> = {
    [TRAIN]: textLabelParquet(trainRows),
    [TEST]: textLabelParquet(testRows),
    "README.md": new TextEncoder().encode("# AG News\n"),
    ".gitattributes": new TextEncoder().encode("*.parquet filter=lfs\n"),
  },
): Promise<void> {
  const hub = startFakeHub([{ repo: "fancyzhx/ag_news", revision: REVISION, files }]);
  const cacheDir = await Deno.makeTempDir();
  try {
    await fn(hub, {
      endpoint: hub.endpoint,
      repo: "fancyzhx/ag_news",
      revision: REVISION,
      cacheDir,
    });
  } finally {
    await hub.close();
    await Deno.remove(cacheDir, { recursive: true });
  }
}

const resolves = (hub: FakeHub) => hub.requests.filter((r) => r.includes("/resolve/"));

Deno.test("downloadHubDataset() asks only for the pinned revision and fetches the data files", async () => {
  await withHub(async (hub, options) => {
    const paths = await downloadHubDataset(options);
    assert.deepEqual(paths, [
      join(options.cacheDir, "fancyzhx/ag_news", REVISION, TEST),
      join(options.cacheDir, "fancyzhx/ag_news", REVISION, TRAIN),
    ]);
    assert.deepEqual(hub.requests, [
      `GET /api/datasets/fancyzhx/ag_news/tree/${REVISION}?recursive=true`,
      `GET /datasets/fancyzhx/ag_news/resolve/${REVISION}/${TEST}`,
      `GET /datasets/fancyzhx/ag_news/resolve/${REVISION}/${TRAIN}`,
    ]);
    assert.ok(hub.authorizations.every((a) => a === ""), "no token, no authorization header");
  });
});

Deno.test("downloadHubDataset() keeps only the requested split", async () => {
  await withHub(async (hub, options) => {
    const [path, ...rest] = await downloadHubDataset({ ...options, split: "train" });
    assert.deepEqual(rest, []);
    assert.ok(path.endsWith(TRAIN));
    assert.deepEqual(resolves(hub), [
      `GET /datasets/fancyzhx/ag_news/resolve/${REVISION}/${TRAIN}`,
    ]);
    const labels: string[] = [];
    for await (const r of readParquet(path, AG_NEWS_LABELS)) labels.push(r.label!);
    assert.deepEqual(labels, ["Business", "Sports"]);
  });
});

Deno.test("downloadHubDataset() serves a second call from the cache without downloading", async () => {
  await withHub(async (hub, options) => {
    const first = await downloadHubDataset(options);
    const before = resolves(hub).length;
    const second = await downloadHubDataset(options);
    assert.deepEqual(second, first);
    assert.equal(before, 2);
    assert.equal(resolves(hub).length, before, "no resolve request the second time");
  });
});

Deno.test("downloadHubDataset() downloads again a cached file whose size does not match", async () => {
  await withHub(async (hub, options) => {
    const [path] = await downloadHubDataset({ ...options, split: "train" });
    const good = await Deno.readFile(path);
    await Deno.writeFile(path, good.slice(0, 10)); // a truncated copy
    await downloadHubDataset({ ...options, split: "train" });
    assert.equal(resolves(hub).length, 2);
    assert.deepEqual(await Deno.readFile(path), good);
  });
});

Deno.test("downloadHubDataset() sends the token as a bearer authorization", async () => {
  await withHub(async (hub, options) => {
    await downloadHubDataset({ ...options, split: "test", token: "hf_test_token" });
    assert.ok(hub.authorizations.length >= 2);
    assert.ok(hub.authorizations.every((a) => a === "Bearer hf_test_token"));
  });
});

Deno.test("downloadHubDataset() fails with a HubError mentioning 404 for an unknown revision", async () => {
  await withHub(async (hub, options) => {
    const unknown = "f".repeat(40);
    await assert.rejects(() => downloadHubDataset({ ...options, revision: unknown }), (err) => {
      assert.ok(err instanceof HubError);
      assert.match(err.message, /answered 404 \(unknown data set, revision or file\)/);
      assert.match(err.message, new RegExp(`tree/${unknown}`));
      return true;
    });
    assert.deepEqual(resolves(hub), []);
  });
});

Deno.test("downloadHubDataset() fails with a HubError mentioning 404 for an unknown data set", async () => {
  await withHub(async (_hub, options) => {
    await assert.rejects(
      () => downloadHubDataset({ ...options, repo: "nobody/nothing" }),
      (err) => err instanceof HubError && /404/.test(err.message),
    );
  });
});

Deno.test("downloadHubDataset() gives a clear HubError when the hub cannot be reached", async () => {
  const cacheDir = await Deno.makeTempDir();
  const endpoint = unreachableEndpoint();
  try {
    await assert.rejects(
      () =>
        downloadHubDataset({ endpoint, repo: "fancyzhx/ag_news", revision: REVISION, cacheDir }),
      (err) => {
        assert.ok(err instanceof HubError);
        assert.match(err.message, new RegExp(`^cannot reach ${endpoint.replaceAll(".", "\\.")}: `));
        return true;
      },
    );
  } finally {
    await Deno.remove(cacheDir, { recursive: true });
  }
});

Deno.test("listHubDataFiles() names the split when no file belongs to it", async () => {
  await withHub(async (_hub, options) => {
    await assert.rejects(() => listHubDataFiles({ ...options, split: "validation" }), {
      name: "HubError",
      message: `fancyzhx/ag_news@${REVISION} has no data files for split "validation"`,
    });
  });
});

Deno.test("listHubDataFiles() lists data files only, not folders, README or .gitattributes", async () => {
  await withHub(async (_hub, options) => {
    const files = await listHubDataFiles(options);
    assert.deepEqual(files.map((f) => f.path), [TEST, TRAIN]);
  });
});

Deno.test("downloadHubDataset() refuses a listed path that climbs out of the cache", async () => {
  await withHub(
    async (_hub, options) => {
      await assert.rejects(() => downloadHubDataset(options), {
        name: "HubError",
        message: "refusing path ../../escape.parquet",
      });
    },
    { "../../escape.parquet": textLabelParquet(testRows) },
  );
});

Deno.test("downloadHubDataset() refuses a branch, tag or short revision before asking the hub", async () => {
  await withHub(async (hub, options) => {
    for (
      const revision of [
        "main",
        "v1.0.0",
        "refs/convert/parquet",
        "0123abc",
        REVISION.toUpperCase(),
      ]
    ) {
      await assert.rejects(() => downloadHubDataset({ ...options, revision }), (err) => {
        assert.ok(err instanceof HubError, revision);
        assert.match(err.message, /full 40-character commit id/);
        return true;
      });
    }
    assert.deepEqual(hub.requests, []);
  });
});

/** Names and sizes of the files under `dir`, recursively. */
async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for await (const e of Deno.readDir(dir)) {
    if (e.isDirectory) {
      out.push(...(await filesUnder(join(dir, e.name))).map((f) => `${e.name}/${f}`));
    } else out.push(e.name);
  }
  return out.sort();
}

Deno.test("downloadHubDataset() refuses a file over the size cap and leaves no file", async () => {
  await withHub(async (hub, options) => {
    await assert.rejects(() => downloadHubDataset({ ...options, maxBytes: 32 << 10 }), (err) => {
      assert.ok(err instanceof HubError);
      assert.match(err.message, /larger than 32768 bytes/);
      return true;
    });
    assert.deepEqual(resolves(hub), [], "refused on the listed size, before downloading");
    assert.deepEqual(await filesUnder(options.cacheDir), []);
  }, { [TRAIN]: new Uint8Array(64 << 10) });
});

Deno.test("downloadHubDataset() counts the bytes it receives, whatever the hub says", async () => {
  // A hub that lists a small file, then streams 256 KiB without a Content-Length.
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (req) => {
    if (new URL(req.url).pathname.startsWith("/api/")) {
      return Response.json([{ type: "file", path: TRAIN, size: 10 }]);
    }
    let sent = 0;
    return new Response(
      new ReadableStream({
        pull(controller) {
          if (sent >= 256 << 10) return controller.close();
          sent += 16 << 10;
          controller.enqueue(new Uint8Array(16 << 10));
        },
      }),
    );
  });
  const cacheDir = await Deno.makeTempDir();
  try {
    await assert.rejects(
      () =>
        downloadHubDataset({
          endpoint: `http://127.0.0.1:${server.addr.port}`,
          repo: "fancyzhx/ag_news",
          revision: REVISION,
          cacheDir,
          maxBytes: 64 << 10,
        }),
      (err) => err instanceof HubError && /larger than 65536 bytes/.test(err.message),
    );
    assert.deepEqual(await filesUnder(cacheDir), [], "the partial file is gone");
  } finally {
    await server.shutdown();
    await Deno.remove(cacheDir, { recursive: true });
  }
});
