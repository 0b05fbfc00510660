import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DATABASE_KINDS } from "../../test/databases.js";
import { verificationCodeOf } from "../../test/factories.js";
import {
  createHttpTestApp,
  type HttpTestApp,
  type HttpWorld,
  injectTransport,
  makeHttpWorld,
} from "../../test/http.js";
import { createLogger } from "../logger.js";
import { loggedPath } from "./log-redaction.js";

describe("log paths", () => {
  it("drop the query string and a share link's token", () => {
    expect(loggedPath("/verify/NHF-2026-00001?code=ABCD-2345&name=Mari")).toBe("/verify/NHF-2026-00001");
    expect(loggedPath("/s/abcDEF123_-xyz?lang=en")).toBe("/s/[redacted]");
    expect(loggedPath("/v1/shared/abcDEF123_-xyz")).toBe("/v1/shared/[redacted]");
    expect(loggedPath("/v1/certifications/1/share-links")).toBe("/v1/certifications/1/share-links");
  });
});

// Runs the routes that handle codes, share tokens, tokens and names with a logger at its most
// talkative level, and reads every line it wrote.
describe.each(DATABASE_KINDS)("what the log holds after the private routes ran, on %s", (kind) => {
  let t: HttpTestApp;
  let w: HttpWorld;
  const lines: string[] = [];
  const secrets: string[] = [];

  beforeAll(async () => {
    const logger = createLogger("trace", { write: (line: string) => void lines.push(line) });
    t = await createHttpTestApp(kind, { pages: true, logger });
    w = await makeHttpWorld(t);
  });
  afterAll(async () => {
    await t?.close();
  });

  it("has no verification code, share token, JWT or holder name in any line", async () => {
    const call = injectTransport(t.app);
    const id = w.certification.id;
    const number = w.certification.certificate_number;
    const code = await verificationCodeOf(t.ctx, id);
    const name = "Mari Mentor";
    secrets.push(code, code.replace("-", ""), name, encodeURIComponent(name), "Mari+Mentor");
    for (const token of Object.values(w.tokens)) secrets.push(token, token.split(".")[2] ?? token);

    const read = await call({
      method: "GET",
      url: `/v1/certifications/${id}/verification-code`,
      token: w.tokens.mentorA,
    });
    expect(read.status).toBe(200);
    await call({ method: "GET", url: `/v1/verify/${number}?code=${code}&name=${encodeURIComponent(name)}` });
    await call({
      method: "GET",
      url: `/v1/verify/${number}?code=ZZZZ-ZZZZ&name=${encodeURIComponent(name)}`,
    });
    await call({ method: "GET", url: `/verify/${number}?code=${code}&name=${encodeURIComponent(name)}` });
    await call({ method: "GET", url: `/verify?number=${number}&code=${code}&name=Mari+Mentor` });
    const made = await call({
      method: "POST",
      url: `/v1/certifications/${id}/share-links`,
      token: w.tokens.mentorA,
      body: { expires_in_days: 3 },
    });
    const link = made.body as { id: string; url: string };
    const shareToken = link.url.split("/s/")[1] ?? "";
    secrets.push(shareToken);
    expect((await call({ method: "GET", url: `/v1/shared/${shareToken}` })).status).toBe(200);
    expect((await call({ method: "GET", url: `/s/${shareToken}?lang=en` })).status).toBe(200);
    await call({ method: "GET", url: `/v1/certifications/${id}/share-links`, token: w.tokens.mentorA });
    await call({
      method: "DELETE",
      url: `/v1/certifications/${id}/share-links/${link.id}`,
      token: w.tokens.mentorA,
    });
    expect((await call({ method: "GET", url: `/v1/shared/${shareToken}` })).status).toBe(410);
    expect((await call({ method: "GET", url: `/s/${shareToken}` })).status).toBe(410);
    const replaced = await call({
      method: "POST",
      url: `/v1/certifications/${id}/verification-code`,
      token: w.tokens.coordinatorA,
    });
    const fresh = (replaced.body as { verification_code: string }).verification_code;
    secrets.push(fresh, fresh.replace("-", ""));
    const pdf = await call({
      method: "GET",
      url: `/v1/certifications/${id}/certificate.pdf`,
      token: w.tokens.mentorA,
    });
    expect(pdf.status).toBe(200);
    await call({ method: "GET", url: "/v1/me", token: `${w.tokens.mentorA}x` });
    await call({
      method: "GET",
      url: `/v1/users/${w.a.mentor.userId}/certifications`,
      token: w.tokens.mentorA,
    });
    await call({ method: "GET", url: `/app#token=${w.tokens.mentorA}` });

    expect(lines.length).toBeGreaterThan(10);
    const log = lines.join("");
    expect(log).toContain("/s/[redacted]");
    for (const secret of secrets) expect(log, "a secret in the log").not.toContain(secret);
    expect(log).not.toMatch(/eyJ[\w-]+\.[\w-]+\.[\w-]+/);
    expect(log).not.toMatch(/[?&](code|name)=/);
  });
});
