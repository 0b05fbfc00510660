// The public pages: the frame of every page, the front page, the verification result.
// Each part of the dictionary has the same keys in both languages; i18n.ts puts the parts together.

export const nb = {
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
    "Skriv inn sertifikatnummeret og kontrollkoden som står ved siden av det, for å se om sertifikatet er gyldig. Du trenger ikke å logge inn.",
  homeMembersHeading: "For likepersoner og koordinatorer",
  homeMembersIntro:
    "Se dine sertifikater, last ned PDF, eller administrer sertifikater i organisasjonen din.",
  homeMembersLink: "Se dine sertifikater",
  certificateNumber: "Sertifikatnummer",
  certificateNumberHint: "For eksempel NHF-2025-00312",
  verifyButton: "Verifiser",
  verifyAnother: "Verifiser et annet sertifikat",

  verifyTitle: "Verifisering av sertifikat",
  statusValid: "Gyldig",
  statusValidText: "Sertifikatet er gyldig.",
  statusExpiringSoon: "Gyldig – utløper snart",
  statusExpiringSoonText: "Sertifikatet er gyldig, men utløper snart.",
  statusExpired: "Utløpt",
  statusExpiredText: "Sertifikatet er ikke lenger gyldig fordi det har utløpt.",
  statusRevoked: "Trukket tilbake",
  statusRevokedText: "Sertifikatet er trukket tilbake og er ikke gyldig.",
  unknownTitle: "Ikke bekreftet",
  unknownText:
    "Vi kan ikke bekrefte et sertifikat med dette nummeret og denne kontrollkoden. Sjekk at begge er skrevet riktig: kontrollkoden står ved siden av nummeret på sertifikatet.",
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
};

export const en: typeof nb = {
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
  homeVerifyIntro:
    "Enter the certificate number and the verification code printed beside it to see whether the certificate is valid. No sign-in needed.",
  homeMembersHeading: "For peer mentors and coordinators",
  homeMembersIntro: "See your certificates, download the PDF, or manage your organisation's certificates.",
  homeMembersLink: "See your certificates",
  certificateNumber: "Certificate number",
  certificateNumberHint: "For example NHF-2025-00312",
  verifyButton: "Verify",
  verifyAnother: "Verify another certificate",

  verifyTitle: "Certificate verification",
  statusValid: "Valid",
  statusValidText: "The certificate is valid.",
  statusExpiringSoon: "Valid – expires soon",
  statusExpiringSoonText: "The certificate is valid, but expires soon.",
  statusExpired: "Expired",
  statusExpiredText: "The certificate is no longer valid because it has expired.",
  statusRevoked: "Revoked",
  statusRevokedText: "The certificate has been revoked and is not valid.",
  unknownTitle: "Not confirmed",
  unknownText:
    "We cannot confirm a certificate with this number and verification code. Check that both are typed correctly: the code is printed beside the number on the certificate.",
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
};
