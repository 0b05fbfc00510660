import { describe, expect, it } from "vitest";
import {
  formatVerificationCode,
  normalizeVerificationCode,
  verificationCodeMatches,
} from "./verification-code.js";

describe("verification codes", () => {
  it("are shown as two groups of four", () => {
    expect(formatVerificationCode("ABCD2345")).toBe("ABCD-2345");
  });

  it("read what people type: any case, hyphens and spaces ignored, I and L as 1, O as 0", () => {
    expect(normalizeVerificationCode("abcd-2345")).toBe("ABCD2345");
    expect(normalizeVerificationCode(" ab cd 23 45 ")).toBe("ABCD2345");
    expect(normalizeVerificationCode("IOLo-2345")).toBe("1010" + "2345");
    expect(normalizeVerificationCode("ABCD-234U")).toBeNull();
    expect(normalizeVerificationCode("ABCD-234")).toBeNull();
    expect(normalizeVerificationCode("")).toBeNull();
  });

  it("match only the stored code, and never when nothing is stored or given", () => {
    expect(verificationCodeMatches("ABCD2345", "abcd-2345")).toBe(true);
    expect(verificationCodeMatches("ABCD2345", "ABCD2346")).toBe(false);
    expect(verificationCodeMatches("ABCD2345", undefined)).toBe(false);
    expect(verificationCodeMatches("ABCD2345", "nonsense")).toBe(false);
    expect(verificationCodeMatches(null, "ABCD2345")).toBe(false);
    expect(verificationCodeMatches(null, null)).toBe(false);
    // The padding used for a missing side is all zero bytes, never a code.
    expect(verificationCodeMatches(null, "\0\0\0\0\0\0\0\0")).toBe(false);
  });
});
