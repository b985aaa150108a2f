/**
 * The network a `serve` process needs, computed from its configuration: the address it
 * listens on, the database, and — only when configured — the model hub, the MLflow
 * server, the OpenTelemetry collector and the model store's bucket. `serve` runs itself
 * again with `--allow-net` limited to these (see `cli/serve_scope.ts`), so a request to
 * any other host is refused by Deno itself, whatever the code that makes it.
 */
import type { Config } from "./config.ts";
import { isLocalPath } from "./config.ts";

/** The hosts Hugging Face's hub redirects downloads to (its CDN and storage bridges). */
const HUB_CDN_HOSTS = ["*.huggingface.co", "*.hf.co"];

/** `host:port` of an http(s) URL, its scheme's port when none is written. */
function urlHost(url: string): string {
  const u = new URL(url);
  const port = u.port || (u.protocol === "https:" ? "443" : "80");
  return `${u.hostname}:${port}`;
}

/** The hosts of a postgres:// URL (postgres.js takes `host1:5432,host2:5433`). */
function databaseHosts(dbUrl: string): string[] {
  if (!/^postgres(ql)?:\/\//.test(dbUrl)) return [];
  const authority = dbUrl.replace(/^postgres(ql)?:\/\//, "").split(/[/?#]/)[0];
  const hosts = authority.slice(authority.lastIndexOf("@") + 1) || "localhost";
  return hosts.split(",").map((h) => {
    const ipv6 = /^\[([^\]]+)\](?::(\d+))?$/.exec(h);
    if (ipv6) return `[${ipv6[1]}]:${ipv6[2] || "5432"}`;
    const [name, port] = h.split(":");
    return `${name || "localhost"}:${port || "5432"}`;
  });
}

/** Whether a model reference names a hub repository (not a local directory). */
function isHubModel(ref: string | undefined): boolean {
  return ref !== undefined && !isLocalPath(ref);
}

/**
 * The `--allow-net` list for `serve` under `config` (see the module header). `port` is
 * the port it listens on (default the configured one; with port 0 any port of the host).
 */
export function egressHosts(config: Config, port = config.port): string[] {
  const hosts = [port ? `${config.host}:${port}` : config.host];
  hosts.push(...databaseHosts(config.dbUrl));
  if (isHubModel(config.hfModel) || isHubModel(config.summarizerModel)) {
    hosts.push(urlHost(config.hfEndpoint));
    if (new URL(config.hfEndpoint).hostname === "huggingface.co") hosts.push(...HUB_CDN_HOSTS);
  }
  if (config.mlflowTrackingUri && /^https?:/.test(config.mlflowTrackingUri)) {
    hosts.push(urlHost(config.mlflowTrackingUri));
  }
  if (config.otlpEndpoint) hosts.push(urlHost(config.otlpEndpoint));
  const store = config.modelStore;
  if (store) {
    if (store.endpoint) hosts.push(urlHost(store.endpoint));
    else {
      hosts.push(
        `${store.bucket}.s3.${store.region}.amazonaws.com:443`,
        `s3.${store.region}.amazonaws.com:443`,
      );
    }
    // Without keys the SDK asks the platform for credentials: the instance metadata
    // service, the container credentials endpoint, or STS for a web identity.
    if (!store.accessKeyId) {
      hosts.push("169.254.169.254:80", "169.254.170.2:80", `sts.${store.region}.amazonaws.com:443`);
    }
  }
  return [...new Set(hosts)];
}

/** Whether this process may reach any host (`--allow-net` without a list, or `-A`). */
export function netUnscoped(): boolean {
  return Deno.permissions.querySync({ name: "net" }).state === "granted";
}
