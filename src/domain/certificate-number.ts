import { DomainError } from "./errors.js";

export const PREFIX_PATTERN = /^[A-Z][A-Z0-9]{1,9}$/;
export const CERTIFICATE_NUMBER_PATTERN = /^([A-Z][A-Z0-9]{1,9})-(\d{4})-(\d{5,})$/;

export interface CertificateNumber {
  prefix: string;
  year: number;
  sequence: number;
}

/** `{ORG_PREFIX}-{YEAR}-{SEQUENCE}`, the sequence zero-padded to at least five digits. */
export function formatCertificateNumber({ prefix, year, sequence }: CertificateNumber): string {
  if (!PREFIX_PATTERN.test(prefix)) throw new RangeError(`invalid prefix ${prefix}`);
  if (!Number.isInteger(year) || year < 1000 || year > 9999) throw new RangeError(`invalid year ${year}`);
  if (!Number.isSafeInteger(sequence) || sequence < 1) throw new RangeError(`invalid sequence ${sequence}`);
  return `${prefix}-${year}-${String(sequence).padStart(5, "0")}`;
}

/** certificate_number_format: parses a number, or raises the rule's code. */
export function parseCertificateNumber(value: string): CertificateNumber {
  const match = CERTIFICATE_NUMBER_PATTERN.exec(value);
  const sequence = match ? Number(match[3]) : 0;
  if (!match || !Number.isSafeInteger(sequence) || sequence < 1) {
    throw new DomainError(
      "certificate_number_format",
      `"${value.slice(0, 64)}" is not a certificate number of the form PREFIX-YEAR-SEQUENCE, e.g. NHF-2025-00312`,
    );
  }
  return { prefix: match[1] as string, year: Number(match[2]), sequence };
}

export function isValidTimeZone(timeZone: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone });
    return true;
  } catch {
    return false;
  }
}

// Building a DateTimeFormat costs far more than using one; there are few time zones.
const YEAR_FORMATS = new Map<string, Intl.DateTimeFormat>();

/** The calendar year of `instant` in `timeZone`: the YEAR of a certificate issued then. */
export function yearIn(instant: Date, timeZone: string): number {
  let format = YEAR_FORMATS.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat("en-US", { timeZone, year: "numeric" });
    YEAR_FORMATS.set(timeZone, format);
  }
  const year = format.formatToParts(instant).find((part) => part.type === "year")?.value;
  return Number(year);
}
