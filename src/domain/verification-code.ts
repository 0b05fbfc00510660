import { timingSafeEqual } from "node:crypto";

/**
 * Verification codes: 40 random bits as 8 characters of Crockford base32, shown `XXXX-XXXX`.
 * The database makes them (migrations/0005); this module reads what people type.
 */

const ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
const CANONICAL = /^[0-9A-HJKMNP-TV-Z]{8}$/;

/** `ABCD2345` → `ABCD-2345`. */
export function formatVerificationCode(code: string): string {
  return `${code.slice(0, 4)}-${code.slice(4)}`;
}

/**
 * What a person typed, as the stored form, or null when it cannot be a code. As Crockford
 * prescribes, case does not matter, hyphens and spaces are ignored, I and L read as 1 and O as 0.
 */
export function normalizeVerificationCode(typed: string): string | null {
  const code = typed
    .toUpperCase()
    .replace(/[\s-]+/g, "")
    .replace(/[IL]/g, "1")
    .replace(/O/g, "0");
  return CANONICAL.test(code) ? code : null;
}

const PADDING = Buffer.alloc(8, 0);

/**
 * Whether a typed code is the stored one, in time that does not depend on either: the same
 * comparison of 8 bytes is made when nothing is stored (`stored` null) or the typed one is
 * not a code, so no answer is faster than another.
 */
export function verificationCodeMatches(stored: string | null, typed: string | null | undefined): boolean {
  const given = typed == null ? null : normalizeVerificationCode(typed);
  const a = Buffer.from(stored ?? "", "latin1");
  const b = Buffer.from(given ?? "", "latin1");
  const left = a.length === 8 ? a : PADDING;
  const right = b.length === 8 ? b : PADDING;
  const equal = timingSafeEqual(left, right);
  return equal && stored !== null && given !== null && a.length === 8;
}

export const VERIFICATION_CODE_ALPHABET = ALPHABET;
