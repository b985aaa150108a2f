/** A progress line on standard error, only when it is a terminal. */
import cliProgress from "cli-progress";

export interface Progress {
  update(value: number, total?: number): void;
  stop(): void;
}

/** A bar when `total` is known, a running count otherwise; silent when not on a terminal. */
export function progress(label: string, total?: number): Progress {
  if (!Deno.stderr.isTerminal()) return { update() {}, stop() {} };
  const bar = new cliProgress.SingleBar({
    format: total
      ? `${label} [{bar}] {percentage}% {value}/{total} | {eta_formatted} left`
      : `${label} {value} | {duration_formatted}`,
    stream: process.stderr,
    hideCursor: true,
    clearOnComplete: false,
  }, cliProgress.Presets.shades_classic);
  bar.start(total ?? 0, 0);
  return {
    update(value, newTotal) {
      if (newTotal !== undefined) bar.setTotal(newTotal);
      bar.update(value);
    },
    stop: () => bar.stop(),
  };
}
