import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import fontkit from "@pdf-lib/fontkit";
import { degrees, PDFDocument, type PDFFont, type PDFPage, rgb } from "pdf-lib";
import QRCode from "qrcode";
import { grantsAccess, type Status } from "../domain/status.js";
import { verificationUrl } from "../services/verification-code.js";
import { formatDate, type Language, localeOf, messages, statusLabel } from "./i18n.js";

export interface CertificateFacts {
  certificateNumber: string;
  status: Status;
  organizationName: string;
  holderName: string;
  typeName: string;
  issuedAt: string;
  expiresAt: string | null;
  /** As shown, XXXX-XXXX. */
  verificationCode: string;
}

/** A4 in PDF points. */
const A4 = { width: 595.28, height: 841.89 } as const;
const INK = rgb(0.11, 0.11, 0.13);
const MUTED = rgb(0.29, 0.29, 0.33);

export { verificationUrl };

const ACCENT = rgb(0.11, 0.16, 0.3);
const VOID = rgb(0.7, 0.05, 0.1);

/**
 * DejaVu Sans, bundled with the project (the dejavu-fonts-ttf package): it has every letter of
 * Norwegian and of the Sami languages (Č Đ Ŋ Š Ŧ Ž á …), which the PDF standard fonts do not.
 * Embedded as a subset, so a certificate carries only the glyphs it prints.
 */
const FONT_DIR = join(
  dirname(createRequire(import.meta.url).resolve("dejavu-fonts-ttf/package.json")),
  "ttf",
);
let fonts: { regular: Uint8Array; bold: Uint8Array } | undefined;
function fontFiles() {
  fonts ??= {
    regular: readFileSync(join(FONT_DIR, "DejaVuSans.ttf")),
    bold: readFileSync(join(FONT_DIR, "DejaVuSans-Bold.ttf")),
  };
  return fonts;
}

/** Text as the font can print it: NFC, so a letter and its combining accent print as one glyph. */
const printable = (text: string): string => text.normalize("NFC");

function centred(page: PDFPage, text: string, y: number, font: PDFFont, size: number, color = INK): void {
  let fitted = size;
  while (fitted > 8 && font.widthOfTextAtSize(text, fitted) > A4.width - 100) fitted -= 1;
  const width = font.widthOfTextAtSize(text, fitted);
  page.drawText(text, { x: (A4.width - width) / 2, y, size: fitted, font, color });
}

/** Draws the QR code's modules as filled squares, with its quiet zone, at (x, y) bottom-left. */
function drawQr(page: PDFPage, text: string, x: number, y: number, size: number): void {
  const { modules } = QRCode.create(text, { errorCorrectionLevel: "M" });
  const quiet = 4;
  const cell = size / (modules.size + quiet * 2);
  page.drawRectangle({ x, y, width: size, height: size, color: rgb(1, 1, 1) });
  for (let row = 0; row < modules.size; row++) {
    for (let col = 0; col < modules.size; col++) {
      if (!modules.get(row, col)) continue;
      page.drawRectangle({
        x: x + (col + quiet) * cell,
        y: y + size - (row + quiet + 1) * cell,
        width: cell,
        height: cell,
        color: rgb(0, 0, 0),
      });
    }
  }
}

