/// <reference lib="deno.worker" />
// The worker of bench/health_poller.ts: told a base URL, asks its `/health` every 20 ms until
// told to stop, then posts back every probe's latency in ms.

const INTERVAL_MS = 20;
let stopped = false;

self.onmessage = async (e: MessageEvent<{ base?: string; stop?: boolean }>) => {
  if (e.data.stop) {
    stopped = true;
    return;
  }
  const latencies: number[] = [];
  while (!stopped) {
    const t = performance.now();
    await (await fetch(`${e.data.base}/health`)).body?.cancel();
    latencies.push(performance.now() - t);
    await new Promise((r) => setTimeout(r, INTERVAL_MS));
  }
  self.postMessage(latencies);
};
