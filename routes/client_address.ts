/**
 * Who is asking: the client address every limit is keyed by. It is the
 * socket's address, or — only when the socket is one of `TRUSTED_PROXIES` —
 * the right-most `X-Forwarded-For` entry that is not itself a trusted proxy.
 * Anything else a client sends about its address is ignored, so rotating
 * `X-Forwarded-For` gets an attacker nothing.
 */
import { BlockList, isIP } from "node:net";
import type { Context } from "hono";

/** The connection info `serve` passes as the app's env (see cli/serve.ts). */
export interface ConnEnv {
  remoteAddr?: { hostname?: string; port?: number; transport?: string };
}

/** How many `X-Forwarded-For` entries are looked at, right to left (bounded work). */
const MAX_FORWARDED_HOPS = 16;

/** The address the request's socket comes from, if the server said. */
export function socketAddress(c: Context): string | undefined {
  return (c.env as ConnEnv | undefined)?.remoteAddr?.hostname || undefined;
}

/** A set of addresses and CIDR ranges (`10.0.0.0/8`, `::1`), IPv4-mapped IPv6 included. */
export function addressSet(entries: string[]): (addr: string | undefined) => boolean {
  // No TRUSTED_PROXIES (the default) is asked about on every keyed request: node's
  // BlockList parses the address into a SocketAddress for each check.
  if (entries.length === 0) return () => false;
  const list = new BlockList();
  for (const entry of entries) {
    const [addr, bits] = entry.split("/");
    const type = isIP(addr) === 6 ? "ipv6" : "ipv4";
    if (bits === undefined) list.addAddress(addr, type);
    else list.addSubnet(addr, Number(bits), type);
  }
  return (addr) => {
    const family = addr ? isIP(addr) : 0;
    return family !== 0 && list.check(addr!, family === 6 ? "ipv6" : "ipv4");
  };
}

const loopback = addressSet(["127.0.0.0/8", "::1"]);

/** True for 127.0.0.0/8 and ::1 (also written as IPv4-mapped IPv6). */
export function isLoopback(addr: string | undefined): boolean {
  return loopback(addr);
}

/**
 * Makes the function that names a request's client (see the module header);
 * `"unknown"` when the server gave no socket address.
 */
export function clientAddress(trustedProxies: string[]): (c: Context) => string {
  const trusted = addressSet(trustedProxies);
  return (c) => {
    const socket = socketAddress(c);
    if (!socket || !trusted(socket)) return socket ?? "unknown";
    const hops = (c.req.header("x-forwarded-for") ?? "").split(",").map((h) => h.trim())
      .filter(Boolean).slice(-MAX_FORWARDED_HOPS);
    for (let i = hops.length - 1; i >= 0; i--) {
      if (!trusted(hops[i])) return hops[i].slice(0, 64);
    }
    return hops[0] ?? socket;
  };
}

/**
 * True when the request comes from this machine: its socket is loopback and no
 * proxy forwarded it for someone else (a proxy on this host would otherwise make
 * every request it passes on look local).
 */
export function isLocalRequest(c: Context): boolean {
  const forwarded = ["x-forwarded-for", "forwarded", "x-real-ip"].some((h) =>
    c.req.header(h) !== undefined
  );
  return !forwarded && isLoopback(socketAddress(c));
}
