/**
 * The API's one cursor codec, for every keyset-paginated listing. A cursor is
 * opaque to clients: unpadded base64 of `TAG:VALUE:VALUE...`, where the tag
 * names the listing (so one listing refuses another's cursor) and the values
 * are where the previous page ended. Decoding checks the values against the
 * listing's shape; anything else is the 422 `invalidCursor`.
 *
 * @example
 * ```ts
 * const ITEMS = cursorShape("r", cursorNumber, cursorId);
 * const next = encodeCursor(ITEMS, [0.25, 42]);
 * const [margin, id] = decodeCursor(next, ITEMS);
 * ```
 */
import { z } from "@hono/zod-openapi";
import { AppError } from "../../lib/errors.ts";

export type CursorValue = number | string;

/** One value of a cursor: parses the text it was written as. */
export type CursorPart = z.ZodType<CursorValue, string>;

/** A listing's cursor: its tag and the parts of its values, in order. */
export interface CursorShape<P extends readonly CursorPart[]> {
  tag: string;
  parts: P;
}

/** The values a cursor of `P` carries. */
export type CursorValues<P extends readonly CursorPart[]> = { [K in keyof P]: z.output<P[K]> };

/** An id: up to 16 digits. */
export const cursorId = z.string().regex(/^\d{1,16}$/).transform(Number);

/** A finite number (a score or a margin). */
export const cursorNumber = z.string().regex(/^-?[\d.e+-]{1,32}$/).transform(Number).pipe(
  z.number(), // refuses NaN and ±Infinity
);

/** Text, up to `max` characters (written percent-encoded). */
export const cursorText = (max: number) =>
  z.string().transform((s, ctx) => {
    try {
      return decodeURIComponent(s);
    } catch {
      ctx.addIssue({ code: "custom", message: "malformed escape" });
      return z.NEVER;
    }
  }).pipe(z.string().max(max));

/** The cursor of a listing tagged `tag`, whose values are `parts`. */
export function cursorShape<const P extends readonly CursorPart[]>(
  tag: string,
  ...parts: P
): CursorShape<P> {
  return { tag, parts };
}

/** The cursor that resumes a listing of `shape` after `values`. */
export function encodeCursor<P extends readonly CursorPart[]>(
  shape: CursorShape<P>,
  values: CursorValues<P>,
): string {
  // Text is percent-encoded, so it holds no `:` and base64 sees only ASCII.
  const parts = (values as readonly CursorValue[]).map((v) =>
    typeof v === "number" ? String(v) : encodeURIComponent(v)
  );
  return btoa([shape.tag, ...parts].join(":")).replace(/=+$/, "");
}

/** The values `cursor` carries, or the 422 `invalidCursor` when it is not a cursor of `shape`. */
export function decodeCursor<P extends readonly CursorPart[]>(
  cursor: string,
  shape: CursorShape<P>,
): CursorValues<P> {
  const values = tryDecode(cursor, shape);
  if (!values) throw new AppError(422, "invalidCursor", "The cursor is not one this API returned.");
  return values as CursorValues<P>;
}

function tryDecode(cursor: string, shape: CursorShape<readonly CursorPart[]>) {
  let decoded: string;
  try {
    decoded = atob(cursor);
  } catch {
    return null; // not base64
  }
  const [tag, ...parts] = decoded.split(":");
  if (tag !== shape.tag || parts.length !== shape.parts.length) return null;
  const values: CursorValue[] = [];
  for (const [i, part] of shape.parts.entries()) {
    const parsed = part.safeParse(parts[i]);
    if (!parsed.success) return null;
    values.push(parsed.data);
  }
  return values;
}
