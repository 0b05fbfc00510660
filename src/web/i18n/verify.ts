// Verification by number and code, and the share link's page.
// Each part of the dictionary has the same keys in both languages; i18n.ts puts the parts together.

export const nb = {
  verificationCode: "Kontrollkode",
  verificationCodeHint: "Står ved siden av sertifikatnummeret, for eksempel 7QX4-M2KD",
  holderNameOptional: "Innehaverens fulle navn (valgfritt)",
  holderNameHint: "Fyll inn for å sjekke at sertifikatet er personens. Navnet vises ikke.",
  factNameCheck: "Navnekontroll",
  nameMatches: "Navnet stemmer med innehaveren",
  nameDiffers: "Navnet stemmer ikke med innehaveren",
  factCheckedAt: "Kontrollert",
  sharedTitle: "Delt sertifikat",
  sharedIntro: "Innehaveren har delt dette sertifikatet med deg, med sitt fulle navn.",
  factHolderName: "Innehaver",
  sharedNote: "Lenken virker så lenge innehaveren har valgt. Hver visning telles.",
  sharedGoneTitle: "Lenken virker ikke lenger",
  sharedGoneText: "Lenken er utløpt eller trukket tilbake av innehaveren. Be innehaveren om en ny lenke.",
  sharedUnknownTitle: "Ukjent lenke",
  sharedUnknownText: "Denne lenken finnes ikke. Sjekk at hele lenken er med.",
};

export const en: typeof nb = {
  verificationCode: "Verification code",
  verificationCodeHint: "Printed beside the certificate number, for example 7QX4-M2KD",
  holderNameOptional: "The holder's full name (optional)",
  holderNameHint: "Fill in to check that the certificate is this person's. The name is not shown.",
  factNameCheck: "Name check",
  nameMatches: "The name matches the holder",
  nameDiffers: "The name does not match the holder",
  factCheckedAt: "Checked",
  sharedTitle: "Shared certificate",
  sharedIntro: "The holder has shared this certificate with you, with their full name.",
  factHolderName: "Holder",
  sharedNote: "The link works for as long as the holder chose. Every view is counted.",
  sharedGoneTitle: "This link no longer works",
  sharedGoneText: "The link has expired or was withdrawn by the holder. Ask the holder for a new link.",
  sharedUnknownTitle: "Unknown link",
  sharedUnknownText: "This link does not exist. Check that the whole link was copied.",
};
