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
} from "./testdata/fake_hub.ts";

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
    await assert.rejects(() => downloadHubDataset({ ...options, revision: "v9.9.9" }), (err) => {
      assert.ok(err instanceof HubError);
      assert.match(err.message, /answered 404 \(unknown data set, revision or file\)/);
      assert.match(err.message, /tree\/v9\.9\.9/);
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

Deno.test("downloadHubDataset() encodes a revision with slashes (the hub's refs/convert/parquet)", async () => {
  const hub = startFakeHub([{
    repo: "owner/news",
    revision: "refs/convert/parquet",
    files: { "default/train/0000.parquet": textLabelParquet(trainRows) },
  }]);
  const cacheDir = await Deno.makeTempDir();
  try {
    const paths = await downloadHubDataset({
      endpoint: hub.endpoint,
      repo: "owner/news",
      revision: "refs/convert/parquet",
      cacheDir,
    });
    assert.equal(paths.length, 1);
    assert.deepEqual(hub.requests, [
      "GET /api/datasets/owner/news/tree/refs%2Fconvert%2Fparquet?recursive=true",
      "GET /datasets/owner/news/resolve/refs%2Fconvert%2Fparquet/default/train/0000.parquet",
    ]);
  } finally {
    await hub.close();
    await Deno.remove(cacheDir, { recursive: true });
  }
});
