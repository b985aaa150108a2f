/**
 * Request bodies for the adversarial suite built from a route's JSON schema (as the
 * OpenAPI document gives it): the smallest valid body, each leaf swept over hostile
 * values, and fast-check bodies with hostile leaves and extra keys, so a field added to
 * the API is attacked without touching the suite. The values themselves: testing/routes/hostile.ts.
 */
import fc from "fast-check";
import { HOSTILE_DATES, HOSTILE_STRINGS, hostileText, JSON_NUMBERS } from "./hostile.ts";

/** A JSON schema node as the OpenAPI document gives it. */
export type Schema = {
  $ref?: string;
  type?: string | string[];
  format?: string;
  enum?: unknown[];
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  anyOf?: Schema[];
  oneOf?: Schema[];
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  default?: unknown;
};

/** Resolves `$ref`s against the OpenAPI document's components. */
export function resolver(components: Record<string, Schema>): (s: Schema) => Schema {
  const resolve = (s: Schema): Schema =>
    s.$ref ? resolve(components[s.$ref.replace("#/components/schemas/", "")]) : s;
  return resolve;
}

const typeOf = (s: Schema): string | undefined =>
  Array.isArray(s.type) ? s.type.find((t) => t !== "null") : s.type;

/** The smallest value the schema accepts, with prose where a string is free. */
export function validOf(schema: Schema, resolve: (s: Schema) => Schema): unknown {
  const s = resolve(schema);
  const alt = s.anyOf ?? s.oneOf;
  if (alt) return validOf(alt.find((a) => typeOf(resolve(a)) !== "null") ?? alt[0], resolve);
  if (s.enum) return s.enum[0];
  if (s.default !== undefined) return s.default;
  switch (typeOf(s)) {
    case "object":
      return Object.fromEntries(
        (s.required ?? []).map((k) => [k, validOf(s.properties![k], resolve)]),
      );
    case "array":
      return Array.from({ length: Math.max(1, s.minItems ?? 1) }, () => validOf(s.items!, resolve));
    case "integer":
    case "number":
      return Math.min(s.maximum ?? Infinity, Math.max(s.minimum ?? 1, 1));
    case "boolean":
      return true;
    case "string": {
      if (s.format === "date-time") return "2024-01-01T00:00:00Z";
      if (s.format === "uri" || s.format === "url") return "https://example.com/a";
      const prose = "Markets rallied on Tuesday. Shares rose after the report.";
      return prose.slice(0, s.maxLength ?? prose.length).padEnd(s.minLength ?? 0, "x");
    }
    default:
      return null;
  }
}

/** Every leaf under a schema (each property, an array's first item), with its kind. */
export function leavesOf(
  schema: Schema,
  resolve: (s: Schema) => Schema,
  path: (string | number)[] = [],
  depth = 0,
): { path: (string | number)[]; kind: "string" | "number" | "other" }[] {
  const s = resolve(schema);
  const alt = s.anyOf ?? s.oneOf;
  if (alt) return leavesOf(alt.find((a) => typeOf(resolve(a)) !== "null") ?? alt[0], resolve, path);
  if (depth > 6) return [];
  const t = typeOf(s);
  if (t === "object") {
    return Object.entries(s.properties ?? {}).flatMap(([k, v]) =>
      leavesOf(v, resolve, [...path, k], depth + 1)
    );
  }
  if (t === "array" && s.items) return leavesOf(s.items, resolve, [...path, 0], depth + 1);
  const kind = t === "string" && !s.enum
    ? "string"
    : t === "integer" || t === "number"
    ? "number"
    : "other";
  return [{ path, kind }];
}

/** A copy of `value` with the leaf at `path` set (creating what is missing on the way). */
export function withLeaf(value: unknown, path: (string | number)[], leaf: unknown): unknown {
  if (path.length === 0) return leaf;
  const [head, ...rest] = path;
  const base = typeof head === "number"
    ? (Array.isArray(value) ? [...value] : [])
    : (value && typeof value === "object" && !Array.isArray(value) ? { ...value } : {});
  const child = (base as Record<string | number, unknown>)[head];
  (base as Record<string | number, unknown>)[head] = withLeaf(child, rest, leaf);
  return base;
}

/** The hostile values a leaf of the given kind is swept over. */
export function leafValues(kind: "string" | "number" | "other"): readonly unknown[] {
  if (kind === "number") return JSON_NUMBERS;
  const heavy = [
    HOSTILE_STRINGS[0],
    HOSTILE_STRINGS[1],
    HOSTILE_STRINGS[2],
    HOSTILE_STRINGS[4],
    "\ud800",
    "\u0000",
    "",
  ];
  return kind === "string" ? heavy : [...heavy.slice(3), 1e308, [], {}, null];
}

/** Bodies shaped by the schema, valid or nearly, with hostile leaves and extra keys. */
export function bodyArbitrary(
  schema: Schema,
  resolve: (s: Schema) => Schema,
  depth = 0,
): fc.Arbitrary<unknown> {
  const s = resolve(schema);
  const alt = s.anyOf ?? s.oneOf;
  if (alt) return fc.oneof(...alt.map((a) => bodyArbitrary(a, resolve, depth + 1)));
  const valid = fc.constant(validOf(s, resolve));
  const junk = fc.oneof(
    fc.constantFrom(...JSON_NUMBERS),
    hostileText,
    fc.constantFrom(null, true, [], {}),
  );
  const typed = (() => {
    if (s.enum) return fc.constantFrom(...s.enum);
    switch (typeOf(s)) {
      case "object": {
        const props = Object.fromEntries(
          Object.entries(s.properties ?? {}).map((
            [k, v],
          ) => [k, bodyArbitrary(v, resolve, depth + 1)]),
        );
        return fc.tuple(
          fc.record(props, { requiredKeys: s.required ?? [] }),
          fc.dictionary(fc.constantFrom("__proto__", "constructor", "x", "0"), junk, {
            maxKeys: 2,
          }),
        ).map(([known, extra]) => ({ ...extra, ...known }));
      }
      case "array":
        return fc.oneof(
          fc.array(bodyArbitrary(s.items!, resolve, depth + 1), { maxLength: 4 }),
          fc.integer({ min: 1_000, max: 20_000 }).map((n) =>
            Array.from({ length: n }, () => validOf(s.items!, resolve))
          ),
        );
      case "integer":
      case "number":
        return fc.oneof(fc.constantFrom(...JSON_NUMBERS), fc.integer(), fc.double());
      case "string":
        return s.format === "date-time" ? fc.constantFrom(...HOSTILE_DATES) : hostileText;
      default:
        return junk;
    }
  })();
  return depth > 4 ? valid : fc.oneof(
    { weight: 2, arbitrary: valid },
    { weight: 5, arbitrary: typed },
    { weight: 1, arbitrary: junk },
  );
}
