import { sql } from "kysely";
import type { Queryable, Tx } from "./database.js";
import { orderedIds } from "./ordered-ids.js";
import type { AuditEventRow } from "./schema.js";

export interface AuditEvent {
  entityType:
    | "certification"
    | "organization"
    | "membership"
    | "certification_type"
    | "course_registration"
    | "user";
  entityId: string;
  organizationId: string | null;
  action: string;
  actorUserId: string | null;
  actor: string;
  reason?: string | null;
  before?: unknown;
  after?: unknown;
  occurredAt: Date;
}

/** Appends one event; the table refuses UPDATE and DELETE. Written in the changing transaction. */
export async function appendAuditEvent(trx: Tx, event: AuditEvent): Promise<void> {
  await trx
    .insertInto("audit_events")
    .values({
      entity_type: event.entityType,
      entity_id: event.entityId,
      organization_id: event.organizationId,
      action: event.action,
      actor_user_id: event.actorUserId,
      actor: event.actor,
      reason: event.reason ?? null,
      before: event.before === undefined ? null : JSON.stringify(event.before),
      after: event.after === undefined ? null : JSON.stringify(event.after),
      occurred_at: event.occurredAt,
    })
    .execute();
}

/** Appends many events in one statement (a batch of imported rows), in id order as given. */
export async function appendAuditEvents(trx: Tx, events: readonly AuditEvent[]): Promise<void> {
  if (events.length === 0) return;
  const json = (value: unknown) => (value === undefined || value === null ? null : JSON.stringify(value));
  await sql`
    with e as (
      select * from unnest(
        ${events.map((e) => e.entityType)}::text[],
        ${events.map((e) => e.entityId)}::text[]::uuid[],
        ${events.map((e) => e.organizationId)}::text[]::uuid[],
        ${events.map((e) => e.action)}::text[],
        ${events.map((e) => e.actorUserId)}::text[]::uuid[],
        ${events.map((e) => e.actor)}::text[],
        ${events.map((e) => e.reason ?? null)}::text[],
        ${events.map((e) => json(e.before))}::text[]::jsonb[],
        ${events.map((e) => json(e.after))}::text[]::jsonb[],
        ${events.map((e) => e.occurredAt.toISOString())}::text[]::timestamptz[]
      ) with ordinality as e(entity_type, entity_id, organization_id, action, actor_user_id, actor,
                             reason, before, after, occurred_at, n)
    ), ${orderedIds("e")}
    insert into audit_events (id, entity_type, entity_id, organization_id, action, actor_user_id, actor,
      reason, before, after, occurred_at)
    select ids.ids[e.n], entity_type, entity_id, organization_id, action, actor_user_id, actor, reason,
      before, after, occurred_at
    from e cross join ids`.execute(trx);
}

export async function listAuditEvents(db: Queryable, entityId: string): Promise<AuditEventRow[]> {
  return db
    .selectFrom("audit_events")
    .selectAll()
    .where("entity_id", "=", entityId)
    .orderBy("id", "asc")
    .execute();
}
