import { PDFDocument, type PDFFont, type PDFPage, rgb, StandardFonts } from "pdf-lib";
import QRCode from "qrcode";
import type { Status } from "../domain/status.js";
import { formatDate, type Language, localeOf, messages, statusLabel } from "./i18n.js";

export interface CertificateFacts {
  certificateNumber: string;
  status: Status;
  organizationName: string;
  holderName: string;
  typeName: string;
  issuedAt: string;
  expiresAt: string | null;
}

/** A4 in PDF points. */
const A4 = { width: 595.28, height: 841.89 } as const;
const INK = rgb(0.11, 0.11, 0.13);
const MUTED = rgb(0.29, 0.29, 0.33);
const ACCENT = rgb(0.11, 0.16, 0.3);

export function verificationUrl(publicUrl: string, certificateNumber: string): string {
  return `${publicUrl.replace(/\/+$/, "")}/verify/${encodeURIComponent(certificateNumber)}`;
}

/**
 * The standard fonts speak WinAnsi only (æ, ø, å and the rest of Western European letters). A
 * character outside it falls back to its letter without accents, or "?", instead of failing.
 */
function printable(text: string, font: PDFFont): string {
  let out = "";
  for (const char of text) {
    try {
      font.encodeText(char);
      out += char;
    } catch {
      const base = char.normalize("NFKD").replace(/[\u0300-\u036f]/g, "");
      try {
        font.encodeText(base);
        out += base;
      } catch {
        out += "?";
      }
    }
  }
  return out;
}

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
  const regular = await doc.embedFont(StandardFonts.Helvetica);
  const bold = await doc.embedFont(StandardFonts.HelveticaBold);
  const t = (text: string, font: PDFFont = regular) => printable(text, font);
  const url = verificationUrl(options.publicUrl, facts.certificateNumber);

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
  centred(page, t(facts.organizationName, bold), y, bold, 20, ACCENT);
  y -= 70;
  centred(page, t(m.pdfTitle.toUpperCase(), bold), y, bold, 40, ACCENT);
  y -= 60;
  centred(page, t(m.pdfCertifies), y, regular, 14, MUTED);
  y -= 44;
  centred(page, t(facts.holderName, bold), y, bold, 30);
  y -= 40;
  centred(page, t(m.pdfHasEarned), y, regular, 14, MUTED);
  y -= 36;
  centred(page, t(facts.typeName, bold), y, bold, 22);

  y -= 70;
  const rows: [string, string][] = [
    [m.pdfNumber, facts.certificateNumber],
    [m.pdfIssued, formatDate(facts.issuedAt, options.language)],
    [m.pdfExpires, facts.expiresAt === null ? m.noExpiry : formatDate(facts.expiresAt, options.language)],
    [m.pdfStatus, statusLabel(facts.status, m)],
  ];
  const labelX = 150;
  const valueX = 300;
  for (const [label, value] of rows) {
    page.drawText(t(`${label}:`), { x: labelX, y, size: 13, font: regular, color: MUTED });
    page.drawText(t(value, bold), { x: valueX, y, size: 13, font: bold, color: INK });
    y -= 24;
  }

  const qrSize = 130;
  const qrY = 110;
  drawQr(page, url, (A4.width - qrSize) / 2, qrY, qrSize);
  centred(page, t(m.pdfVerifyAt), qrY - 22, regular, 10, MUTED);
  centred(page, t(url), qrY - 38, regular, 10, INK);

  return doc.save();
}
