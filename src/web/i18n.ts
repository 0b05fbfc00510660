import { LANGUAGES, type Language } from "../domain/messages.js";
import type { Status } from "../domain/status.js";
import { headerLanguage } from "../http/language.js";
import * as app from "./i18n/app.js";
import * as mentor from "./i18n/mentor.js";
import * as pdf from "./i18n/pdf.js";
import * as site from "./i18n/site.js";
import * as staff from "./i18n/staff.js";
import * as staffAdmin from "./i18n/staff-admin.js";
import * as staffExpiring from "./i18n/staff-expiring.js";
import * as staffImport from "./i18n/staff-import.js";
import * as staffMembers from "./i18n/staff-members.js";
import * as verify from "./i18n/verify.js";

export { DEFAULT_LANGUAGE, LANGUAGES, type Language } from "../domain/messages.js";

/** Dates are shown as the organisations' members read them: in Norway's time zone. */
export const DISPLAY_TIME_ZONE = "Europe/Oslo";

const LOCALES: Readonly<Record<Language, string>> = { nb: "nb-NO", en: "en-GB" };

export function isLanguage(value: unknown): value is Language {
  return typeof value === "string" && (LANGUAGES as readonly string[]).includes(value);
}

/** `?lang=` wins; else the Accept-Language header's choice (http/language.ts); else bokmål. */
export function pickLanguage(query: unknown, acceptLanguage: string | undefined): Language {
  return isLanguage(query) ? query : headerLanguage(acceptLanguage);
}

export function formatDate(iso: string | Date, language: Language): string {
  return new Intl.DateTimeFormat(LOCALES[language], {
    dateStyle: "long",
    timeZone: DISPLAY_TIME_ZONE,
  }).format(typeof iso === "string" ? new Date(iso) : iso);
}

export function formatDateTime(iso: string | Date, language: Language): string {
  return new Intl.DateTimeFormat(LOCALES[language], {
    dateStyle: "medium",
    timeStyle: "short",
    timeZone: DISPLAY_TIME_ZONE,
  }).format(typeof iso === "string" ? new Date(iso) : iso);
}

export const localeOf = (language: Language): string => LOCALES[language];

/**
 * Every string of the pages, the PDF and the /app script, in both languages, in one part per area
 * (src/web/i18n/*.ts). A new area adds its own part here; no key may be in two parts.
 */
export const MESSAGE_PARTS = {
  site,
  app,
  pdf,
  staff,
  staffAdmin,
  staffExpiring,
  staffImport,
  staffMembers,
  verify,
  mentor,
} as const;

const nb = {
  ...site.nb,
  ...app.nb,
  ...pdf.nb,
  ...staff.nb,
  ...staffAdmin.nb,
  ...staffExpiring.nb,
  ...staffImport.nb,
  ...staffMembers.nb,
  ...verify.nb,
  ...mentor.nb,
};

export type Messages = typeof nb;

const en: Messages = {
  ...site.en,
  ...app.en,
  ...pdf.en,
  ...staff.en,
  ...staffAdmin.en,
  ...staffExpiring.en,
  ...staffImport.en,
  ...staffMembers.en,
  ...verify.en,
  ...mentor.en,
};

/** Every key the /app script reads: the signed-in area's and the staff workspace's. */
export const STAFF_KEYS = [
  ...Object.keys(app.nb),
  ...Object.keys(staff.nb),
  ...Object.keys(staffAdmin.nb),
  ...Object.keys(staffExpiring.nb),
  ...Object.keys(staffImport.nb),
  ...Object.keys(staffMembers.nb),
  ...Object.keys(mentor.nb),
] as (keyof Messages)[];

const DICTIONARY: Readonly<Record<Language, Messages>> = { nb, en };

export function messages(language: Language): Messages {
  return DICTIONARY[language];
}

/** The status words of the verification page: text always goes with the icon and the colour. */
export function verificationStatus(status: Status, m: Messages): { label: string; text: string } {
  switch (status) {
    case "active":
      return { label: m.statusValid, text: m.statusValidText };
    case "expiring_soon":
      return { label: m.statusExpiringSoon, text: m.statusExpiringSoonText };
    case "suspended":
      return { label: m.statusSuspended, text: m.statusSuspendedText };
    case "expired":
      return { label: m.statusExpired, text: m.statusExpiredText };
    case "revoked":
      return { label: m.statusRevoked, text: m.statusRevokedText };
  }
}

/** The short status words of lists and the PDF. */
export function statusLabel(status: Status, m: Messages): string {
  switch (status) {
    case "active":
      return m.statusActive;
    case "expiring_soon":
      return m.statusExpiringSoonShort;
    case "suspended":
      return m.statusSuspended;
    case "expired":
      return m.statusExpired;
    case "revoked":
      return m.statusRevoked;
  }
}
