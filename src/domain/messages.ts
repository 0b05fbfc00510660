/**
 * A sentence for a person for every problem code, in Norwegian bokmål and English. The API's
 * `detail` and the pages say these; the `code` never changes with the language.
 */

export const LANGUAGES = ["nb", "en"] as const;
export type Language = (typeof LANGUAGES)[number];
/** Norwegian bokmål unless the request asks for English. */
export const DEFAULT_LANGUAGE: Language = "nb";

export type Sentence = Readonly<Record<Language, string>>;

export const MESSAGES = {
  invalid_request: {
    nb: "Forespørselen er ikke gyldig. Sjekk feltene som er markert.",
    en: "The request is not valid. Check the fields marked.",
  },
  unauthenticated: {
    nb: "Du må logge inn på nytt: innloggingen mangler, er ugyldig eller har utløpt.",
    en: "Please sign in again: the sign-in is missing, invalid or expired.",
  },
  forbidden: {
    nb: "Rollen din gir ikke lov til dette.",
    en: "Your role does not allow this.",
  },
  not_found: {
    nb: "Vi fant ikke det du ba om, eller du har ikke tilgang til det.",
    en: "We could not find what you asked for, or you do not have access to it.",
  },
  conflict: {
    nb: "Dette finnes allerede (for eksempel et prefiks eller navn som er i bruk).",
    en: "This already exists (for example a prefix or name already in use).",
  },
  one_active_cert_per_user_per_type: {
    nb: "Personen har allerede en gyldig sertifisering av denne typen.",
    en: "This person already holds a valid certification of this type.",
  },
  valid_status_transition: {
    nb: "Sertifiseringen kan ikke endres slik i sin nåværende status.",
    en: "The certification cannot change like that in its current status.",
  },
  revoked_cert_cannot_be_reactivated: {
    nb: "En tilbakekalt sertifisering kan ikke tas i bruk igjen. Bare en global administrator kan gjenopprette den.",
    en: "A revoked certification cannot be used again. Only a global admin can reinstate it.",
  },
  precondition_failed: {
    nb: "Noen andre har endret dette i mellomtiden. Last inn på nytt og prøv igjen.",
    en: "Someone else changed this meanwhile. Reload and try again.",
  },
  payload_too_large: {
    nb: "Filen eller forespørselen er for stor.",
    en: "The file or request is too large.",
  },
  expires_at_after_issued_at: {
    nb: "Utløpsdatoen må være etter utstedelsesdatoen.",
    en: "The expiry date must be after the issue date.",
  },
  course_registration_source_consistency: {
    nb: "Kilden og kursregistreringen stemmer ikke overens: et fullført kurs trenger en fullført kursregistrering, en manuell tildeling ingen.",
    en: "The source and the course registration do not agree: a course completion needs a completed registration, a manual grant none.",
  },
  organization_scoped_type: {
    nb: "Sertifiseringstypen tilhører en annen organisasjon.",
    en: "The certification type belongs to another organization.",
  },
  issued_by_role_check: {
    nb: "Bare koordinatorer og administratorer i organisasjonen kan utstede sertifiseringer.",
    en: "Only coordinators and admins of the organization can issue certifications.",
  },
  certificate_number_format: {
    nb: "Dette er ikke et gyldig sertifikatnummer (for eksempel NHF-2025-00312).",
    en: "This is not a valid certificate number (for example NHF-2025-00312).",
  },
  revocation_requires_reason: {
    nb: "Du må oppgi en begrunnelse.",
    en: "Please give a reason.",
  },
  idempotency_key_reused: {
    nb: "Denne forespørselsnøkkelen er allerede brukt til en annen forespørsel.",
    en: "This request key was already used for a different request.",
  },
  gone: {
    nb: "Lenken har utløpt eller er trukket tilbake.",
    en: "The link has expired or was withdrawn.",
  },
  rate_limited: {
    nb: "For mange forespørsler. Vent et minutt og prøv igjen.",
    en: "Too many requests. Wait a minute and try again.",
  },
  unsupported_media_type: {
    nb: "Denne adressen tar ikke imot innhold av den typen. Send JSON (eller CSV der det står).",
    en: "This address does not take a body of that media type. Send JSON (or CSV where stated).",
  },
  request_timeout: {
    nb: "Forespørselen kom ikke fram i tide. Prøv igjen.",
    en: "The request did not arrive in time. Please try again.",
  },
  request_header_fields_too_large: {
    nb: "Forespørselens hoder er for store.",
    en: "The request's headers are too large.",
  },
  service_unavailable: {
    nb: "Tjenesten er midlertidig utilgjengelig. Prøv igjen om litt.",
    en: "The service is unavailable for a moment. Please try again shortly.",
  },
  internal_error: {
    nb: "Noe gikk galt hos oss. Prøv igjen senere.",
    en: "Something went wrong on our side. Please try again later.",
  },
} as const satisfies Record<string, Sentence>;

export type MessageCode = keyof typeof MESSAGES;

const FIELD_SENTENCE: Sentence = {
  nb: "Feltet «{field}» er ikke gyldig.",
  en: "The field “{field}” is not valid.",
};

const FALLBACK: Sentence = {
  nb: "Forespørselen kunne ikke utføres.",
  en: "The request could not be carried out.",
};

/** The sentence for a code in a language; for a bad field of a request or a CSV row, naming it. */
export function describeProblem(code: string, language: Language, field?: string): string {
  if (code === "invalid_request" && field) return FIELD_SENTENCE[language].replace("{field}", field);
  const sentence: Sentence | undefined = (MESSAGES as Record<string, Sentence>)[code];
  return (sentence ?? FALLBACK)[language];
}

const IMPORT_REJECTED: Sentence = {
  nb: "{bad} av {rows} rader er ikke gyldige, så ingenting ble importert. Rett radene som er listet og prøv igjen.",
  en: "{bad} of {rows} rows are not valid, so nothing was imported. Fix the rows listed and try again.",
};

/** Why a whole import file was refused. */
export function describeRejectedImport(bad: number, rows: number, language: Language): string {
  return IMPORT_REJECTED[language].replace("{bad}", String(bad)).replace("{rows}", String(rows));
}

/** Labels of a certification's fields, for the audit trail's "before → after". */
export const FIELD_LABELS: Readonly<Record<string, Sentence>> = {
  status: { nb: "Status", en: "Status" },
  expires_at: { nb: "Utløper", en: "Expires" },
  issued_at: { nb: "Utstedt", en: "Issued" },
  notes: { nb: "Notater", en: "Notes" },
  revoked_at: { nb: "Tilbakekalt", en: "Revoked" },
  revoked_by_user_id: { nb: "Tilbakekalt av", en: "Revoked by" },
  revocation_reason: { nb: "Begrunnelse for tilbakekalling", en: "Reason for revocation" },
  expiry_warning_sent_at: { nb: "Varsel om utløp sendt", en: "Expiry reminder sent" },
  certificate_number: { nb: "Sertifikatnummer", en: "Certificate number" },
  certification_type_id: { nb: "Sertifiseringstype", en: "Certification type" },
  user_id: { nb: "Innehaver", en: "Holder" },
  issued_by_user_id: { nb: "Utstedt av", en: "Issued by" },
  source: { nb: "Kilde", en: "Source" },
  course_registration_id: { nb: "Kursregistrering", en: "Course registration" },
  suspended: { nb: "Suspendert", en: "Suspended" },
};

/** A field's label in a language; the field's own name when it has none. */
export function fieldLabel(field: string, language: Language): string {
  return FIELD_LABELS[field]?.[language] ?? field;
}
