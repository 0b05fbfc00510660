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

/** The item for a sequence number, round the list. */
export function pick<T>(items: readonly T[], sequence: number): T {
  const item = items[sequence % items.length];
  if (item === undefined) throw new Error("nothing to pick from");
  return item;
}

/** Heap before a piece of work, and the peak heap (with the resident size then) sampled during it. */
export interface Memory {
  heapBefore: number;
  heapPeak: number;
  rssPeak: number;
}

/**
 * Times work done in batches (the sweep, the import): call `batch` after each, `finish` as soon
 * as the work is done. Rows per second over all; p50/p99 of the batches' times; memory sampled at
 * every batch.
 */
export function batchTimer() {
  globalThis.gc?.();
  const sample = () => process.memoryUsage();
  const before = sample();
  let peak = before;
  const batchMs: number[] = [];
  const started = performance.now();
  let last = started;
  return {
    batch() {
      const now = performance.now();
      batchMs.push(now - last);
      last = now;
      const usage = sample();
      if (usage.heapUsed > peak.heapUsed) peak = usage;
    },
    finish(rows: number, errors = 0): { stats: Stats; memory: Memory } {
      const seconds = (performance.now() - started) / 1000;
      batchMs.sort((a, b) => a - b);
      return {
        stats: {
          ops_per_s: rows / seconds,
          p50_ms: percentile(batchMs, 50),
          p99_ms: percentile(batchMs, 99),
          count: rows,
          errors,
          seconds,
        },
        memory: { heapBefore: before.heapUsed, heapPeak: peak.heapUsed, rssPeak: peak.rss },
      };
    },
  };
}
