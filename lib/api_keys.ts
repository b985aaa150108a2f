/**
 * API keys: how `API_KEY` and `API_KEYS` name keys and give them roles, which key
 * lists are refused (short keys, repeated names) and which keys `serve` warns about.
 */
import { ConfigError } from "./config_env.ts";

/** What a key may do: reviewers read and review; admins also change what everyone sees. */
export type Role = "reviewer" | "admin";

/**
 * `API_KEYS` entry: `name:admin=key`, `name:reviewer=key`, `name=key` (a
 * reviewer) or a bare `key` (a reviewer named `key1`, `key2`, ...).
 */
export interface ApiKey {
  name: string;
  key: string;
  role: Role;
}

/** The shortest API key accepted. */
export const MIN_API_KEY_LENGTH = 16;

/** The strength below which a key is called weak (see {@link weakApiKeys}). */
const WEAK_KEY_BITS = 80;

/**
 * Parses `API_KEY` (the single key: an admin named `default`) and `API_KEYS`
 * (`;`-separated entries `name:admin=key`, `name:reviewer=key`, `name=key` or
 * `key`; the last two are reviewers). Throws `ConfigError` on an unknown role.
 */
export function parseApiKeys(single?: string, list?: string): ApiKey[] {
  const { keys, problems } = readApiKeys(single, list);
  if (problems.length > 0) throw new ConfigError(problems);
  return keys;
}

/** Reads the keys, and the problems with their roles (not thrown: `loadConfig` gathers them). */
export function readApiKeys(
  single?: string,
  list?: string,
): { keys: ApiKey[]; problems: string[] } {
  const keys: ApiKey[] = [];
  const problems: string[] = [];
  if (single) keys.push({ name: "default", key: single, role: "admin" });
  for (const [i, raw] of (list ?? "").split(";").entries()) {
    const entry = raw.trim();
    if (!entry) continue;
    // `name[:role]=key` only when the name looks like a name and the rest is more
    // than padding, so a bare base64 key ending in "=" is never split (nor its
    // head ever shown as a "name" in an error message).
    const named = /^([A-Za-z][\w.-]{0,63})(?::([A-Za-z]{1,16}))?=(.*[^=\s].*)$/.exec(entry);
    if (!named) {
      keys.push({ name: `key${i + 1}`, key: entry, role: "reviewer" });
      continue;
    }
    const role = (named[2] ?? "reviewer").toLowerCase();
    if (role !== "reviewer" && role !== "admin") {
      problems.push(
        `API_KEYS: the key named "${named[1]}" has role "${role}"; use admin or reviewer`,
      );
    }
    keys.push({
      name: named[1],
      key: named[3].trim(),
      role: role === "admin" ? "admin" : "reviewer",
    });
  }
  return { keys, problems };
}

/** Keys shorter than {@link MIN_API_KEY_LENGTH} and repeated names, as problems to report. */
export function apiKeyListProblems(keys: ApiKey[]): string[] {
  const problems: string[] = [];
  for (const k of keys) {
    if (k.key.length < MIN_API_KEY_LENGTH) {
      problems.push(
        `API_KEYS: the key named "${k.name}" is shorter than ${MIN_API_KEY_LENGTH} characters ` +
          "(make one with: openssl rand -hex 24)",
      );
    }
  }
  const names = keys.map((k) => k.name);
  if (new Set(names).size !== names.length) problems.push("API_KEYS: key names must be unique");
  return problems;
}

/**
 * The names of keys that look weak: few distinct characters for their length
 * (`aaaaaaaaaaaaaaaa`, `abababab…`, a short hex string). Their strength is taken
 * as length × log2(distinct characters) — the most a key drawn at random from
 * the characters it uses could have — and under 80 bits is weak. Such keys are
 * accepted (the length rule is the hard limit) but `serve` warns about them.
 */
export function weakApiKeys(keys: ApiKey[]): string[] {
  return keys.filter((k) => {
    const distinct = new Set(k.key).size;
    return k.key.length * Math.log2(Math.max(distinct, 1)) < WEAK_KEY_BITS;
  }).map((k) => k.name);
}
