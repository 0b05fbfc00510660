/** What one measured system gives: throughput and latency over the measured window. */
export interface Stats {
  ops_per_s: number;
  p50_ms: number;
  p99_ms: number;
  /** Operations counted in the window (requests, calls, or rows for the sweep and import). */
  count: number;
  /** Failed operations (non-2xx, thrown errors). */
  errors: number;
  seconds: number;
}

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index] ?? 0;
}

export const round = (value: number, digits = 2) => {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
};

/**
 * `workers` concurrent async loops calling `operation` for `warmupMs` (not counted) and then
 * `durationMs` (counted): the raw-SQL and in-process limits.
 */
export async function runLoop(
  operation: (sequence: number) => Promise<unknown>,
  options: { workers: number; warmupMs: number; durationMs: number },
): Promise<Stats> {
  const latencies: number[] = [];
  let sequence = 0;
  let errors = 0;
  let firstError: unknown = null;
  const measureFrom = performance.now() + options.warmupMs;
  const end = measureFrom + options.durationMs;
  const worker = async () => {
    for (;;) {
      const started = performance.now();
      if (started >= end) return;
      try {
        await operation(sequence++);
        if (started >= measureFrom) latencies.push(performance.now() - started);
      } catch (error) {
        firstError ??= error;
        if (started >= measureFrom) errors += 1;
      }
    }
  };
  await Promise.all(Array.from({ length: options.workers }, worker));
  if (firstError !== null && latencies.length === 0) throw firstError;
  if (firstError !== null) process.stderr.write(`  (loop errors: ${errors}; first: ${String(firstError)})\n`);
  latencies.sort((a, b) => a - b);
  const seconds = options.durationMs / 1000;
  return {
    ops_per_s: latencies.length / seconds,
    p50_ms: percentile(latencies, 50),
    p99_ms: percentile(latencies, 99),
    count: latencies.length,
    errors,
    seconds,
  };
}
