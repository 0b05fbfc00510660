import type { Status } from "../domain/status.js";
import * as app from "./i18n/app.js";
import * as mentor from "./i18n/mentor.js";
import * as pdf from "./i18n/pdf.js";
import * as site from "./i18n/site.js";
import * as staff from "./i18n/staff.js";
import * as staffAdmin from "./i18n/staff-admin.js";
import * as verify from "./i18n/verify.js";

/** The two languages of the pages and the PDF: Norwegian bokmål by default, and English. */
export const LANGUAGES = ["nb", "en"] as const;
export type Language = (typeof LANGUAGES)[number];
export const DEFAULT_LANGUAGE: Language = "nb";

/** Dates are shown as the organisations' members read them: in Norway's time zone. */
export const DISPLAY_TIME_ZONE = "Europe/Oslo";

const LOCALES: Readonly<Record<Language, string>> = { nb: "nb-NO", en: "en-GB" };

export function isLanguage(value: unknown): value is Language {
  return typeof value === "string" && (LANGUAGES as readonly string[]).includes(value);
}

/**
 * `?lang=` wins; else the best language of the Accept-Language header that we speak (Norwegian
 * in any of its tags, or English); else bokmål.
 */
export function pickLanguage(query: unknown, acceptLanguage: string | undefined): Language {
  if (isLanguage(query)) return query;
  const ranked = (acceptLanguage ?? "")
    .split(",")
    .map((part, index) => {
      const [tag = "", ...params] = part.trim().split(";");
      const q = params.map((p) => /^\s*q=([\d.]+)\s*$/.exec(p)?.[1]).find((v) => v !== undefined);
      return { tag: tag.trim().toLowerCase(), q: q === undefined ? 1 : Number(q), index };
    })
    .filter((entry) => entry.tag !== "" && entry.q > 0)
    .sort((a, b) => b.q - a.q || a.index - b.index);
  for (const { tag } of ranked) {
    const primary = tag.split("-")[0];
    if (primary === "nb" || primary === "no" || primary === "nn") return "nb";
    if (primary === "en") return "en";
  }
  return DEFAULT_LANGUAGE;
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
export const MESSAGE_PARTS = { site, app, pdf, staff, staffAdmin, verify, mentor } as const;

const nb = { ...site.nb, ...app.nb, ...pdf.nb, ...staff.nb, ...staffAdmin.nb, ...verify.nb, ...mentor.nb };

export type Messages = typeof nb;

const en: Messages = {
  ...site.en,
  ...app.en,
  ...pdf.en,
  ...staff.en,
  ...staffAdmin.en,
  ...verify.en,
  ...mentor.en,
};

/** Every key the /app script reads: the signed-in area's and the staff workspace's. */
export const STAFF_KEYS = [
  ...Object.keys(app.nb),
  ...Object.keys(staff.nb),
  ...Object.keys(staffAdmin.nb),
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
