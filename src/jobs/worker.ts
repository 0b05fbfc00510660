import { randomUUID } from "node:crypto";
import { hostname } from "node:os";
import { setImmediate as nextTurn } from "node:timers/promises";
import { type Logger, pino } from "pino";
import type { Db } from "../storage/database.js";
import { type ClaimedJob, claimJobs, completeJob, failJob, renewLeases } from "../storage/jobs.js";
import { ensureSchedules, fireDueSchedules, type Schedule } from "./schedules.js";

export type JobHandler = (job: ClaimedJob) => Promise<void>;

/** The lease and heartbeat by default: a dead worker's jobs are claimed again within about 30 s. */
export const DEFAULT_LEASE_SECONDS = 30;
export const DEFAULT_HEARTBEAT_SECONDS = 10;

export interface WorkerOptions {
  db: Db;
  /** One handler per queue; the worker claims jobs of these queues only. */
  handlers: Readonly<Record<string, JobHandler>>;
  schedules?: readonly Schedule[];
  /** Jobs of one queue run at once by this worker (every queue has slots of its own). */
  concurrency?: number;
  /** Per-queue slots where a queue needs other than `concurrency` (a sweep runs one at a time). */
  queueConcurrency?: Readonly<Record<string, number>>;
  /** Wait between polls when the last one found less than a full batch. */
  pollIntervalMs?: number;
  /** How long a claimed job stays this worker's without a heartbeat; a dead worker's jobs come back after it. */
  leaseSeconds?: number;
  /** How often the worker renews the leases of the jobs it holds; well under the lease. */
  heartbeatSeconds?: number;
  clock?: () => Date;
  logger?: Logger;
  workerId?: string;
}

/**
 * Polls the jobs table and runs what it claims. Any number of workers, in any number of
 * processes, may run against one server database; on PGlite every query shares the one
 * connection, so handlers keep their transactions short.
 *
 * Every queue is a lane with slots of its own, claimed in the same statement: a backlog of
 * 20 000 badge evaluations fills the badge lane and nothing else, so the sweep, a reminder or a
 * digest is claimed at the next poll. One heartbeat renews the leases of all jobs in flight.
 */
export class Worker {
  readonly id: string;
  private readonly db: Db;
  private readonly handlers: Readonly<Record<string, JobHandler>>;
  private readonly slots: ReadonlyMap<string, number>;
  private readonly schedules: readonly Schedule[];
  private readonly pollIntervalMs: number;
  private readonly leaseSeconds: number;
  private readonly heartbeatMs: number;
  private readonly clock: () => Date;
  private readonly logger: Logger;
  /** Jobs in flight by queue, each with the id it holds. */
  private readonly inFlight = new Map<string, Map<string, Promise<void>>>();
  /** Lanes whose last claim was full: a job ending there wakes the loop, more may be waiting. */
  private readonly saturated = new Set<string>();
  private running = false;
  private loop: Promise<void> | null = null;
  private heartbeat: NodeJS.Timeout | null = null;
  private wake: (() => void) | null = null;

  constructor(options: WorkerOptions) {
    this.db = options.db;
    this.handlers = options.handlers;
    const concurrency = options.concurrency ?? 4;
    this.slots = new Map(
      Object.keys(options.handlers).map((queue) => [queue, options.queueConcurrency?.[queue] ?? concurrency]),
    );
    for (const queue of this.slots.keys()) this.inFlight.set(queue, new Map());
    this.schedules = options.schedules ?? [];
    this.pollIntervalMs = options.pollIntervalMs ?? 1000;
    this.leaseSeconds = options.leaseSeconds ?? DEFAULT_LEASE_SECONDS;
    this.heartbeatMs =
      (options.heartbeatSeconds ?? Math.min(DEFAULT_HEARTBEAT_SECONDS, this.leaseSeconds / 3)) * 1000;
    this.clock = options.clock ?? (() => new Date());
    this.logger = options.logger ?? pino({ level: "silent" });
    this.id = options.workerId ?? `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.heartbeat = setInterval(() => void this.renewLeases(), this.heartbeatMs);
    this.heartbeat.unref();
    this.loop = this.run();
  }

  /** Stops polling and waits for the jobs in flight to finish. */
  async stop(): Promise<void> {
    this.running = false;
    this.wake?.();
    await this.loop;
    this.loop = null;
    await Promise.allSettled(this.held().map(([, work]) => work));
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.heartbeat = null;
  }

  /**
   * Runs the jobs due at the clock's now until none is left, then returns how many ran. For
   * tests and one-shot commands: no polling, no sleeping, no heartbeat; a failed job's retry
   * waits for its time.
   */
  async drain(): Promise<number> {
    let total = 0;
    for (;;) {
      const lanes = [...this.slots].map(([queue, limit]) => ({ queue, limit }));
      const jobs = await claimJobs(this.db, lanes, this.id, this.leaseSeconds, this.clock());
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

  /** Renews the leases of the jobs in flight (the heartbeat; also callable by tests). */
  async renewLeases(): Promise<void> {
    const ids = this.held().map(([id]) => id);
    if (ids.length === 0) return;
    try {
      const kept = new Set(await renewLeases(this.db, ids, this.id, this.leaseSeconds, this.clock()));
      const lost = ids.filter((id) => !kept.has(id));
      if (lost.length > 0)
        this.logger.warn({ job_ids: lost }, "lease lost: another worker took these jobs over");
    } catch (error) {
      this.logger.warn({ err: error }, "could not renew the leases");
    }
  }

  private held(): [string, Promise<void>][] {
    return [...this.inFlight.values()].flatMap((lane) => [...lane]);
  }

  private free(queue: string): number {
    return (this.slots.get(queue) ?? 0) - (this.inFlight.get(queue)?.size ?? 0);
  }

  private async run(): Promise<void> {
    if (this.schedules.length > 0) {
      await ensureSchedules(this.db, this.schedules, this.clock()).catch((error: unknown) =>
        this.logger.error({ err: error }, "could not register schedules"),
      );
    }
    let lastTick = 0;
    while (this.running) {
      // PGlite answers in microtasks, so a backlog of quick jobs would otherwise never let the
      // event loop turn: no HTTP request, timer or heartbeat would run until the backlog is done.
      await nextTurn();
      try {
        if (Date.now() - lastTick >= this.pollIntervalMs) {
          lastTick = Date.now();
          await this.tickSchedules();
        }
        const lanes = [...this.slots.keys()].map((queue) => ({ queue, limit: this.free(queue) }));
        const jobs = await claimJobs(this.db, lanes, this.id, this.leaseSeconds, this.clock());
        for (const job of jobs) this.track(job);
        this.saturated.clear();
        for (const lane of lanes) {
          if (lane.limit > 0 && jobs.filter((job) => job.queue === lane.queue).length === lane.limit) {
            this.saturated.add(lane.queue);
          }
        }
        // A full lane whose jobs already ended: claim again at once.
        if ([...this.saturated].some((queue) => this.free(queue) > 0)) continue;
      } catch (error) {
        this.logger.error({ err: error }, "worker poll failed");
      }
      await this.sleep(this.pollIntervalMs);
    }
  }

  private track(job: ClaimedJob): void {
    const lane = this.inFlight.get(job.queue);
    if (!lane) return;
    const work = this.execute(job);
    lane.set(job.id, work);
    void work.finally(() => {
      lane.delete(job.id);
      if (this.saturated.has(job.queue)) this.wake?.();
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
    }
  }
}
