import type { Status } from "../domain/status.js";

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

/** Every string of the pages, the PDF and the /app script, in both languages. */
const nb = {
  serviceName: "Sertifikattjenesten",
  skipToContent: "Hopp til hovedinnhold",
  navLabel: "Hovedmeny",
  navHome: "Forside",
  navApp: "Min side",
  otherLanguage: "English",
  otherLanguageCode: "en",
  footer: "Sertifikattjenesten utsteder og verifiserer sertifikater for likepersoner.",
  footerApi: "API-dokumentasjon",

  homeTitle: "Sertifikattjenesten",
  homeIntro:
    "Her utstedes, følges opp og verifiseres sertifikater for likepersoner i organisasjonene. Hvert sertifikat har et eget nummer, for eksempel NHF-2025-00312.",
  homeVerifyHeading: "Verifiser et sertifikat",
  homeVerifyIntro:
    "Skriv inn sertifikatnummeret for å se om sertifikatet er gyldig. Du trenger ikke å logge inn.",
  homeMembersHeading: "For likepersoner og koordinatorer",
  homeMembersIntro:
    "Se dine sertifikater, last ned PDF, eller administrer sertifikater i organisasjonen din.",
  homeMembersLink: "Se dine sertifikater",
  certificateNumber: "Sertifikatnummer",
  certificateNumberHint: "For eksempel NHF-2025-00312",
  verifyButton: "Verifiser",
  verifyAnother: "Verifiser et annet sertifikat",

  verifyTitle: "Verifisering av sertifikat",
  verifyResultFor: "Resultat for",
  statusValid: "Gyldig",
  statusValidText: "Sertifikatet er gyldig.",
  statusExpiringSoon: "Gyldig – utløper snart",
  statusExpiringSoonText: "Sertifikatet er gyldig, men utløper snart.",
  statusExpired: "Utløpt",
  statusExpiredText: "Sertifikatet er ikke lenger gyldig fordi det har utløpt.",
  statusRevoked: "Trukket tilbake",
  statusRevokedText: "Sertifikatet er trukket tilbake og er ikke gyldig.",
  unknownTitle: "Ukjent sertifikatnummer",
  unknownText: "Vi fant ikke noe sertifikat med dette nummeret. Sjekk at nummeret er skrevet riktig.",
  malformedTitle: "Ugyldig sertifikatnummer",
  malformedText:
    "Dette er ikke et gyldig sertifikatnummer. Et sertifikatnummer har formen PREFIKS-ÅR-LØPENUMMER, for eksempel NHF-2025-00312.",
  factOrganization: "Organisasjon",
  factType: "Sertifikattype",
  factHolder: "Innehaver (initialer)",
  factIssued: "Utstedt",
  factExpires: "Utløper",
  factStatus: "Status",
  factNumber: "Sertifikatnummer",
  noExpiry: "Utløper ikke",
  privacyNote: "Av personvernhensyn vises bare innehaverens initialer.",
  notFoundTitle: "Siden finnes ikke",
  notFoundText: "Vi fant ikke siden du ba om.",

  appTitle: "Min side",
  signInHeading: "Logg inn",
  signInIntro:
    "Du blir vanligvis sendt hit innlogget fra plattformen. Du kan også lime inn en tilgangstoken. Den lagres bare i denne fanen.",
  tokenLabel: "Tilgangstoken",
  signIn: "Logg inn",
  signOut: "Logg ut",
  signedInAs: "Innlogget som",
  loading: "Laster …",
  noScript: "Min side trenger JavaScript.",

  statusActive: "Aktiv",
  statusExpiringSoonShort: "Utløper snart",
  statusAll: "Alle",

  mineHeading: "Mine sertifikater",
  mineEmpty: "Du har ingen sertifikater ennå.",
  downloadPdf: "Last ned PDF",
  pdfDownloaded: "PDF-en er lastet ned.",

  staffHeading: "Administrer sertifikater",
  organization: "Organisasjon",
  filtersHeading: "Filtrer",
  filterStatus: "Filtrer på status",
  filterType: "Filtrer på type",
  grantType: "Sertifikattype",
  filterTypeAll: "Alle typer",
  filterExpiringSoon: "Bare de som utløper snart",
  pageSize: "Per side",
  filterButton: "Filtrer",
  listCaption: "Sertifikater",
  listEmpty: "Ingen sertifikater passer filteret.",
  colNumber: "Nummer",
  colHolder: "Innehaver",
  colType: "Type",
  colStatus: "Status",
  colIssued: "Utstedt",
  colExpires: "Utløper",
  paginationLabel: "Sider",
  previousPage: "Forrige side",
  nextPage: "Neste side",
  listCount: "Viser {count} sertifikater.",

  grantHeading: "Tildel sertifikat",
  member: "Medlem",
  chooseMember: "Velg medlem",
  chooseType: "Velg type",
  issuedAtOptional: "Utstedt dato (valgfritt)",
  expiresAtOptional: "Utløpsdato (valgfritt)",
  notesOptional: "Notater (valgfritt)",
  grant: "Tildel",
  granted: "Sertifikat {number} er tildelt.",

  detailHeading: "Sertifikat {number}",
  holder: "Innehaver",
  source: "Kilde",
  sourceCourse: "Fullført kurs",
  sourceManual: "Manuell tildeling",
  notes: "Notater",
  revokedReason: "Begrunnelse for tilbaketrekking",
  renewHeading: "Forny",
  newExpiry: "Ny utløpsdato (valgfritt)",
  renew: "Forny",
  renewed: "Sertifikat {number} er fornyet.",
  revoke: "Trekk tilbake",
  revokeHeading: "Trekk tilbake sertifikat {number}",
  revokeIntro: "Sertifikatet blir ugyldig med en gang. Bare en global administrator kan gjenopprette det.",
  reason: "Begrunnelse",
  cancel: "Avbryt",
  revoked: "Sertifikat {number} er trukket tilbake.",
  closeDetail: "Lukk",
  auditHeading: "Historikk",
  auditCaption: "Endringer av sertifikatet",
  colWhen: "Når",
  colAction: "Hendelse",
  colActor: "Utført av",
  colReason: "Begrunnelse",
  colChanges: "Endringer",
  actionIssued: "Utstedt",
  actionRenewed: "Fornyet",
  actionRevoked: "Trukket tilbake",
  actionReinstated: "Gjenopprettet",
  actionExpired: "Utløpt",
  actionExpiringSoon: "Utløper snart",
  actionUpdated: "Endret",
  system: "Systemet",
  errorPrefix: "Feil:",
  networkError: "Kunne ikke nå tjenesten. Prøv igjen.",
  sessionExpired: "Innloggingen er ikke gyldig lenger. Logg inn på nytt.",

  pdfTitle: "Sertifikat",
  pdfCertifies: "Dette bekrefter at",
  pdfHasEarned: "har oppnådd",
  pdfNumber: "Sertifikatnummer",
  pdfIssued: "Utstedt",
  pdfExpires: "Gyldig til",
  pdfStatus: "Status",
  pdfVerifyAt: "Kontroller gyldigheten ved å skanne QR-koden eller gå til",
  pdfSubject: "Sertifikat for likeperson",
};

