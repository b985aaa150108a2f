import assert from "node:assert/strict";
import { bodyText, DECODE_PIECE_BYTES, requestText } from "./body_text.ts";

/** A stream of `bytes` cut into chunks at `cuts`. */
function streamOf(bytes: Uint8Array, cuts: number[] = []): ReadableStream<Uint8Array> {
  const bounds = [0, ...cuts, bytes.length];
  return ReadableStream.from(bounds.slice(1).map((end, i) => bytes.slice(bounds[i], end)));
}

const encode = (s: string) => new TextEncoder().encode(s);

Deno.test("bodyText() decodes as Request.text() does: byte-order mark, malformed bytes, empty", async () => {
  const bodies = [
    encode(""),
    encode("plain ascii"),
    Uint8Array.of(0xef, 0xbb, 0xbf, ...encode('{"a": "é"}')),
    Uint8Array.of(0x61, 0xff, 0x62, 0xe2, 0x82, 0x63, 0xf0, 0x9f),
  ];
  for (const bytes of bodies) {
    assert.equal(
      await bodyText(streamOf(bytes)),
      await new Request("http://x/", {
        method: "POST",
        body: bytes,
      }).text(),
    );
  }
  assert.equal(await bodyText(null), "");
});

Deno.test("bodyText() keeps characters cut between chunks and between pieces whole", async () => {
  // Two- and four-byte characters straddle every piece boundary of a body of several pieces.
  const text = "é😀ж".repeat(DECODE_PIECE_BYTES);
  const bytes = encode(text);
  assert.equal(await bodyText(streamOf(bytes)), text);
  assert.equal(await bodyText(streamOf(bytes, [1, 5, 7, DECODE_PIECE_BYTES + 3])), text);
});

Deno.test("bodyText() may give the event loop a turn before every piece of a large body", async () => {
  const bytes = encode("x".repeat(3 * DECODE_PIECE_BYTES + 1));
  let turns = 0;
  const text = await bodyText(streamOf(bytes), () => {
    turns++;
    return undefined;
  });
  assert.equal(text.length, bytes.length);
  assert.equal(turns, 4);
});

Deno.test("requestText() decodes as Request.text() does, small or large, declared or streamed", async () => {
  const bodies = [
    encode(""),
    Uint8Array.of(0xef, 0xbb, 0xbf, ...encode('{"a": "é"}')),
    Uint8Array.of(0x61, 0xff, 0x62, 0xe2, 0x82, 0x63, 0xf0, 0x9f),
    encode("é😀ж".repeat(DECODE_PIECE_BYTES / 4)),
    encode("é😀ж".repeat(DECODE_PIECE_BYTES)),
  ];
  const post = (body: BodyInit, headers: Record<string, string> = {}) =>
    new Request("http://x/", { method: "POST", body, headers });
  for (const bytes of bodies) {
    const expected = await post(bytes).text();
    // Declared at most one piece: read at once; over it, or streamed: in pieces.
    assert.equal(await requestText(post(bytes, { "content-length": `${bytes.length}` })), expected);
    assert.equal(await requestText(post(streamOf(bytes, [1, 3]))), expected);
  }
  assert.equal(await requestText(new Request("http://x/")), "");
});
