// The certificate PDF.
// Each part of the dictionary has the same keys in both languages; i18n.ts puts the parts together.

export const nb = {
  pdfTitle: "Sertifikat",
  pdfCertifies: "Dette bekrefter at",
  pdfHasEarned: "har oppnådd",
  pdfNumber: "Sertifikatnummer",
  pdfCode: "Kontrollkode",
  pdfNotValid: "UGYLDIG",
  pdfIssued: "Utstedt",
  pdfExpires: "Gyldig til",
  pdfStatus: "Status",
  pdfVerifyAt: "Kontroller gyldigheten ved å skanne QR-koden eller gå til",
  pdfSubject: "Sertifikat for likeperson",
};

export const en: typeof nb = {
  pdfTitle: "Certificate",
  pdfCertifies: "This certifies that",
  pdfHasEarned: "has earned",
  pdfNumber: "Certificate number",
  pdfCode: "Verification code",
  pdfNotValid: "NOT VALID",
  pdfIssued: "Issued",
  pdfExpires: "Valid until",
  pdfStatus: "Status",
  pdfVerifyAt: "Check its validity by scanning the QR code or visiting",
  pdfSubject: "Peer mentor certificate",
};