export type Messages = typeof nb;
export type MessageKey = keyof Messages;

const en: Messages = {
  serviceName: "Certificate Service",
  skipToContent: "Skip to main content",
  navLabel: "Main menu",
  navHome: "Home",
  navApp: "My page",
  otherLanguage: "Norsk",
  otherLanguageCode: "nb",
  footer: "The Certificate Service issues and verifies peer mentors' certificates.",
  footerApi: "API documentation",

  homeTitle: "Certificate Service",
  homeIntro:
    "This service issues, tracks and verifies the certificates of the organisations' peer mentors. Each certificate has its own number, for example NHF-2025-00312.",
  homeVerifyHeading: "Verify a certificate",
  homeVerifyIntro: "Enter the certificate number to see whether the certificate is valid. No sign-in needed.",
  homeMembersHeading: "For peer mentors and coordinators",
  homeMembersIntro: "See your certificates, download the PDF, or manage your organisation's certificates.",
  homeMembersLink: "See your certificates",
  certificateNumber: "Certificate number",
  certificateNumberHint: "For example NHF-2025-00312",
  verifyButton: "Verify",
  verifyAnother: "Verify another certificate",

  verifyTitle: "Certificate verification",
  verifyResultFor: "Result for",
  statusValid: "Valid",
  statusValidText: "The certificate is valid.",
  statusExpiringSoon: "Valid – expires soon",
  statusExpiringSoonText: "The certificate is valid, but expires soon.",
  statusExpired: "Expired",
  statusExpiredText: "The certificate is no longer valid because it has expired.",
  statusRevoked: "Revoked",
  statusRevokedText: "The certificate has been revoked and is not valid.",
  unknownTitle: "Unknown certificate number",
  unknownText: "We found no certificate with this number. Check that the number is typed correctly.",
  malformedTitle: "Not a valid certificate number",
  malformedText:
    "This is not a valid certificate number. A certificate number has the form PREFIX-YEAR-SEQUENCE, for example NHF-2025-00312.",
  factOrganization: "Organisation",
  factType: "Certification type",
  factHolder: "Holder (initials)",
  factIssued: "Issued",
  factExpires: "Expires",
  factStatus: "Status",
  factNumber: "Certificate number",
  noExpiry: "Does not expire",
  privacyNote: "To protect the holder's privacy, only their initials are shown.",
  notFoundTitle: "Page not found",
  notFoundText: "We could not find the page you asked for.",

  appTitle: "My page",
  signInHeading: "Sign in",
  signInIntro:
    "You are usually sent here signed in from the platform. You can also paste an access token. It is kept in this tab only.",
  tokenLabel: "Access token",
  signIn: "Sign in",
  signOut: "Sign out",
  signedInAs: "Signed in as",
  loading: "Loading …",
  noScript: "My page needs JavaScript.",

  statusActive: "Active",
  statusExpiringSoonShort: "Expiring soon",
  statusAll: "All",

  mineHeading: "My certificates",
  mineEmpty: "You have no certificates yet.",
  downloadPdf: "Download PDF",
  pdfDownloaded: "The PDF has been downloaded.",

  staffHeading: "Manage certificates",
  organization: "Organisation",
  filtersHeading: "Filter",
  filterStatus: "Filter by status",
  filterType: "Filter by type",
  grantType: "Certification type",
  filterTypeAll: "All types",
  filterExpiringSoon: "Only those expiring soon",
  pageSize: "Per page",
  filterButton: "Filter",
  listCaption: "Certificates",
  listEmpty: "No certificates match the filter.",
  colNumber: "Number",
  colHolder: "Holder",
  colType: "Type",
  colStatus: "Status",
  colIssued: "Issued",
  colExpires: "Expires",
  paginationLabel: "Pages",
  previousPage: "Previous page",
  nextPage: "Next page",
  listCount: "Showing {count} certificates.",

  grantHeading: "Grant a certificate",
  member: "Member",
  chooseMember: "Choose a member",
  chooseType: "Choose a type",
  issuedAtOptional: "Issue date (optional)",
  expiresAtOptional: "Expiry date (optional)",
  notesOptional: "Notes (optional)",
  grant: "Grant",
  granted: "Certificate {number} has been granted.",

  detailHeading: "Certificate {number}",
  holder: "Holder",
  source: "Source",
  sourceCourse: "Completed course",
  sourceManual: "Manual grant",
  notes: "Notes",
  revokedReason: "Reason for revocation",
  renewHeading: "Renew",
  newExpiry: "New expiry date (optional)",
  renew: "Renew",
  renewed: "Certificate {number} has been renewed.",
  revoke: "Revoke",
  revokeHeading: "Revoke certificate {number}",
  revokeIntro: "The certificate stops being valid at once. Only a global administrator can reinstate it.",
  reason: "Reason",
  cancel: "Cancel",
  revoked: "Certificate {number} has been revoked.",
  closeDetail: "Close",
  auditHeading: "Audit trail",
  auditCaption: "Changes to the certificate",
  colWhen: "When",
  colAction: "Event",
  colActor: "By",
  colReason: "Reason",
  colChanges: "Changes",
  actionIssued: "Issued",
  actionRenewed: "Renewed",
  actionRevoked: "Revoked",
  actionReinstated: "Reinstated",
  actionExpired: "Expired",
  actionExpiringSoon: "Expiring soon",
  actionUpdated: "Changed",
  system: "The system",
  errorPrefix: "Error:",
  networkError: "Could not reach the service. Try again.",
  sessionExpired: "Your sign-in is no longer valid. Sign in again.",

  pdfTitle: "Certificate",
  pdfCertifies: "This certifies that",
  pdfHasEarned: "has earned",
  pdfNumber: "Certificate number",
  pdfIssued: "Issued",
  pdfExpires: "Valid until",
  pdfStatus: "Status",
  pdfVerifyAt: "Check its validity by scanning the QR code or visiting",
  pdfSubject: "Peer mentor certificate",
};

const DICTIONARY: Readonly<Record<Language, Messages>> = { nb, en };

export function messages(language: Language): Messages {
  return DICTIONARY[language];
}

/** Fills `{name}` placeholders. */
export function fill(template: string, values: Readonly<Record<string, string | number>>): string {
  return template.replace(/\{(\w+)\}/g, (whole, name: string) =>
    name in values ? String(values[name]) : whole,
  );
}

/** The status words of the verification page: text always goes with the icon and the colour. */
export function verificationStatus(status: Status, m: Messages): { label: string; text: string } {
  switch (status) {
    case "active":
      return { label: m.statusValid, text: m.statusValidText };
    case "expiring_soon":
      return { label: m.statusExpiringSoon, text: m.statusExpiringSoonText };
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
    case "expired":
      return m.statusExpired;
    case "revoked":
      return m.statusRevoked;
  }
}
