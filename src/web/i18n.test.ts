import { describe, expect, it } from "vitest";
import { MESSAGE_PARTS, messages } from "./i18n.js";

describe("the pages' dictionary", () => {
  it("has no key in two parts, so no part silently overrides another's string", () => {
    const owner = new Map<string, string>();
    const clashes: string[] = [];
    for (const [part, { nb }] of Object.entries(MESSAGE_PARTS)) {
      for (const key of Object.keys(nb)) {
        const first = owner.get(key);
        if (first !== undefined) clashes.push(`${key} in ${first} and ${part}`);
        owner.set(key, part);
      }
    }
    expect(clashes).toEqual([]);
  });

  it("has every key in both languages, and no string left empty", () => {
    const nb = messages("nb");
    const en = messages("en");
    expect(Object.keys(en).sort()).toEqual(Object.keys(nb).sort());
    const empty = [...Object.entries(nb), ...Object.entries(en)].filter(([, value]) => value.trim() === "");
    expect(empty).toEqual([]);
  });
});
