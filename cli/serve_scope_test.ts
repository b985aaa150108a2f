/**
 * `serve` started as `deno task start` starts it (unscoped `--allow-net`) runs itself again
 * with network access limited to what its configuration names: a request to another host
 * is refused by Deno, before anything is sent, whatever code makes it.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { startFlags } from "../lib/self_command.ts";
import { baseEnv, freePort, PROJECT_ROOT } from "../testing/cli/test_run.ts";
import { scopedEnv } from "./serve_scope.ts";

/** A loopback HTTP server that records the paths it was asked for. */
function recorder(hostname: string, answer: (req: Request) => Response) {
  const paths: string[] = [];
  const server = Deno.serve({ hostname, port: 0, onListen: () => {} }, (req) => {
    paths.push(new URL(req.url).pathname);
    return answer(req);
  });
  return { server, paths, url: `http://${hostname}:${server.addr.port}` };
}

Deno.test("serve narrows --allow-net to its configuration: a redirect to another host is refused by Deno", async () => {
  // Another loopback address: the host no configuration names.
  const elsewhere = recorder("127.0.0.2", () => new Response("{}"));
  // The configured hub answers every download with a redirect to that host, as a hub
  // redirects to its CDN.
  const hub = recorder(
    "127.0.0.1",
    (req) => Response.redirect(`${elsewhere.url}${new URL(req.url).pathname}`, 302),
  );
  const dir = join("tmp", `serve-scope-${crypto.randomUUID().slice(0, 8)}`);
  await Deno.mkdir(join(PROJECT_ROOT, dir), { recursive: true });
  try {
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["run", ...await startFlags(), "main.ts", "serve"],
      cwd: PROJECT_ROOT,
      clearEnv: true,
      env: {
        ...baseEnv(),
        HOST: "127.0.0.1",
        PORT: String(freePort()),
        DATA_DIR: dir,
        MODEL_DIR: join(dir, "models"),
        SEED_ON_EMPTY: "false",
        API_KEY: "serve-scope-test-key-01",
        HF_ENDPOINT: hub.url,
        HF_MODEL: "acme/news-topics",
        HF_MODEL_REVISION: "0123456789abcdef0123456789abcdef01234567",
      },
      stdin: "null",
      stdout: "null",
      stderr: "piped",
    }).output();
    const stderr = new TextDecoder().decode(out.stderr);
    assert.notEqual(out.code, 0, stderr);
    assert.match(stderr, /network access limited to 127\.0\.0\.1:\d+,127\.0\.0\.1:\d+/);
    // The hub was asked; the redirect's target never was: Deno refused to connect.
    assert.ok(hub.paths.length > 0, stderr);
    assert.deepEqual(elsewhere.paths, []);
    assert.match(stderr, /NotCapable|Requires net access to "127\.0\.0\.2:\d+"/);
  } finally {
    await hub.server.shutdown();
    await elsewhere.server.shutdown();
    await Deno.remove(join(PROJECT_ROOT, dir), { recursive: true }).catch(() => {});
  }
});

Deno.test("the serving copy runs with 2 malloc arenas and a fixed mmap threshold unless the environment sets them", () => {
  assert.deepEqual(scopedEnv(() => undefined), {
    NEWSINTEL_NET_SCOPED: "1",
    MALLOC_ARENA_MAX: "2",
    MALLOC_MMAP_THRESHOLD_: "131072",
  });
  const set: Record<string, string> = { MALLOC_ARENA_MAX: "4", MALLOC_MMAP_THRESHOLD_: "65536" };
  const env = scopedEnv((name) => set[name]);
  assert.equal(env.MALLOC_ARENA_MAX, "4");
  assert.equal(env.MALLOC_MMAP_THRESHOLD_, "65536");
});
