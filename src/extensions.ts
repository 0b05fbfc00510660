import type { Extension } from "./main.js";

/**
 * What runs beside the core API in one process: background work and the web pages. `worker`
 * false serves the API alone (`certsvc serve` next to separate `certsvc worker` processes).
 */
export function extensions(options: { worker: boolean }): Extension[] {
  void options;
  return [];
}
