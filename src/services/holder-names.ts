import type { CertificationRecord } from "../storage/certifications.js";
import { type CertificationView, certificationView } from "./views.js";

/** A certification in a staff answer: with its holder's name. */
export type WithHolderName<T> = T & { holder_display_name: string | null };

/**
 * Staff answers name each holder from the directory (`users`), not from the memberships: a
 * member's removal keeps their certifications (CONTRACT §3), and so their name stays readable.
 * The name comes with the row, read by the same statement (storage/certifications.ts
 * withTypeWindow), so a staff answer costs no second query.
 */
export function staffView(
  record: CertificationRecord,
  now: Date,
  defaultWarningDays: number,
): WithHolderName<CertificationView> {
  return {
    ...certificationView(record, now, defaultWarningDays),
    holder_display_name: record.holder_display_name ?? null,
  };
}
