import { randomUUID } from "node:crypto";
import { request as httpRequest } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DATABASE_KINDS } from "../../../test/databases.js";
import { makeScene } from "../../../test/factories.js";
import { createHttpTestApp, type HttpTestApp } from "../../../test/http.js";

// Small enough to pass quickly, large enough for the 10 000-row file (about 800 KB).
const LIMIT = 2 * 1024 * 1024;

/** The CSV import over a real listening socket: chunked uploads, multipart, limits, races. */
describe.each(DATABASE_KINDS)("CSV import over a real socket on %s", (kind) => {
  let t: HttpTestApp;
  let base: string;
  let scene: Awaited<ReturnType<typeof makeScene>>;
  let other: Awaited<ReturnType<typeof makeScene>>;

  beforeAll(async () => {
    t = await createHttpTestApp(kind, { importBodyLimit: LIMIT });
    scene = await makeScene(t.ctx, { name: "Grunnkurs", validityMonths: 24 });
    other = await makeScene(t.ctx, { name: "Grunnkurs", validityMonths: 24 });
    base = await t.app.listen({ port: 0, host: "127.0.0.1" });
  });
  afterAll(async () => t?.close());

  const url = (orgId: string, query = "") =>
    `${base}/v1/organizations/${orgId}/certifications/import${query}`;
  const certifications = async (orgId: string) =>
    (
      await t.ctx.db
        .selectFrom("certifications")
        .select((eb) => eb.fn.countAll<number>().as("n"))
        .where("organization_id", "=", orgId)
        .executeTakeFirstOrThrow()
    ).n;

  /** A file of `count` back-dated paper certificates of new mentors. */
  const paperFile = (count: number) => {
    const lines = ["user_id,display_name,certification_type,issued_at"];
    for (let i = 0; i < count; i++) {
      lines.push(`${randomUUID()},Mentor ${i},Grunnkurs,2019-0${(i % 9) + 1}-1${i % 10}`);
    }
    return `${lines.join("\n")}\n`;
  };

  /** Sends `text` as a chunked text/csv body, a few KB at a time. */
  async function postChunked(target: string, subject: string, text: string) {
    const bytes = new TextEncoder().encode(text);
    const chunk = 16 * 1024;
    let offset = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (offset >= bytes.length) {
          controller.close();
          return;
        }
        controller.enqueue(bytes.subarray(offset, offset + chunk));
        offset += chunk;
      },
    });
    return fetch(target, {
      method: "POST",
      headers: { ...(await t.bearer(subject)), "content-type": "text/csv" },
      body,
      duplex: "half",
    } as RequestInit);
  }

  it("imports a chunked upload of 10 000 rows, and a second run of the same file writes nothing and says so", async () => {
    const org = await makeScene(t.ctx, { name: "Grunnkurs", validityMonths: 24 });
    const file = paperFile(10_000);
    const first = await postChunked(url(org.organization.id), org.coordinator.userId, file);
    expect(first.status).toBe(200);
    expect(await first.json()).toMatchObject({ rows: 10_000, imported: 10_000, already_held: 0, skipped: 0 });
    const again = await postChunked(url(org.organization.id), org.coordinator.userId, file);
    expect(await again.json()).toMatchObject({ rows: 10_000, imported: 0, already_held: 10_000, skipped: 0 });
    expect(await certifications(org.organization.id)).toBe(10_000);
  });

  it("takes the file as a multipart upload from a page", async () => {
    const holder = randomUUID();
    const form = new FormData();
    form.append(
      "file",
      new Blob(
        [`user_id,display_name,certification_type,issued_at\n${holder},Siri Skjema,Grunnkurs,2025-01-10\n`],
        {
          type: "text/csv",
        },
      ),
      "papir.csv",
    );
    const answer = await fetch(url(scene.organization.id), {
      method: "POST",
      headers: await t.bearer(scene.admin.userId),
      body: form,
    });
    expect(answer.status).toBe(200);
    expect(await answer.json()).toMatchObject({ rows: 1, imported: 1 });
    const held = await t.ctx.db
      .selectFrom("certifications")
      .select(["issued_at", "certificate_number"])
      .where("user_id", "=", holder)
      .executeTakeFirstOrThrow();
    expect(held.issued_at.toISOString()).toBe("2025-01-10T00:00:00.000Z");
  });

  it("a multipart form without a file is invalid_request", async () => {
    const form = new FormData();
    form.append("note", "no file here");
    const answer = await fetch(url(scene.organization.id), {
      method: "POST",
      headers: await t.bearer(scene.admin.userId),
      body: form,
    });
    expect(answer.status).toBe(400);
    expect(await answer.json()).toMatchObject({ code: "invalid_request" });
  });

  it("answers 413 payload_too_large to a declared length over the limit and to a chunked body that grows past it", async () => {
    const declared = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = httpRequest(url(scene.organization.id), {
        method: "POST",
        headers: {
          authorization: `Bearer ${"x"}`,
          "content-type": "text/csv",
          "content-length": String(LIMIT + 1024 * 1024),
        },
      });
      t.bearer(scene.admin.userId).then(({ authorization }) => {
        req.setHeader("authorization", authorization);
        req.on("response", (response) => {
          let body = "";
          response.on("data", (chunk: Buffer) => {
            body += chunk.toString();
          });
          response.on("end", () => {
            req.destroy();
            resolve({ status: response.statusCode ?? 0, body });
          });
        });
        req.on("error", reject);
        req.write("user_id,certification_type\n");
      }, reject);
    });
    expect(declared.status).toBe(413);
    expect(JSON.parse(declared.body)).toMatchObject({ code: "payload_too_large" });

    const before = await certifications(scene.organization.id);
    const huge = `user_id,certification_type\n${"\n".repeat(LIMIT + 1024)}`;
    const grown = await postChunked(url(scene.organization.id), scene.admin.userId, huge).catch(
      (error: unknown) => error,
    );
    // The server answers before the client has sent it all; either way nothing is written.
    if (grown instanceof Response) {
      expect(grown.status).toBe(413);
      expect(await grown.json()).toMatchObject({ code: "payload_too_large" });
    }
    expect(await certifications(scene.organization.id)).toBe(before);
  });

  it("three runs of the same file at once import it once; the others find every row held", async () => {
    const org = await makeScene(t.ctx, { name: "Grunnkurs", validityMonths: 24 });
    const file = paperFile(300);
    const answers = await Promise.all(
      [0, 1, 2].map(() => postChunked(url(org.organization.id), org.admin.userId, file)),
    );
    const bodies = (await Promise.all(answers.map((a) => a.json()))) as {
      imported: number;
      already_held: number;
    }[];
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200]);
    expect(bodies.map((b) => b.imported).sort()).toEqual([0, 0, 300]);
    expect(bodies.map((b) => b.already_held).sort()).toEqual([0, 300, 300]);
    expect(await certifications(org.organization.id)).toBe(300);
  });

  it("a dry run reports every row and writes nothing, not even the members it would add", async () => {
    const holder = randomUUID();
    const file = [
      "user_id,display_name,certification_type,issued_at,expires_at",
      `${holder},Nils Ny,Grunnkurs,2024-05-01,`,
      `${randomUUID()},Per Papir,Grunnkurs,2025-02-01,2025-01-01`,
      `${holder},Nils Ny,Grunnkurs,2024-05-01,`,
      "",
    ].join("\n");
    const before = await certifications(scene.organization.id);
    const answer = await postChunked(
      url(scene.organization.id, "?dry_run=true"),
      scene.coordinator.userId,
      file,
    );
    expect(answer.status).toBe(200);
    expect(await answer.json()).toMatchObject({
      dry_run: true,
      rows: 3,
      imported: 0,
      already_held: 1,
      skipped: 1,
      held: [{ line: 4, certificate_number: null, same_as_line: 2 }],
      errors: [expect.objectContaining({ line: 3, code: "expires_at_after_issued_at" })],
    });
    const skipping = await postChunked(
      url(scene.organization.id, "?dry_run=true&skip_invalid=true"),
      scene.coordinator.userId,
      file,
    );
    expect(await skipping.json()).toMatchObject({ dry_run: true, imported: 1, skipped: 1 });
    expect(await certifications(scene.organization.id)).toBe(before);
    const member = await t.ctx.db
      .selectFrom("users")
      .select("id")
      .where("id", "=", holder)
      .executeTakeFirst();
    expect(member).toBeUndefined();
  });

  it("a peer mentor is forbidden, and staff of another organization are told it does not exist", async () => {
    const file = paperFile(1);
    const mentor = await postChunked(url(scene.organization.id), scene.mentor.userId, file);
    expect(mentor.status).toBe(403);
    expect(await mentor.json()).toMatchObject({ code: "forbidden" });
    const stranger = await postChunked(url(scene.organization.id), other.admin.userId, file);
    expect(stranger.status).toBe(404);
    expect(await stranger.json()).toMatchObject({ code: "not_found" });
  });

  it("says what is wrong in the caller's language: nb by default and for Norwegian tags, en when asked", async () => {
    const file = "user_id,certification_type,issued_at\nnot-a-uuid,Grunnkurs,\n";
    const ask = async (language?: string) => {
      const answer = await fetch(url(scene.organization.id, "?dry_run=true"), {
        method: "POST",
        headers: {
          ...(await t.bearer(scene.admin.userId)),
          "content-type": "text/csv",
          ...(language ? { "accept-language": language } : {}),
        },
        body: file,
      });
      return {
        language: answer.headers.get("content-language"),
        body: (await answer.json()) as { errors: unknown[] },
      };
    };
    expect((await ask()).body.errors).toEqual([
      { line: 2, code: "invalid_request", field: "user_id", detail: "Feltet «user_id» er ikke gyldig." },
    ]);
    expect(await ask("nn-NO, en;q=0.5")).toMatchObject({ language: "nb" });
    const english = await ask("en-GB,en;q=0.9,nb;q=0.8");
    expect(english.language).toBe("en");
    expect(english.body.errors).toEqual([
      expect.objectContaining({ code: "invalid_request", detail: "The field “user_id” is not valid." }),
    ]);
    const refused = await fetch(url(scene.organization.id), {
      method: "POST",
      headers: {
        ...(await t.bearer(scene.mentor.userId)),
        "content-type": "text/csv",
        "accept-language": "en",
      },
      body: file,
    });
    expect(await refused.json()).toMatchObject({
      code: "forbidden",
      detail: "Your role does not allow this.",
    });
    const norsk = await fetch(`${base}/v1/nothing-here`, { headers: await t.bearer(scene.admin.userId) });
    expect(await norsk.json()).toMatchObject({
      code: "not_found",
      detail: "Vi fant ikke det du ba om, eller du har ikke tilgang til det.",
    });
  });
});
