import autocannon from "autocannon";
import type { Stats } from "./measure.js";

/** Connections of the HTTP load generator, and async workers of the in-process loops. */
export const CONNECTIONS = 8;

export interface Window {
  warmupMs: number;
  durationMs: number;
}

export interface HttpRequest {
  method: "GET" | "POST";
  path: string;
  headers: Record<string, string>;
  body?: string;
}

/** autocannon against one port, each request made by `make` from its sequence number. */
export async function httpLoad(
  port: number,
  make: (sequence: number) => HttpRequest,
  window: Window,
): Promise<Stats> {
  let sequence = 0;
  const run = (durationMs: number) =>
    autocannon({
      url: `http://127.0.0.1:${port}`,
      connections: CONNECTIONS,
      duration: durationMs / 1000,
      requests: [
        {
          setupRequest: (request) => {
            const next = make(sequence++);
            return {
              ...request,
              method: next.method,
              path: next.path,
              headers: next.headers,
              ...(next.body === undefined ? {} : { body: next.body }),
            };
          },
        },
      ],
    });
  if (window.warmupMs > 0) await run(window.warmupMs);
  const result = await run(window.durationMs);
  return {
    ops_per_s: result["2xx"] / result.duration,
    p50_ms: result.latency.p50,
    p99_ms: result.latency.p99,
    count: result["2xx"],
    errors: result.non2xx + result.errors,
    seconds: result.duration,
  };
}

/** Windows of one system pooled: throughput over all; p50 and p99 weighted by each window's count. */
export function combine(list: readonly Stats[]): Stats {
  const count = list.reduce((sum, s) => sum + s.count, 0);
  const seconds = list.reduce((sum, s) => sum + s.seconds, 0);
  const weighted = (key: "p50_ms" | "p99_ms") =>
    count === 0 ? 0 : list.reduce((sum, s) => sum + s[key] * s.count, 0) / count;
  return {
    ops_per_s: seconds > 0 ? count / seconds : 0,
    p50_ms: weighted("p50_ms"),
    p99_ms: weighted("p99_ms"),
    count,
    errors: list.reduce((sum, s) => sum + s.errors, 0),
    seconds,
  };
}
