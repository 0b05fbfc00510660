import { describe, expect, it } from "vitest";
import {
  CERTIFICATE_NUMBER_PATTERN,
  formatCertificateNumber,
  isValidTimeZone,
  PREFIX_PATTERN,
  parseCertificateNumber,
  yearIn,
} from "./certificate-number.js";
import { DomainError } from "./errors.js";

describe("formatCertificateNumber", () => {
  it("formats PREFIX-YEAR-SEQUENCE with the sequence padded to five digits", () => {
    expect(formatCertificateNumber({ prefix: "NHF", year: 2025, sequence: 312 })).toBe("NHF-2025-00312");
    expect(formatCertificateNumber({ prefix: "NHF", year: 2025, sequence: 1 })).toBe("NHF-2025-00001");
    expect(formatCertificateNumber({ prefix: "NHF", year: 2025, sequence: 99_999 })).toBe("NHF-2025-99999");
  });

  it("lets the sequence grow past 99999 without truncating it", () => {
    expect(formatCertificateNumber({ prefix: "NHF", year: 2025, sequence: 100_000 })).toBe("NHF-2025-100000");
    expect(formatCertificateNumber({ prefix: "A1", year: 2030, sequence: 1_234_567 })).toBe(
      "A1-2030-1234567",
    );
  });

  it("refuses a prefix, year or sequence outside the format", () => {
    for (const prefix of ["nhf", "N", "1AB", "ABCDEFGHIJK", "N-F", ""]) {
      expect(() => formatCertificateNumber({ prefix, year: 2025, sequence: 1 })).toThrow(RangeError);
    }
    for (const year of [999, 10_000, 2025.5]) {
      expect(() => formatCertificateNumber({ prefix: "NHF", year, sequence: 1 })).toThrow(RangeError);
    }
    for (const sequence of [0, -1, 1.5, Number.MAX_SAFE_INTEGER + 2]) {
      expect(() => formatCertificateNumber({ prefix: "NHF", year: 2025, sequence })).toThrow(RangeError);
    }
  });

  it("accepts the longest prefix (ten characters) and digits after the first letter", () => {
    expect(formatCertificateNumber({ prefix: "ABCDEFGHI9", year: 2025, sequence: 7 })).toBe(
      "ABCDEFGHI9-2025-00007",
    );
    expect(PREFIX_PATTERN.test("ABCDEFGHI9")).toBe(true);
  });
});

describe("parseCertificateNumber", () => {
  it("reads back what formatCertificateNumber writes", () => {
    for (const n of [
      { prefix: "NHF", year: 2025, sequence: 312 },
      { prefix: "HLF2", year: 2031, sequence: 123_456 },
    ]) {
      expect(parseCertificateNumber(formatCertificateNumber(n))).toEqual(n);
    }
  });

  it.each([
    "",
    "NHF-2025-0312",
    "nhf-2025-00312",
    "NHF-25-00312",
    "NHF_2025_00312",
    "NHF-2025-00000",
    "NHF-2025-00312 ",
    " NHF-2025-00312",
    "1HF-2025-00312",
    "ABCDEFGHIJK-2025-00001",
    "NHF-2025-99999999999999999999",
    "NHF-2025-ABCDE",
  ])("fails on %j with certificate_number_format", (value) => {
    try {
      parseCertificateNumber(value);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(DomainError);
      expect((error as DomainError).code).toBe("certificate_number_format");
    }
  });

  it("uses the same pattern as the database CHECK (five or more digits)", () => {
    expect(CERTIFICATE_NUMBER_PATTERN.test("NHF-2025-00001")).toBe(true);
    expect(CERTIFICATE_NUMBER_PATTERN.test("NHF-2025-1000000")).toBe(true);
    expect(CERTIFICATE_NUMBER_PATTERN.test("NHF-2025-0001")).toBe(false);
  });
});

describe("yearIn", () => {
  it("New Year's Eve 23:30 UTC is already next year in Europe/Oslo", () => {
    const instant = new Date("2025-12-31T23:30:00.000Z");
    expect(yearIn(instant, "Europe/Oslo")).toBe(2026);
    expect(yearIn(instant, "UTC")).toBe(2025);
  });

  it("in a time zone west of UTC the year turns later than in UTC", () => {
    expect(yearIn(new Date("2026-01-01T03:00:00.000Z"), "America/New_York")).toBe(2025);
    expect(yearIn(new Date("2026-01-01T05:00:00.000Z"), "America/New_York")).toBe(2026);
  });

  it("at 22:59 UTC on 31 December (23:59 in Oslo) it is still the old year in Oslo", () => {
    expect(yearIn(new Date("2025-12-31T22:59:59.999Z"), "Europe/Oslo")).toBe(2025);
    expect(yearIn(new Date("2025-12-31T23:00:00.000Z"), "Europe/Oslo")).toBe(2026);
  });
});

describe("isValidTimeZone", () => {
  it("knows IANA zones and refuses made-up ones", () => {
    expect(isValidTimeZone("Europe/Oslo")).toBe(true);
    expect(isValidTimeZone("UTC")).toBe(true);
    expect(isValidTimeZone("Europe/Atlantis")).toBe(false);
    expect(isValidTimeZone("")).toBe(false);
  });
});
