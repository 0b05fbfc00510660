import { DomainError, forbidden, notFound } from "../domain/errors.js";
import { isGlobal, type Principal } from "../domain/principal.js";
import { listDeadJobs as listDead, retryDeadJob as retryDead } from "../storage/jobs.js";
import type { ServiceContext } from "./context.js";

export interface DeadJobView {
  id: string;
  queue: string;
  payload: unknown;
  attempts: number;
  max_attempts: number;
  last_error: string | null;
  created_at: string;
  failed_at: string;
}

function requireGlobalAdmin(principal: Principal): void {
  if (!isGlobal(principal)) throw forbidden("Only global admins manage background jobs");
}

/** Dead-lettered jobs (e.g. notifications that never got a 2xx), newest first. */
export async function listDeadJobs(
  ctx: ServiceContext,
  principal: Principal,
  query: { queue?: string; limit?: number; beforeId?: string } = {},
): Promise<{ items: DeadJobView[] }> {
  requireGlobalAdmin(principal);
  const limit = query.limit ?? 50;
  if (!Number.isInteger(limit) || limit < 1 || limit > 200) {
    throw new DomainError("invalid_request", "limit must be from 1 to 200", [
      { field: "limit", message: "from 1 to 200" },
    ]);
  }
  const rows = await listDead(ctx.db, {
    limit,
    ...(query.queue !== undefined ? { queue: query.queue } : {}),
    ...(query.beforeId !== undefined ? { beforeId: query.beforeId } : {}),
  });
  return {
    items: rows.map((row) => ({
      id: row.id,
      queue: row.queue,
      payload: row.payload,
      attempts: row.attempts,
      max_attempts: row.max_attempts,
      last_error: row.last_error,
      created_at: row.created_at.toISOString(),
      failed_at: row.updated_at.toISOString(),
    })),
  };
}

/** Puts a dead job back in its queue with a fresh set of attempts; not_found unless it is dead. */
export async function retryDeadJob(ctx: ServiceContext, principal: Principal, id: string): Promise<void> {
  requireGlobalAdmin(principal);
  if (!/^[0-9a-f-]{36}$/i.test(id) || !(await retryDead(ctx.db, id, ctx.clock()))) {
    throw notFound("Dead job");
  }
}
