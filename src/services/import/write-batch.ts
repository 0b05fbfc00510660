import { formatCertificateNumber, yearIn } from "../../domain/certificate-number.js";
import { actorName, actorUserId, isGlobal, type Principal } from "../../domain/principal.js";
import { type AuditEvent, appendAuditEvents } from "../../storage/audit-events.js";
import {
  addPeerMentors,
  drawSequences,
  expireRecords,
  type ImportedCertification,
  insertImportedCertifications,
} from "../../storage/certification-import.js";
import type { Tx } from "../../storage/database.js";
import { enqueueJobs, QUEUES } from "../../storage/jobs.js";
import type { OrganizationRow } from "../../storage/schema.js";
import { certificationView } from "../views.js";
import type { AcceptedRow } from "./plan-batch.js";

const unique = <T>(values: Iterable<T>) => [...new Set(values)];

/**
 * Writes the accepted rows of a batch with set-based statements: the new members, the expiry of
 * stale live rows of the same pairs, the numbers (drawn per year in one statement each, handed
 * out in the file's order), the certifications with their audit events, and one badge job per
 * holder.
 */
export async function writeBatch(
  trx: Tx,
  writer: { principal: Principal; organization: OrganizationRow; warningDays: number },
  accepted: readonly AcceptedRow[],
  stale: readonly { id: string }[],
  now: Date,
): Promise<void> {
  const { organization, principal } = writer;
  const actor = actorName(principal);
  const actorId = actorUserId(principal);
  const events: AuditEvent[] = [];
  const warningDaysOf = new Map(accepted.map((a) => [a.type.id, a.type.warning_days]));

  const joining = new Map<string, string>();
  for (const a of accepted) {
    if (a.joins && a.row.displayName !== null && !joining.has(a.row.userId)) {
      joining.set(a.row.userId, a.row.displayName);
    }
  }
  const added = await addPeerMentors(
    trx,
    organization.id,
    [...joining].map(([userId, displayName]) => ({ userId, displayName })),
    isGlobal(principal),
  );
  for (const member of added) {
    events.push({
      entityType: "membership",
      entityId: member.user_id,
      organizationId: organization.id,
      action: "added",
      actorUserId: actorId,
      actor,
      after: {
        organization_id: organization.id,
        user_id: member.user_id,
        role: "peer_mentor",
        display_name: member.display_name,
      },
      occurredAt: now,
    });
  }

  for (const expired of await expireRecords(
    trx,
    stale.map((s) => s.id),
    now,
  )) {
    events.push({
      entityType: "certification",
      entityId: expired.id,
      organizationId: expired.organization_id,
      action: "expired",
      actorUserId: null,
      actor: "system:issue",
      after: certificationView(
        { ...expired, type_warning_days: warningDaysOf.get(expired.certification_type_id) ?? null },
        now,
        writer.warningDays,
      ),
      occurredAt: now,
    });
  }

  const years = accepted.map((a) => yearIn(a.issuedAt, organization.time_zone));
  const next = new Map<number, number>();
  for (const year of unique(years)) {
    const count = years.filter((y) => y === year).length;
    next.set(year, await drawSequences(trx, organization.prefix, year, count));
  }
  const values: ImportedCertification[] = accepted.map((a, index) => {
    const year = years[index] ?? 0;
    const sequence = next.get(year) ?? 0;
    next.set(year, sequence + 1);
    const revoked = a.row.revokedAt !== null;
    return {
      user_id: a.row.userId,
      certification_type_id: a.type.id,
      organization_id: organization.id,
      certificate_number: formatCertificateNumber({ prefix: organization.prefix, year, sequence }),
      status: revoked ? "revoked" : a.datedStatus,
      dated_status: a.datedStatus,
      issued_at: a.issuedAt,
      expires_at: a.expiresAt,
      issued_by_user_id: actorId,
      notes: a.row.notes,
      revoked_at: a.row.revokedAt,
      revoked_by_user_id: revoked ? actorId : null,
      revocation_reason: revoked ? a.row.revocationReason : null,
    };
  });
  // Membership and expiry events first, so they precede the certifications' own in id order.
  await appendAuditEvents(trx, events);
  // The rows with their `issued` (and, as on paper, `revoked`) events, views built in SQL.
  const inserted = await insertImportedCertifications(trx, values, {
    userId: actorId,
    name: actor,
    occurredAt: now,
  });
  const holders = new Set(inserted.map((row) => row.user_id));
  // Badges are a holder's: one evaluation per holder of the batch covers all their new rows.
  await enqueueJobs(
    trx,
    QUEUES.badgeEvaluation,
    [...holders].map((userId) => ({ user_id: userId, reason: "imported" })),
    now,
  );
}
