import type { Principal } from "../domain/principal.js";
import { formatVerificationCode } from "../domain/verification-code.js";
import { findCertificationType } from "../storage/certification-types.js";
import { findOrganization } from "../storage/organizations.js";
import { findUser } from "../storage/users.js";
import { findVerificationCode } from "../storage/verification-codes.js";
import type { ServiceContext } from "./context.js";
import { getCertification } from "./read-certifications.js";
import type { CertificationView } from "./views.js";

/** What a printed certificate shows beside the certification: who issued it, to whom, of what. */
export interface CertificateDocument {
  certification: CertificationView;
  organizationName: string;
  holderName: string;
  typeName: string;
  /** XXXX-XXXX, printed beside the number and carried in the QR code. */
  verificationCode: string;
}

/** The facts of a certificate document, for whoever may read the certification. */
export async function getCertificateDocument(
  ctx: ServiceContext,
  principal: Principal,
  id: string,
): Promise<CertificateDocument> {
  const { certification } = await getCertification(ctx, principal, id);
  const [organization, type, holder, code] = await Promise.all([
    findOrganization(ctx.db, certification.organization_id),
    findCertificationType(ctx.db, certification.certification_type_id),
    findUser(ctx.db, certification.user_id),
    findVerificationCode(ctx.db, certification.id),
  ]);
  return {
    certification,
    organizationName: organization?.name ?? "",
    holderName: holder?.display_name ?? "",
    typeName: type?.name ?? "",
    verificationCode: code === null ? "" : formatVerificationCode(code),
  };
}
