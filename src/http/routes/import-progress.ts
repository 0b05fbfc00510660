import { PassThrough } from "node:stream";
import type { FastifyRequest } from "fastify";
import type { ImportProgress } from "../../services/import/import-certifications.js";

/** The media type of an import that reports its progress as it goes. */
export const NDJSON = "application/x-ndjson";

/** The caller asked for progress lines (`Accept: application/x-ndjson`). */
export const wantsProgress = (request: FastifyRequest) =>
  (request.headers.accept ?? "").toLowerCase().includes(NDJSON);

/**
 * The lines of an ndjson answer: one per batch checked (or written), then how it ended. The
 * answer starts with the first batch, so what fails before it is still a plain problem.
 */
export class ProgressLines {
  readonly stream = new PassThrough();
  #start: () => void = () => {};
  readonly #started = new Promise<void>((resolve) => {
    this.#start = resolve;
  });

  readonly report = (progress: ImportProgress): void => {
    this.#write({
      type: "progress",
      lines_done: progress.lines,
      rows_done: progress.rows,
      lines_total: progress.linesTotal,
    });
    this.#start();
  };

  /** True once a first batch is done, false when the import ended (or failed) without one. */
  async startsBefore(work: Promise<unknown>): Promise<boolean> {
    const settled = work.then(
      () => "done" as const,
      () => "failed" as const,
    );
    const first = await Promise.race([this.#started.then(() => "started" as const), settled]);
    return first !== "failed";
  }

  end(value: object): void {
    this.#write(value);
    this.stream.end();
  }

  #write(value: object): void {
    // A caller that went away has its stream destroyed; the import itself goes on as without one.
    if (!this.stream.destroyed) this.stream.write(`${JSON.stringify(value)}\n`);
  }
}
