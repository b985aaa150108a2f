/**
 * What a service answers instead of throwing an HTTP error, as `db/` does: its value, or a
 * refusal naming why (a camelCase code and a message for people). Services never pick an
 * HTTP status: routes turn refusals into HTTP errors (`routes/refusals.ts`), CLI commands
 * into the line they print.
 */

/** A service's answer: `{ ok: true, value }`, or a {@link Refusal} with one of `Code`. */
export type Outcome<T, Code extends string> = { ok: true; value: T } | Refusal<Code>;

/** Why a service did not do what it was asked. */
export interface Refusal<Code extends string> {
  ok: false;
  code: Code;
  message: string;
}

/** The outcome carrying `value`. */
export function done<T>(value: T): { ok: true; value: T } {
  return { ok: true, value };
}

/** The refusal with `code` and `message`. */
export function refuse<Code extends string>(code: Code, message: string): Refusal<Code> {
  return { ok: false, code, message };
}
