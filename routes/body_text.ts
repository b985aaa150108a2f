/**
 * A request body's text, decoded a piece at a time. `Request.text()` decodes the whole
 * body in one call: a 5 MB batch of articles held the event loop for 50-70 ms there
 * (UTF-8 to a JavaScript string), so `/health` and every other request waited for it.
 */
import { turnTaker } from "../lib/slices.ts";

/** Bytes decoded at a time: about a millisecond of work. */
export const DECODE_PIECE_BYTES = 64 * 1024;

/**
 * The UTF-8 text of `body`, as `Request.text()` decodes it (a leading byte-order mark
 * dropped, malformed bytes replaced by U+FFFD), in pieces of {@link DECODE_PIECE_BYTES}
 * with a turn of the event loop every few ms of decoding (`turn`, awaited before each piece;
 * `lib/slices.ts`).
 *
 * @example
 * ```ts
 * const text = await bodyText(request.body);
 * ```
 */
export async function bodyText(
  body: ReadableStream<Uint8Array> | null,
  turn: () => Promise<void> | undefined = turnTaker(),
): Promise<string> {
  if (!body) return "";
  const decoder = new TextDecoder();
  const parts: string[] = [];
  for await (const chunk of body) {
    for (let at = 0; at < chunk.length; at += DECODE_PIECE_BYTES) {
      await turn();
      // `stream: true` keeps a character cut between two pieces for the next one.
      parts.push(decoder.decode(chunk.subarray(at, at + DECODE_PIECE_BYTES), { stream: true }));
    }
  }
  parts.push(decoder.decode());
  return parts.join("");
}

/**
 * The text of `request`'s body: {@link bodyText} in pieces, or, for a body that declares a
 * `Content-Length` of at most one piece, `Request.text()` at once. The pieces and turns
 * matter only for large bodies, while reading a ReadableStream chunk by chunk cost a
 * one-text classify request ~6% of its CPU time on the event loop (async iterator, reader
 * release); `Request.text()` reads the body in one op. The server frames the body by its
 * `Content-Length`, so a declared small body cannot turn out large.
 */
export async function requestText(request: Request): Promise<string> {
  const declared = Number(request.headers.get("content-length") ?? NaN);
  if (declared <= DECODE_PIECE_BYTES && !request.headers.has("transfer-encoding")) {
    return await request.text();
  }
  return await bodyText(request.body);
}
