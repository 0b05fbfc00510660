import type { Queryable, Tx } from "./database.js";
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

export async function listAuditEvents(db: Queryable, entityId: string): Promise<AuditEventRow[]> {
  return db
    .selectFrom("audit_events")
    .selectAll()
    .where("entity_id", "=", entityId)
    .orderBy("id", "asc")
    .execute();
}
