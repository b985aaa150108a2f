/**
 * A worker that asks `/health` every 20 ms until told to stop, then posts the latencies (ms)
 * back. On a thread of its own, so the benchmark's main thread (turning 5 MB of articles into
 * JSON and sending them) does not delay the probes it times: measured from the main thread,
 * the probe sent beside the batch took 170-300 ms of the client's own work.
 *
 * @example
 * ```ts
 * const poller = startHealthPoller("http://127.0.0.1:8000");
 * // ... load the server ...
 * const latencies = await poller.stop();
 * ```
 */

/** Starts the worker; `stop()` ends it and resolves with every probe's latency in ms. */
export function startHealthPoller(base: string): { stop(): Promise<number[]> } {
  const worker = new Worker(new URL("./health_poller_worker.ts", import.meta.url), {
    type: "module",
  });
  const result = new Promise<number[]>((resolve) => {
    worker.onmessage = (e: MessageEvent<number[]>) => {
      resolve(e.data);
      worker.terminate();
    };
  });
  worker.postMessage({ base });
  return {
    stop() {
      worker.postMessage({ stop: true });
      return result;
    },
  };
}
