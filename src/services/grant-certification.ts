import type { Principal } from "../domain/principal.js";
import type { ServiceContext } from "./context.js";
import type { IdempotencyRequest } from "./idempotency.js";
import { type IssuedCertification, issueCertification } from "./issue-certification.js";

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
 * same request returns the first answer and creates nothing. One read and one write (see
 * issueCertification).
 */
export async function grantCertification(
  ctx: ServiceContext,
  principal: Principal,
  input: GrantInput,
  idempotency?: IdempotencyRequest,
): Promise<IssuedCertification> {
  return issueCertification(
    ctx,
    principal,
    {
      organizationId: input.organizationId,
      userId: input.userId,
      certificationTypeId: input.certificationTypeId,
      source: "manual_grant",
      registration: null,
      issuedAt: input.issuedAt,
      expiresAt: input.expiresAt,
      notes: input.notes,
    },
    idempotency,
  );
}
