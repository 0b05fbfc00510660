import { randomUUID } from "node:crypto";
import { hostname } from "node:os";
import { type Logger, pino } from "pino";
import type { Db } from "../storage/database.js";
import { type ClaimedJob, claimJobs, completeJob, extendLease, failJob } from "../storage/jobs.js";
import { ensureSchedules, fireDueSchedules, type Schedule } from "./schedules.js";

export type JobHandler = (job: ClaimedJob) => Promise<void>;

export interface WorkerOptions {
  db: Db;
  /** One handler per queue; the worker claims jobs of these queues only. */
  handlers: Readonly<Record<string, JobHandler>>;
  schedules?: readonly Schedule[];
  /** Jobs run at once by this worker. */
  concurrency?: number;
  /** Wait between polls when the last one found less than a full batch. */
  pollIntervalMs?: number;
  /** How long a claimed job stays this worker's without a heartbeat; a crashed worker's jobs come back after it. */
  leaseSeconds?: number;
  clock?: () => Date;
  logger?: Logger;
  workerId?: string;
}

/**
 * Polls the jobs table and runs what it claims. Any number of workers, in any number of
 * processes, may run against one server database; on PGlite every query shares the one
 * connection, so handlers keep their transactions short.
 */
export class Worker {
  readonly id: string;
  private readonly db: Db;
  private readonly handlers: Readonly<Record<string, JobHandler>>;
  private readonly queues: string[];
  private readonly schedules: readonly Schedule[];
  private readonly concurrency: number;
  private readonly pollIntervalMs: number;
  private readonly leaseSeconds: number;
  private readonly clock: () => Date;
  private readonly logger: Logger;
  private readonly inFlight = new Set<Promise<void>>();
  private running = false;
  private loop: Promise<void> | null = null;
  private wake: (() => void) | null = null;
  private morePending = false;

  constructor(options: WorkerOptions) {
    this.db = options.db;
    this.handlers = options.handlers;
    this.queues = Object.keys(options.handlers);
    this.schedules = options.schedules ?? [];
    this.concurrency = options.concurrency ?? 4;
    this.pollIntervalMs = options.pollIntervalMs ?? 1000;
    this.leaseSeconds = options.leaseSeconds ?? 300;
    this.clock = options.clock ?? (() => new Date());
    this.logger = options.logger ?? pino({ level: "silent" });
    this.id = options.workerId ?? `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  /** Stops polling and waits for the jobs in flight to finish. */
  async stop(): Promise<void> {
    this.running = false;
    this.wake?.();
    await this.loop;
    this.loop = null;
    await Promise.allSettled([...this.inFlight]);
  }

  /**
   * Runs the jobs due at the clock's now until none is left, then returns how many ran. For
   * tests and one-shot commands: no polling, no sleeping; a failed job's retry waits for its time.
   */
  async drain(): Promise<number> {
    let total = 0;
    for (;;) {
      const jobs = await claimJobs(
        this.db,
        this.queues,
        this.id,
        this.concurrency,
        this.leaseSeconds,
        this.clock(),
      );
      if (jobs.length === 0) return total;
      await Promise.all(jobs.map((job) => this.execute(job)));
      total += jobs.length;
    }
  }

  /** Fires the schedules that are due now (each fires once across all workers). */
  async tickSchedules(): Promise<string[]> {
    if (this.schedules.length === 0) return [];
    return fireDueSchedules(this.db, this.schedules, this.clock());
  }

  private async run(): Promise<void> {
    if (this.schedules.length > 0) {
      await ensureSchedules(this.db, this.schedules, this.clock()).catch((error: unknown) =>
        this.logger.error({ err: error }, "could not register schedules"),
      );
    }
    let lastTick = 0;
    while (this.running) {
      try {
        if (Date.now() - lastTick >= this.pollIntervalMs) {
          lastTick = Date.now();
          await this.tickSchedules();
        }
        const free = this.concurrency - this.inFlight.size;
        if (free > 0) {
          const jobs = await claimJobs(this.db, this.queues, this.id, free, this.leaseSeconds, this.clock());
          for (const job of jobs) this.track(this.execute(job));
          // A full batch: more may be waiting, so poll again as soon as a slot frees.
          this.morePending = jobs.length === free;
          if (this.morePending && this.inFlight.size < this.concurrency) continue;
        }
      } catch (error) {
        this.logger.error({ err: error }, "worker poll failed");
      }
      await this.sleep(this.pollIntervalMs);
    }
  }

  private track(work: Promise<void>): void {
    this.inFlight.add(work);
    void work.finally(() => {
      this.inFlight.delete(work);
      if (this.morePending) this.wake?.();
    });
  }

  private sleep(ms: number): Promise<void> {
    if (!this.running) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wake = null;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wake = done;
    });
  }

  private async execute(job: ClaimedJob): Promise<void> {
    const handler = this.handlers[job.queue];
    const log = this.logger.child({ job_id: job.id, queue: job.queue, attempt: job.attempts });
    // The lease is renewed while the handler runs, so only a dead worker loses its jobs.
    const heartbeat = setInterval(
      () => {
        extendLease(this.db, job.id, this.id, this.leaseSeconds, this.clock()).catch((error: unknown) =>
          log.warn({ err: error }, "could not extend the lease"),
        );
      },
      Math.max(1000, (this.leaseSeconds * 1000) / 3),
    );
    heartbeat.unref();
    try {
      if (!handler) throw new Error(`no handler for queue ${job.queue}`);
      await handler(job);
      await completeJob(this.db, job.id, this.id);
      log.debug("job done");
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      try {
        const outcome = await failJob(this.db, job.id, this.id, message, this.clock());
        if (outcome === "dead") log.error({ err: error }, "job failed for the last time; dead");
        else log.warn({ err: error, outcome }, "job failed");
      } catch (failError) {
        log.error({ err: failError }, "could not record a job failure; its lease will bring it back");
      }
    } finally {
      clearInterval(heartbeat);
    }
  }
}