/** The printable certificate: A4, Norwegian by default, with a QR code to the public page. */
export async function renderCertificatePdf(
  facts: CertificateFacts,
  options: { language: Language; publicUrl: string; now: Date },
): Promise<Uint8Array> {
  const m = messages(options.language);
  const doc = await PDFDocument.create();
  doc.registerFontkit(fontkit);
  const files = fontFiles();
  const regular = await doc.embedFont(files.regular, { subset: true });
  const bold = await doc.embedFont(files.bold, { subset: true });
  const url = verificationUrl(options.publicUrl, facts.certificateNumber, facts.verificationCode);

  doc.setTitle(`${m.pdfTitle} ${facts.certificateNumber} – ${facts.holderName}`, {
    showInWindowTitleBar: true,
  });
  doc.setLanguage(localeOf(options.language));
  doc.setAuthor(facts.organizationName);
  doc.setSubject(`${m.pdfSubject}: ${facts.typeName}`);
  doc.setKeywords([facts.certificateNumber, facts.typeName, facts.organizationName]);
  doc.setCreator("Certificate Service");
  doc.setProducer("Certificate Service (pdf-lib)");
  doc.setCreationDate(options.now);
  doc.setModificationDate(options.now);

  const page = doc.addPage([A4.width, A4.height]);
  const margin = 36;
  page.drawRectangle({
    x: margin,
    y: margin,
    width: A4.width - margin * 2,
    height: A4.height - margin * 2,
    borderColor: ACCENT,
    borderWidth: 3,
  });
  page.drawRectangle({
    x: margin + 8,
    y: margin + 8,
    width: A4.width - (margin + 8) * 2,
    height: A4.height - (margin + 8) * 2,
    borderColor: ACCENT,
    borderWidth: 0.75,
  });

  let y = A4.height - 120;
  centred(page, printable(facts.organizationName), y, bold, 20, ACCENT);
  y -= 70;
  centred(page, printable(m.pdfTitle.toUpperCase()), y, bold, 40, ACCENT);
  y -= 60;
  centred(page, printable(m.pdfCertifies), y, regular, 14, MUTED);
  y -= 44;
  centred(page, printable(facts.holderName), y, bold, 30);
  y -= 40;
  centred(page, printable(m.pdfHasEarned), y, regular, 14, MUTED);
  y -= 36;
  centred(page, printable(facts.typeName), y, bold, 22);

  y -= 70;
  const rows: [string, string][] = [
    [m.pdfNumber, facts.certificateNumber],
    [m.pdfCode, facts.verificationCode],
    [m.pdfIssued, formatDate(facts.issuedAt, options.language)],
    [m.pdfExpires, facts.expiresAt === null ? m.noExpiry : formatDate(facts.expiresAt, options.language)],
    // A status this build has no word for (a newer one) is printed as it is.
    [m.pdfStatus, statusLabel(facts.status, m) ?? facts.status],
  ];
  const labelX = 150;
  const valueX = 300;
  for (const [label, value] of rows) {
    page.drawText(printable(`${label}:`), { x: labelX, y, size: 13, font: regular, color: MUTED });
    page.drawText(printable(value), { x: valueX, y, size: 13, font: bold, color: INK });
    y -= 24;
  }

  const qrSize = 130;
  const qrY = 110;
  drawQr(page, url, (A4.width - qrSize) / 2, qrY, qrSize);
  centred(page, printable(m.pdfVerifyAt), qrY - 22, regular, 10, MUTED);
  centred(page, printable(url), qrY - 38, regular, 10, INK);

  if (!grantsAccess(facts.status)) markNotValid(page, bold, m.pdfNotValid);
  return doc.save();
}

/** A certificate that is not valid now (revoked, suspended, expired) says so across the page. */
function markNotValid(page: PDFPage, font: PDFFont, word: string): void {
  let size = 110;
  const diagonal = Math.hypot(A4.width, A4.height) - 160;
  while (size > 40 && font.widthOfTextAtSize(word, size) > diagonal) size -= 4;
  const width = font.widthOfTextAtSize(word, size);
  const angle = Math.atan2(A4.height, A4.width);
  // Centred on the page's centre, along its diagonal from bottom left to top right.
  const x = A4.width / 2 - (Math.cos(angle) * width) / 2 + Math.sin(angle) * size * 0.35;
  const y = A4.height / 2 - (Math.sin(angle) * width) / 2 - Math.cos(angle) * size * 0.35;
  page.drawText(word, {
    x,
    y,
    size,
    font,
    color: VOID,
    opacity: 0.4,
    rotate: degrees((angle * 180) / Math.PI),
  });
}
