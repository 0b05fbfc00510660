import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { createHttpTestApp, type HttpTestApp, TEST_JWT_SECRET } from "../../test/http.js";
import { signToken } from "./auth.js";

/**
 * A verified token is taken from memory on its next uses, never past its own expiry, and not
 * longer than a minute without its signature being checked again. The clock is moved, not waited.
 */
describe("verified tokens in memory", () => {
  let t: HttpTestApp;
  beforeAll(async () => {
    t = await createHttpTestApp("pglite");
  });
  afterAll(async () => t.close());
  afterEach(() => vi.useRealTimers());

  const start = new Date("2026-03-15T10:00:00.000Z");
  const at = (seconds: number) => vi.setSystemTime(new Date(start.getTime() + seconds * 1000));

  it("are refused once they expire, although remembered", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    at(0);
    const header = `Bearer ${await signToken(TEST_JWT_SECRET, "service:course-module", { ttlSeconds: 30 })}`;
    expect(await t.auth.authenticate(header)).toEqual({ kind: "service", name: "course-module" });
    at(29);
    expect(t.auth.cached(header)).toEqual({ kind: "service", name: "course-module" });
    at(30);
    expect(t.auth.cached(header)).toBeUndefined();
    await expect(t.auth.authenticate(header)).rejects.toMatchObject({
      code: "unauthenticated",
      message: "The token has expired",
    });
  });

  it("are checked again after a minute, and still accepted while valid", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    at(0);
    const header = `Bearer ${await signToken(TEST_JWT_SECRET, "service:course-module", { ttlSeconds: 3600 })}`;
    await t.auth.authenticate(header);
    at(59);
    expect(t.auth.cached(header)).toBeDefined();
    at(60);
    expect(t.auth.cached(header)).toBeUndefined();
    expect(await t.auth.authenticate(header)).toEqual({ kind: "service", name: "course-module" });
    expect(t.auth.cached(header)).toBeDefined();
  });

  it("never remember a token that failed", async () => {
    const good = await signToken(TEST_JWT_SECRET, "service:course-module");
    const forged = `${good.slice(0, -4)}AAAA`;
    await expect(t.auth.authenticate(`Bearer ${forged}`)).rejects.toMatchObject({ code: "unauthenticated" });
    expect(t.auth.cached(`Bearer ${forged}`)).toBeUndefined();
    await expect(t.auth.authenticate(`Bearer ${forged}`)).rejects.toMatchObject({ code: "unauthenticated" });
  });
});
