// ml/hub_fetch.ts — downloads from a Hugging Face hub (HF_ENDPOINT) with a size cap and a
// pinned commit. A response whose Content-Length is over the cap is refused before its body is
// read, and every body is counted as it streams and cut off past the cap, so a missing or
// lying Content-Length does not help. Models (through transformers.js' `env.fetch`) and data
// sets (datasets/hub.ts) both download through here.

/** The most one downloaded file may hold (the largest ONNX models we would serve are ~1.5 GB). */
export const MAX_DOWNLOAD_BYTES = 2 * 1024 ** 3;

/** A full 40-character commit id: the only revision that cannot move under a pin. */
export const COMMIT_ID = /^[0-9a-f]{40}$/;

/** A download over the size cap. */
export class DownloadTooLargeError extends Error {
  constructor(url: string, maxBytes: number) {
    super(`${url} is larger than ${maxBytes} bytes; refusing to download it`);
    this.name = "DownloadTooLargeError";
  }
}

/**
 * `res` with its body capped at `maxBytes`: throws a {@link DownloadTooLargeError} at once when
 * its Content-Length already says more, and makes the body fail with one as soon as more
 * arrives. Responses without a body (errors already read, 304s) are returned as they are.
 */
export function capResponse(res: Response, url: string, maxBytes: number): Response {
  const declared = Number(res.headers.get("content-length") ?? NaN);
  if (declared > maxBytes) {
    res.body?.cancel().catch(() => {});
    throw new DownloadTooLargeError(url, maxBytes);
  }
  if (!res.ok || !res.body) return res;
  let received = 0;
  const body = res.body.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        received += chunk.byteLength;
        if (received > maxBytes) controller.error(new DownloadTooLargeError(url, maxBytes));
        else controller.enqueue(chunk);
      },
    }),
  );
  return new Response(body, {
    status: res.status,
    statusText: res.statusText,
    headers: res.headers,
  });
}

/**
 * A `fetch` whose responses are capped with {@link capResponse}; transformers.js takes it as
 * `env.fetch`.
 *
 * @example
 * ```ts
 * env.fetch = cappedFetch(MAX_DOWNLOAD_BYTES);
 * ```
 */
export function cappedFetch(
  maxBytes: number = MAX_DOWNLOAD_BYTES,
  base: typeof fetch = fetch,
): (input: string | URL | Request, init?: RequestInit) => Promise<Response> {
  return async (input, init) => {
    const url = input instanceof Request ? input.url : String(input);
    return capResponse(await base(input, init), url, maxBytes);
  };
}
