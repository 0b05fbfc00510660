import { describe, expect, it } from "vitest";
import { ERROR_CODES } from "./errors.js";
import { describeProblem, LANGUAGES, MESSAGES } from "./messages.js";

describe("messages", () => {
  const codes = [...ERROR_CODES, "payload_too_large", "rate_limited", "internal_error", "gone"];

  it("every problem code has a sentence in nb and in en, and they differ", () => {
    for (const code of codes) {
      const sentence = (MESSAGES as Record<string, Record<string, string>>)[code];
      expect(sentence, code).toBeDefined();
      for (const language of LANGUAGES) {
        expect(sentence?.[language]?.trim().length, `${code} ${language}`).toBeGreaterThan(10);
        expect(sentence?.[language], `${code} ${language}`).toMatch(/[.!]$/);
      }
      expect(sentence?.nb, code).not.toBe(sentence?.en);
    }
  });

  it("names the field of an invalid request and falls back to a general sentence for an unknown code", () => {
    expect(describeProblem("invalid_request", "nb", "issued_at")).toBe("Feltet «issued_at» er ikke gyldig.");
    expect(describeProblem("invalid_request", "en", "issued_at")).toBe("The field “issued_at” is not valid.");
    expect(describeProblem("no_such_code", "en")).toBe("The request could not be carried out.");
  });
});
