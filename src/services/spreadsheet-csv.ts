import { stringify } from "csv-stringify/sync";

/*
 * CSV that a spreadsheet opens without running anything (OWASP, CSV injection): a cell whose
 * first character would start a formula (=, +, -, @, tab, carriage return) is written with a
 * leading single quote, and quoted, so it shows as text. The import takes that quote off again,
 * so an export imports as it was.
 */

const FORMULA_START = /^[=+\-@\t\r]/;

/** The cell as a spreadsheet will show it as text. */
export function neutraliseFormula(cell: string): string {
  return FORMULA_START.test(cell) ? `'${cell}` : cell;
}

/** The exported text back as it was: a leading quote before a formula character is dropped. */
export function restoreFormula(cell: string): string {
  return cell.startsWith("'") && FORMULA_START.test(cell.slice(1)) ? cell.slice(1) : cell;
}

/** Rows as CSV (RFC 4180) with every formula cell neutralised. */
export function spreadsheetCsv(rows: readonly (readonly unknown[])[]): string {
  return stringify(rows as unknown[][], {
    cast: {
      string: (value) =>
        FORMULA_START.test(value) ? { value: neutraliseFormula(value), quoted: true } : value,
    },
  });
}
