import type { Principal } from "../domain/principal.js";
import { inTransaction, type ServiceContext } from "./context.js";
import { claimIdempotencyKey, type IdempotencyRequest, storeIdempotentResponse } from "./idempotency.js";
import { type IssuedCertification, issueInTransaction } from "./issue-certification.js";
import { type CertificationView, etagOf } from "./views.js";

export interface GrantInput {
  organizationId: string;
  userId: string;
  certificationTypeId: string;
  issuedAt?: Date | undefined;
  expiresAt?: Date | null | undefined;
  notes?: string | null | undefined;
}

/**
 * Manual grant by a coordinator or admin (use case 1). With an idempotency key, a repeat of the
 * same request returns the first answer and creates nothing.
 */
export async function grantCertification(
  ctx: ServiceContext,
  principal: Principal,
  input: GrantInput,
  idempotency?: IdempotencyRequest,
): Promise<IssuedCertification> {
  return inTransaction(ctx, async (trx) => {
    if (idempotency) {
      const replay = await claimIdempotencyKey<CertificationView>(trx, principal, idempotency);
      if (replay)
        return { certification: replay.body, etag: etagOf(replay.body), statusCode: replay.statusCode };
    }
    const issued = await issueInTransaction(ctx, trx, principal, {
      organizationId: input.organizationId,
      userId: input.userId,
      certificationTypeId: input.certificationTypeId,
      source: "manual_grant",
      registration: null,
      issuedAt: input.issuedAt,
      expiresAt: input.expiresAt,
      notes: input.notes,
    });
    if (idempotency) {
      await storeIdempotentResponse(trx, principal, idempotency.key, {
        statusCode: 201,
        body: issued.certification,
      });
    }
    return issued;
  });
}
